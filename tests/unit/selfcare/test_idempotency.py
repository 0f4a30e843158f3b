"""Idempotent changes as a client retrying them sees it (selfcare.api's `once` over
selfcare.idempotency, on an idempotency table of the embedded AWS: moto, in process): the same
Idempotency-Key and body replay the first answer and change nothing more; the same key with
another body is a 409; a refused change is not kept, so its retry is made; keys of other
callers or operations never meet; a malformed key is a 400 before anything is made."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.event_handler.api_gateway import Response

from selfcare import idempotency
from selfcare.api import Api, dumps
from selfcare.errors import Conflict, NotFound
from selfcare.settings import Settings
from tests.support.handlers import AGENT, answer_of, context, customer, event


@pytest.fixture(scope="module")
def table(embedded_aws: str) -> Iterator[str]:
    """The stack's idempotency table (template.yaml: a string `id` key) on the session's
    embedded AWS (moto, in this process), named for this module alone."""
    name = f"Idempotency-{uuid.uuid4().hex}"
    boto3.client("dynamodb").create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("POWERTOOLS_TRACE_DISABLED", "true")
        env.setenv("POWERTOOLS_METRICS_NAMESPACE", "HomeSelfCare-test")
        env.delenv("ALLOWED_ORIGINS", raising=False)
        yield name
    boto3.client("dynamodb").delete_table(TableName=name)


class Things:
    """A function whose POST /things makes a thing once per Idempotency-Key (Api.once),
    counting what it made; a body {"refuse": true} is refused (404) the first time."""

    def __init__(self, table: str) -> None:
        settings = {"COUNTRY": "co", "SANDBOX_TABLE": "t", "IDEMPOTENCY_TABLE": table}
        self.api = Api("idempotency-test", Settings.from_env(settings))
        self.made: list[dict[str, Any]] = []
        self.refused = 0

        @self.api.app.post("/things")
        def make() -> Response:
            sent = self.api.app.current_event.json_body

            def produce() -> tuple[Any, int, dict[str, str]]:
                if sent.get("refuse") and not self.refused:
                    self.refused += 1
                    raise NotFound("No such shelf")
                self.made.append(sent)
                number = len(self.made)
                return {"thing": number, "name": sent.get("name")}, 201, {"ETag": f'"{number}"'}

            return self.api.once(produce)

        @self.api.app.post("/others")
        def other() -> Response:
            def produce() -> tuple[Any, int]:
                self.made.append({"other": True})
                return {"other": len(self.made)}, 200

            return self.api.once(produce)

    def post(self, body: dict[str, Any], key: str | None, resource: str = "/things",
             authorizer: dict[str, Any] = AGENT, header: str = "Idempotency-Key"):  # fmt: skip
        headers = {header: key} if key is not None else {}
        sent = event("POST", resource, body=json.dumps(body), headers=headers,
                     authorizer=authorizer)  # fmt: skip
        return answer_of(self.api.handler(sent, context()))


@pytest.fixture
def things(table: str) -> Things:
    return Things(table)


def key() -> str:
    return f"key-{uuid.uuid4().hex}"


def test_a_retry_with_the_same_key_and_body_replays_the_first_answer(things):
    same = key()
    first = things.post({"name": "lamp"}, same)
    again = things.post({"name": "lamp"}, same)
    assert (first.status, first.body, first.headers["etag"]) == (
        201,
        {"thing": 1, "name": "lamp"},
        '"1"',
    )
    assert (again.status, again.body, again.headers["etag"]) == (first.status, first.body, '"1"')
    assert things.made == [{"name": "lamp"}]  # made once


def test_the_same_key_with_another_body_is_a_409_and_makes_nothing(things):
    same = key()
    assert things.post({"name": "lamp"}, same).status == 201
    reused = things.post({"name": "sofa"}, same)
    assert reused.status == 409 and reused.body["code"] == 409
    assert "Idempotency-Key" in reused.body["message"]
    assert "different request" in reused.body["message"]
    assert things.made == [{"name": "lamp"}]
    # the first request retried is still its own answer
    assert things.post({"name": "lamp"}, same).body == {"thing": 1, "name": "lamp"}


def test_without_a_key_every_request_is_made(things):
    assert things.post({"name": "lamp"}, None).body == {"thing": 1, "name": "lamp"}
    assert things.post({"name": "lamp"}, None).body == {"thing": 2, "name": "lamp"}
    assert len(things.made) == 2


def test_the_header_is_read_in_any_case(things):
    same = key()
    first = things.post({"name": "lamp"}, same, header="idempotency-key")
    assert things.post({"name": "lamp"}, same).body == first.body
    assert len(things.made) == 1


@pytest.mark.parametrize("bad", ["", "has space", "x" * 129, "ñandú", "a/b"])
def test_a_malformed_key_is_a_400_naming_the_header_and_makes_nothing(things, bad):
    answer = things.post({"name": "lamp"}, bad)
    assert answer.status == 400 and answer.body["code"] == 400
    assert "Idempotency-Key" in answer.body["message"]
    assert things.made == []


def test_the_longest_key_and_every_allowed_character_are_taken(things):
    longest = ("Ab9_.:-" * 19)[:128]
    assert things.post({"name": "lamp"}, longest).status == 201
    assert things.post({"name": "lamp"}, longest).body == {"thing": 1, "name": "lamp"}


def test_a_refused_change_is_not_kept_so_its_retry_is_made(things):
    same = key()
    refused = things.post({"name": "lamp", "refuse": True}, same)
    assert (refused.status, refused.body) == (404, {"code": 404, "message": "No such shelf"})
    retried = things.post({"name": "lamp", "refuse": True}, same)
    assert retried.status == 201 and retried.body["thing"] == 1
    assert things.post({"name": "lamp", "refuse": True}, same).body == retried.body
    assert len(things.made) == 1


def test_keys_of_other_callers_never_meet(things):
    same = key()
    ana = customer("CC", "1020304050")
    luis = customer("CC", "79000111")
    assert things.post({"name": "lamp"}, same, authorizer=ana).body["thing"] == 1
    assert things.post({"name": "lamp"}, same, authorizer=luis).body["thing"] == 2
    assert things.post({"name": "sofa"}, same, authorizer=AGENT).status == 201  # not a 409
    assert things.post({"name": "lamp"}, same, authorizer=ana).body["thing"] == 1  # replayed
    assert len(things.made) == 3


def test_keys_of_other_operations_never_meet(things):
    same = key()
    assert things.post({"name": "lamp"}, same).status == 201
    other = things.post({"name": "lamp"}, same, resource="/others")
    assert (other.status, other.body) == (200, {"other": 2})
    assert len(things.made) == 2


def test_a_retry_while_the_first_is_still_being_made_is_told_to_retry_shortly(table):
    """The first request has not answered yet when its retry arrives (another invocation:
    its record is in progress): the retry is a 409 saying so, and the first one's answer is
    kept."""
    scope, same = f"agent|POST /things|{uuid.uuid4().hex}", key()
    heard: list[Exception] = []

    def first() -> tuple[Any, int]:
        retry = context(remaining_ms=30_000)  # another invocation, with its own time left
        try:
            idempotency.once(table, scope, same, "{}", lambda: ({"second": True}, 201), dumps,
                             retry)  # fmt: skip
        except Conflict as refusal:
            heard.append(refusal)
        return {"first": True}, 201

    answered = idempotency.once(table, scope, same, "{}", first, dumps, context())
    assert answered == ('{"first":true}', 201, {})
    (refusal,) = heard
    assert refusal.status == 409 and "still in progress" in refusal.message
    replay = idempotency.once(table, scope, same, "{}", lambda: ({"third": True}, 201), dumps,
                              context())  # fmt: skip
    assert replay == answered


def test_a_retry_in_the_same_millisecond_is_not_taken_for_the_first(table, monkeypatch):
    """Two invocations with one key can start in the same millisecond with the same time
    left (a double tap): their in-progress records are then alike to the millisecond, and
    only the put that wrote the record may take it for its own."""
    import datetime as dt

    from aws_lambda_powertools.utilities.idempotency.persistence import base

    frozen = dt.datetime(2026, 12, 3, 12, 0, 0, 123000)

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return frozen

    monkeypatch.setattr(base.dt, "datetime", Frozen)
    scope, same = f"agent|POST /things|{uuid.uuid4().hex}", key()
    made: list[str] = []
    heard: list[Exception] = []

    def first() -> tuple[Any, int]:
        made.append("first")
        try:  # the same clock, the same time left: the same expiry times
            idempotency.once(table, scope, same, "{}", second, dumps, context())
        except Conflict as refusal:
            heard.append(refusal)
        return {"first": True}, 201

    def second() -> tuple[Any, int]:
        made.append("second")
        return {"second": True}, 201

    assert idempotency.once(table, scope, same, "{}", first, dumps, context())[1] == 201
    assert made == ["first"]
    (refusal,) = heard
    assert refusal.status == 409 and "still in progress" in refusal.message
