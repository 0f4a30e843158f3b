"""CORS on the functions' own answers (selfcare.api), as a browser app sees them: its
Origin echoed in Access-Control-Allow-Origin when the stack allows it (on successes and on
every errorBody), nothing for any other Origin or without one, and `Vary: Origin` always."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from selfcare.api import Api, allowed_origins
from selfcare.settings import Settings

WEB = "https://mi.tigo.com.co"
OTHER_APP = "https://mi.tigo.com.gt"
FOREIGN = "https://evil.example"
BASE = "/v1/tigo/home/{country}"
CONTEXT = SimpleNamespace(
    function_name="cors-test",
    memory_limit_in_mb=256,
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:cors-test",
    aws_request_id="6d3bd6a5-2a7e-4a4c-9d35-3f1d0c1e8f00",
)
AGENT = {"principalType": "agent", "principalId": "call-centre", "scope": "selfcare.read"}


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "HomeSelfCare-test")


def build(monkeypatch: pytest.MonkeyPatch, origins: str | None) -> Api:
    """A function as app.py files build one, under ALLOWED_ORIGINS as the template sets it."""
    if origins is None:
        monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)
    else:
        monkeypatch.setenv("ALLOWED_ORIGINS", origins)
    api = Api("cors-test", Settings.from_env({"COUNTRY": "co", "SANDBOX_TABLE": "t"}))

    @api.app.get("/ping")
    def ping() -> dict[str, Any]:
        return {"pong": True}

    @api.app.get("/broken")
    def broken() -> dict[str, Any]:
        raise RuntimeError("a bug")

    return api


def event(
    path: str,
    origin: str | None = None,
    method: str = "GET",
    authorizer: dict[str, str] | None = AGENT,
    body: str | None = None,
) -> dict[str, Any]:
    headers = {"Accept": "application/json", "Host": "api.example"}
    if origin is not None:
        headers["Origin"] = origin
    full = f"/v1/tigo/home/co{path}"
    return {
        "resource": f"{BASE}{path}",
        "path": full,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"country": "co"},
        "requestContext": {
            "resourcePath": f"{BASE}{path}",
            "httpMethod": method,
            "path": f"/prod{full}",
            "stage": "prod",
            "requestId": "r-1",
            "authorizer": authorizer,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def headers(answer: dict[str, Any]) -> dict[str, str]:
    """The answer's headers as API Gateway sends them (multi-value joined)."""
    found = {k.lower(): str(v) for k, v in (answer.get("headers") or {}).items()}
    for key, values in (answer.get("multiValueHeaders") or {}).items():
        found[key.lower()] = ", ".join(str(v) for v in values)
    return found


def test_an_allowed_origin_is_echoed_on_a_success(monkeypatch):
    api = build(monkeypatch, WEB)

    answer = api.handler(event("/ping", WEB), CONTEXT)

    assert answer["statusCode"] == 200
    got = headers(answer)
    assert got["access-control-allow-origin"] == WEB
    assert got["vary"] == "Origin"
    assert "access-control-allow-credentials" not in got  # bearer tokens, not cookies
    exposed = {h.strip().lower() for h in got["access-control-expose-headers"].split(",")}
    assert {"etag", "content-disposition"} <= exposed


def test_every_listed_origin_is_echoed_as_itself(monkeypatch):
    api = build(monkeypatch, f"{WEB}, {OTHER_APP}/")  # spaces and a trailing slash tolerated

    for origin in (WEB, OTHER_APP):
        got = headers(api.handler(event("/ping", origin), CONTEXT))
        assert got["access-control-allow-origin"] == origin  # never "*", never another one


@pytest.mark.parametrize(
    ("path", "authorizer", "body", "status"),
    [
        ("/ping", None, None, 401),  # no token: the access check refuses
        ("/nowhere", AGENT, None, 404),  # no such route
        ("/ping", AGENT, "x" * (17 * 1024), 413),  # body over the limit, refused unread
        ("/broken", AGENT, None, 500),  # a bug: errorBody, failure logged
    ],
)
def test_error_bodies_carry_the_allowed_origin_too(monkeypatch, path, authorizer, body, status):
    """Without it a browser app cannot read why it failed (it sees a network error)."""
    api = build(monkeypatch, WEB)

    answer = api.handler(event(path, WEB, authorizer=authorizer, body=body), CONTEXT)

    assert answer["statusCode"] == status
    assert json.loads(answer["body"])["code"] == status  # an errorBody
    got = headers(answer)
    assert got["access-control-allow-origin"] == WEB
    assert got["vary"] == "Origin"


@pytest.mark.parametrize("origin", [FOREIGN, "https://mi.tigo.com.co.evil.example", "null"])
def test_a_foreign_origin_gets_no_allow_origin(monkeypatch, origin):
    api = build(monkeypatch, f"{WEB},{OTHER_APP}")

    for answer in (
        api.handler(event("/ping", origin), CONTEXT),
        api.handler(event("/ping", origin, authorizer=None), CONTEXT),  # 401
    ):
        got = headers(answer)
        assert not [h for h in got if h.startswith("access-control-")]
        assert got["vary"] == "Origin"  # a cache must not hand this answer to an allowed origin


def test_without_an_origin_no_cors_headers_are_sent(monkeypatch):
    """Same-origin, server-to-server and curl requests: nothing to allow."""
    api = build(monkeypatch, WEB)

    answer = api.handler(event("/ping"), CONTEXT)

    assert answer["statusCode"] == 200
    got = headers(answer)
    assert not [h for h in got if h.startswith("access-control-")]
    assert got["vary"] == "Origin"


def test_a_stack_allowing_no_origin_answers_no_cors_at_all(monkeypatch):
    api = build(monkeypatch, None)

    got = headers(api.handler(event("/ping", WEB), CONTEXT))

    assert not [h for h in got if h.startswith("access-control-")]
    assert "vary" not in got


def test_allowed_origins_reads_the_comma_separated_list_as_browsers_spell_origins():
    env = {
        "ALLOWED_ORIGINS": " https://Mi.Tigo.com.co/ ,,https://mi.tigo.com.gt,https://mi.tigo.com.co"
    }

    assert allowed_origins(env) == (WEB, OTHER_APP)
    assert allowed_origins({}) == ()
