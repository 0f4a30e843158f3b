"""CORS through the local runner as a browser app meets it: its preflight answered the way
API Gateway answers it from the Api's `Cors` (a mock: no token, no function), and each actual
answer (the functions', errors included) readable by the allowed web origins only.

The browser's checks are spelled out below (`may_read`, `preflight_allows`), so each test
asserts what the app would notice: whether it can read the answer at all."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from local import demo
from tests.conftest import AS_OF

BASE = "/v1/tigo/home"
FOREIGN = "https://evil.example"
# Request headers a browser sends without asking (Fetch's CORS-safelisted request headers).
SAFELISTED = {"accept", "accept-language", "content-language"}


def allowed(stacks) -> list[str]:
    """The stack's AllowedOrigins, as the template hands them to every function."""
    origins = stacks["co"].functions()["BillingFunction"].environment["ALLOWED_ORIGINS"]
    return [o.strip() for o in origins.split(",") if o.strip()]


def configured(stacks) -> dict[str, str]:
    """The Api's `Cors`, resolved with the stack's parameters (values unquoted)."""
    return {k: str(v).strip("'") for k, v in stacks["co"].api()["Cors"].items()}


def may_read(response, origin: str) -> bool:
    """The browser hands a cross-origin answer to the page only when it allows the Origin."""
    return response.headers.get("Access-Control-Allow-Origin") in (origin, "*")


def preflight_allows(response, origin: str, method: str, headers: list[str]) -> bool:
    """The browser's check of a preflight answer before it sends the actual request."""
    if not 200 <= response.status_code < 300 or not may_read(response, origin):
        return False
    methods = {
        m.strip().upper()
        for m in response.headers.get("Access-Control-Allow-Methods", "").split(",")
    }
    names = {
        h.strip().lower()
        for h in response.headers.get("Access-Control-Allow-Headers", "").split(",")
    }
    needed = {h.lower() for h in headers} - SAFELISTED
    return (method in methods or method in ("GET", "HEAD", "POST")) and needed <= names


def preflight(anonymous: Client, path: str, origin: str, method: str, headers: list[str]):
    """What a browser sends first for a request with an Authorization header: no token."""
    return anonymous.open(
        path,
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": ",".join(h.lower() for h in headers),
        },
    )


def balance_path() -> str:
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]["contractId"]
    return f"{BASE}/co/billing/contracts/{contract}/balance"


# Actual answers, from the functions -----------------------------------------------------------
def test_an_allowed_origin_reads_a_200(client, stacks):
    origin = allowed(stacks)[0]

    response = client.get(balance_path(), headers={"Origin": origin})

    assert response.status_code == 200
    assert may_read(response, origin)
    assert response.headers["Access-Control-Allow-Origin"] == origin  # itself, not "*"
    assert "Origin" in response.headers.get("Vary", "")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"{BASE}/co/billing/contracts/99999999/balance", 404),  # no such contract
        (f"{BASE}/co/billing/contracts/abc$def/invoices/", 400),  # malformed id
    ],
)
def test_an_allowed_origin_reads_the_error_body_of_a_4xx(client, stacks, path, status):
    """Without it the app sees a network error instead of the errorBody's message."""
    origin = allowed(stacks)[0]

    response = client.get(path, headers={"Origin": origin})

    assert response.status_code == status
    assert may_read(response, origin)
    assert response.get_json()["code"] == status


def test_a_foreign_origin_cannot_read_answers(client, stacks):
    response = client.get(balance_path(), headers={"Origin": FOREIGN})

    assert response.status_code == 200  # CORS is the browser's guard, not an access check
    assert not may_read(response, FOREIGN)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers.get("Vary", "")


def test_without_an_origin_no_cors_headers_are_sent(client):
    """Same-origin pages, servers and curl send no Origin: nothing to allow."""
    response = client.get(balance_path())

    assert response.status_code == 200
    assert not [h for h, _ in response.headers if h.lower().startswith("access-control-")]


# Preflights, answered by API Gateway itself ---------------------------------------------------
@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        ("/billing/contracts/{contractId}/balance", "GET", ["Authorization"]),
        (
            "/billing/contracts/{contractId}/invoices/",
            "POST",
            ["Authorization", "Content-Type", "Idempotency-Key"],
        ),
        ("/billing/contracts/{contractId}/paperlessInvoiceInfo", "DELETE", ["Authorization"]),
    ],
)
def test_a_preflight_is_answered_as_configured_without_a_token(
    anonymous, stacks, path, method, headers
):
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]["contractId"]
    origin = allowed(stacks)[0]
    cors = configured(stacks)

    response = preflight(
        anonymous, f"{BASE}/co{path.format(contractId=contract)}", origin, method, headers
    )

    assert response.status_code == 200  # no authorizer ran: a preflight carries no token
    assert response.headers["Access-Control-Allow-Origin"] == cors["AllowOrigin"] == origin
    assert response.headers["Access-Control-Allow-Methods"] == cors["AllowMethods"]
    assert response.headers["Access-Control-Allow-Headers"] == cors["AllowHeaders"]
    assert response.headers["Access-Control-Max-Age"] == cors["MaxAge"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert preflight_allows(response, origin, method, headers)


def test_a_preflight_runs_no_authorizer_even_with_a_bad_token(gateway, stacks):
    response = Client(gateway).open(
        balance_path(),
        method="OPTIONS",
        headers={"Origin": allowed(stacks)[0], "Authorization": "Bearer not-a-jwt"},
    )

    assert response.status_code == 200


def test_a_preflight_for_an_unknown_resource_is_the_404_gateway_response(anonymous, stacks):
    origin = allowed(stacks)[0]

    response = preflight(anonymous, f"{BASE}/co/billing/nowhere", origin, "GET", ["Authorization"])

    assert response.status_code == 404
    assert response.get_json() == {"code": 404, "message": "No such route"}


def test_a_preflight_allows_if_match_for_paperless_changes(anonymous, stacks):
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]["contractId"]
    origin = allowed(stacks)[0]
    headers = ["Authorization", "Content-Type", "If-Match"]

    response = preflight(
        anonymous,
        f"{BASE}/co/billing/contracts/{contract}/paperlessInvoiceInfo",
        origin,
        "PUT",
        headers,
    )

    assert preflight_allows(response, origin, "PUT", headers)


def test_binary_media_type_everything_would_break_every_preflight(gateway, anonymous, stacks):
    """Why template.yaml lists application/pdf and text/html rather than */*: API Gateway then
    treats every request as binary, and the preflights' mock integration answers 500."""
    origin = allowed(stacks)[0]
    assert preflight_allows(
        preflight(anonymous, balance_path(), origin, "GET", ["Authorization"]),
        origin,
        "GET",
        ["Authorization"],
    )
    api = {**gateway.api["co"], "BinaryMediaTypes": ["*~1*"]}
    saved = gateway.api["co"]
    gateway.api["co"] = api
    try:
        response = preflight(anonymous, balance_path(), origin, "GET", ["Authorization"])
    finally:
        gateway.api["co"] = saved

    assert response.status_code == 500 and response.get_json()["code"] == 500
    assert not preflight_allows(response, origin, "GET", ["Authorization"])
