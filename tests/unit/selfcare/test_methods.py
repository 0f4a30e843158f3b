"""A function's answer to a method its resource does not declare (the template's ANY method
sends it there): 405 with `Allow` listing the declared ones, an errorBody a web app can read,
given before any token, scope or id is looked at."""

from __future__ import annotations

import json
from typing import Any

import pytest

from selfcare.api import Api
from selfcare.settings import Settings
from tests.unit.selfcare.test_cors import CONTEXT, WEB, event, headers


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "HomeSelfCare-test")
    monkeypatch.setenv("ALLOWED_ORIGINS", WEB)


def build() -> Api:
    """Routes named as app.py files name them: their variables need not be the template's."""
    api = Api("methods-test", Settings.from_env({"COUNTRY": "co", "SANDBOX_TABLE": "t"}))

    @api.app.get("/things/<name>")
    def read(name: str) -> dict[str, Any]:
        return {"name": name}

    @api.app.delete("/things/<name>")
    def remove(name: str) -> dict[str, Any]:
        return {"removed": name}

    @api.app.get("/things/<name>/parts/")
    def parts(name: str) -> list[Any]:
        return []

    return api


def resource_event(resource: str, path: str, method: str, **kwargs: Any) -> dict[str, Any]:
    found = event(path, WEB, method=method, **kwargs)
    found["resource"] = found["requestContext"]["resourcePath"] = resource
    return found


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "HEAD"])
def test_an_undeclared_method_is_405_with_allow(method):
    answer = build().handler(
        resource_event("/v1/tigo/home/{country}/things/{thingId}", "/things/42", method),
        CONTEXT,
    )

    assert answer["statusCode"] == 405
    got = headers(answer)
    assert got["allow"] == "DELETE, GET"
    assert json.loads(answer["body"]) == {
        "code": 405,
        "message": f"{method} is not allowed here; allowed: DELETE, GET",
    }
    assert got["access-control-allow-origin"] == WEB  # readable by the web apps


def test_it_comes_before_the_token_and_the_ids_are_looked_at():
    """Without a token the access check would answer 401; it is not reached."""
    answer = build().handler(
        resource_event(
            "/v1/tigo/home/{country}/things/{thingId}/parts",
            "/things/bad$id/parts",
            "POST",
            authorizer=None,
        ),
        CONTEXT,
    )

    assert answer["statusCode"] == 405 and headers(answer)["allow"] == "GET"


def test_declared_methods_and_other_resources_are_untouched():
    api = build()
    read = api.handler(
        resource_event("/v1/tigo/home/{country}/things/{thingId}", "/things/42", "GET"), CONTEXT
    )
    other = api.handler(
        resource_event("/v1/tigo/home/{country}/others/{id}", "/others/1", "GET"), CONTEXT
    )

    assert read["statusCode"] == 200 and json.loads(read["body"]) == {"name": "42"}
    assert other["statusCode"] == 404 and "allow" not in headers(other)
