"""What every function answers through selfcare.api, as a caller sees it: a domain error as
its status and errorBody (card numbers in it masked), a bug as a 500 that says nothing of
it, an unknown route as a 404, bodies over 16 KiB refused unread, amounts and dates in
plain JSON, and no answer without a token that grants the operation's scope."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.api_gateway import Response

from selfcare.api import Api
from selfcare.errors import Conflict, InvalidParameter, NotFound, UpstreamError
from selfcare.settings import Settings
from tests.support.handlers import AGENT, answer_of, context, customer, event

CARD = "4111111111111111"


@pytest.fixture(autouse=True)
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "HomeSelfCare-test")
    monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)


@pytest.fixture
def api() -> Api:
    """A function as app.py files build one, with routes that answer or fail on demand."""
    built = Api("api-test", Settings.from_env({"COUNTRY": "co", "SANDBOX_TABLE": "t"}))
    app = built.app
    failures = {
        "missing": NotFound("No invoice 42 in contract 8001"),
        "taken": Conflict("That phone is already a contact of this contract"),
        "invalid": InvalidParameter("cardNumber", f"{CARD} is not accepted here"),
        "upstream": UpstreamError("The billing system answered an error"),
        "bug": RuntimeError(f"KeyError while reading {CARD} with secret=s3cr3t"),
    }

    @app.get("/things/<name>")
    def read(name: str) -> Any:
        if name in failures:
            raise failures[name]
        return {
            "name": name,
            "whole": Decimal("125000.00"),
            "part": Decimal("10.5"),
            "due": date(2026, 11, 30),
            "at": datetime(2026, 11, 30, 8, 15),
            "note": "año",
        }

    @app.post("/things")
    def make() -> Response:
        return built.once(lambda: ({"made": True}, 201, {"ETag": '"1"'}))

    return built


def call(api: Api, method: str, resource: str, **kwargs: Any):
    return answer_of(api.handler(event(method, resource, **kwargs), context()))


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("missing", 404, "No invoice 42 in contract 8001"),
        ("taken", 409, "That phone is already a contact of this contract"),
        ("upstream", 502, "The billing system answered an error"),
    ],
)
def test_a_domain_error_is_its_status_and_error_body(api, name, status, message):
    answer = call(api, "GET", "/things/{name}", name=name)
    assert answer.status == status
    assert answer.body == {"code": status, "message": message}
    assert answer.headers["content-type"] == "application/json"


def test_an_invalid_parameter_is_a_400_naming_it_with_card_numbers_masked(api):
    answer = call(api, "GET", "/things/{name}", name="invalid")
    assert answer.status == 400 and answer.body["code"] == 400
    assert "'cardNumber'" in answer.body["message"]
    assert CARD not in answer.body["message"] and "1111" in answer.body["message"]


def test_a_bug_is_a_500_that_tells_nothing_of_it(api):
    answer = call(api, "GET", "/things/{name}", name="bug")
    assert answer.status == 500
    assert answer.body == {"code": 500, "message": "Internal error; the failure was logged"}


def test_an_unknown_route_is_a_404_error_body(api):
    answer = call(api, "GET", "/nothing/{here}", here="x")
    assert (answer.status, answer.body) == (404, {"code": 404, "message": "No such route"})


def test_amounts_and_dates_are_plain_json(api):
    answer = call(api, "GET", "/things/{name}", name="lamp")
    assert answer.status == 200
    assert answer.body == {
        "name": "lamp",
        "whole": 125000,  # a whole amount is an integer
        "part": 10.5,
        "due": "2026-11-30",
        "at": "2026-11-30T08:15:00",
        "note": "año",
    }
    assert type(answer.body["whole"]) is int  # 125000, not 125000.0


def test_every_answer_is_kept_by_no_cache_and_read_as_its_own_type(api):
    for answer in (
        call(api, "GET", "/things/{name}", name="lamp"),
        call(api, "GET", "/things/{name}", name="missing"),
        call(api, "GET", "/things/{name}", name="bug"),
    ):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_without_a_token_or_its_scope_nothing_is_answered(api):
    anonymous = call(api, "GET", "/things/{name}", name="lamp", authorizer=None)
    assert anonymous.status == 401 and anonymous.body["code"] == 401
    reader = customer("CC", "1020304050", scope="selfcare.read")
    refused = call(api, "POST", "/things", authorizer=reader, body="{}")
    assert refused.status == 403 and "selfcare.write" in refused.body["message"]
    assert call(api, "GET", "/things/{name}", name="lamp", authorizer=reader).status == 200


def test_another_countrys_path_is_a_404(api):
    answer = call(api, "GET", "/things/{name}", name="lamp", country="gt")
    assert answer.status == 404 and "'co'" in answer.body["message"]


def test_a_body_over_16_kib_is_refused_unread(api):
    limit = 16 * 1024
    fits = call(api, "POST", "/things", body=json.dumps({"pad": "x" * (limit - 11)}))
    assert fits.status == 201 and fits.body == {"made": True}
    over = call(api, "POST", "/things", body=json.dumps({"pad": "x" * (limit - 10)}))
    assert over.status == 413
    assert over.body == {"code": 413, "message": "Request bodies are limited to 16 KiB"}


def test_a_change_without_an_idempotency_key_answers_its_status_and_headers(api):
    answer = call(api, "POST", "/things", body="{}", authorizer=AGENT)
    assert (answer.status, answer.body) == (201, {"made": True})
    assert answer.headers["etag"] == '"1"'
