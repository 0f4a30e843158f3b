"""A method a path does not declare answers 405 with `Allow` listing those it does, as an
errorBody: not API Gateway's 403 (our 404) for a method missing on a resource. Behind the same
authorizer as the declared methods (401 without a token, but on the public paths); CORS
preflights stay the Api's own answer; unknown paths stay 404."""

from __future__ import annotations

import re

import pytest

from tests.support.openapi import ContractSpec

BASE = "/v1/tigo/home/co"
METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}
SPEC = ContractSpec.load()
DECLARED: dict[str, set[str]] = {}
PUBLIC: set[str] = set()
for _method, _path, _operation in SPEC.operations():
    DECLARED.setdefault(_path, set()).add(_method)
    if _operation.get("security") == []:
        PUBLIC.add(_path)


def concrete(template: str) -> str:
    """Any values do: the method is refused before the path's ids are looked at."""
    return BASE + re.sub(r"\{[^}]+\}", "1234567890", template)


def allow(response) -> set[str]:
    return {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}


def refused(response, declared: set[str]) -> bool:
    body = response.get_json()
    return (
        response.status_code == 405
        and body == {"code": 405, "message": body["message"]}
        and allow(response) == declared
    )


@pytest.mark.parametrize("template", sorted(DECLARED))
def test_an_undeclared_method_is_405_listing_the_declared_ones(client, template):
    assert len(DECLARED) == 38
    for method in sorted(METHODS - DECLARED[template]):
        response = client.open(concrete(template), method=method)
        assert refused(response, DECLARED[template]), (method, response.get_data(as_text=True))
        assert method in response.get_json()["message"]


def test_without_a_token_it_is_401_as_for_the_declared_methods(anonymous):
    path = concrete("/billing/contracts/{contractId}/invoices/")
    assert anonymous.open(path, method="PUT").status_code == 401
    assert anonymous.open(path, method="GET").status_code == 401


@pytest.mark.parametrize("template", sorted(PUBLIC))
def test_on_a_public_path_it_is_405_without_a_token(anonymous, template):
    method = sorted(METHODS - DECLARED[template])[0]
    assert refused(anonymous.open(concrete(template), method=method), DECLARED[template])


def test_a_cors_preflight_is_still_the_apis_own_answer(anonymous, stacks):
    origin = stacks["co"].api()["Cors"]["AllowOrigin"].strip("'")
    response = anonymous.open(
        concrete("/billing/contracts/{contractId}/balance"),
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200 and "Allow" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_a_path_the_contract_does_not_have_is_still_404(client, method):
    response = client.open(f"{BASE}/billing/contracts/1/nothing", method=method)
    assert response.status_code == 404 and response.get_json()["code"] == 404
