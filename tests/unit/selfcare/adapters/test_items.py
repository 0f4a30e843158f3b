"""The in-memory item store behaves like the DynamoDB one (same calls, same answers)."""

import json
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest

from selfcare.adapters import aws
from selfcare.adapters import items as items_module
from selfcare.adapters.items import ConditionFailed, DynamoItems, MemoryItems, Write
from selfcare.errors import Unavailable
from tests.support.tables import pk_sk_table

ITEMS = [
    {"pk": "C#1", "sk": "INV#2026-09-01#A", "n": 1, "nested": {"x": [1.5, "y"]}},
    {"pk": "C#1", "sk": "INV#2026-10-01#B", "n": 2},
    {"pk": "C#1", "sk": "INV#2026-11-01#C", "n": 3},
    {"pk": "C#1", "sk": "PROD#000001#S1", "n": 4},
    {"pk": "C#2", "sk": "INV#2026-11-01#D", "n": 5},
]


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    if request.param == "memory":
        yield MemoryItems(ITEMS)
        return
    request.getfixturevalue("embedded_aws")
    table = pk_sk_table("items")
    items = DynamoItems(table)
    items.put_all(
        [{**i, "nested": {"x": [Decimal("1.5"), "y"]}} if "nested" in i else i for i in ITEMS]
    )
    yield items


def test_get_returns_the_item_with_decimal_numbers(store):
    item = store.get("C#1", "INV#2026-09-01#A")
    assert item["n"] == Decimal(1) and item["nested"] == {"x": [Decimal("1.5"), "y"]}
    assert store.get("C#1", "nope") is None


def test_query_by_prefix_in_both_orders_with_limit(store):
    oldest = [i["n"] for i in store.query("C#1", prefix="INV#")]
    newest = [i["n"] for i in store.query("C#1", prefix="INV#", newest_first=True, limit=2)]
    assert oldest == [1, 2, 3] and newest == [3, 2]


def test_query_between_is_inclusive(store):
    found = store.query("C#1", between=("INV#2026-10-01", "INV#2026-11-01~"))
    assert [i["n"] for i in found] == [2, 3]


def test_partitions_do_not_mix(store):
    assert [i["n"] for i in store.query("C#2", prefix="INV#")] == [5]
    assert store.query("C#3", prefix="INV#") == []


def test_conditional_puts_create_once_and_update_only_the_expected_version(store):
    new = {"pk": "C#9", "sk": "PAPERLESS", "version": 1, "email": "a@b.co"}
    store.write(Write.put(new, absent=True))
    with pytest.raises(ConditionFailed):
        store.write(Write.put(new, absent=True))
    store.write(Write.put({**new, "version": 2, "email": "c@d.co"}, version=1))
    with pytest.raises(ConditionFailed):  # a writer that read version 1 lost the race
        store.write(Write.put({**new, "version": 2, "email": "lost@d.co"}, version=1))
    assert store.get("C#9", "PAPERLESS")["email"] == "c@d.co"
    with pytest.raises(ConditionFailed):
        store.write(Write.put({"pk": "C#9", "sk": "NOPE", "version": 1}, present=True))


def test_deletes_can_require_presence(store):
    with pytest.raises(ConditionFailed):
        store.write(Write.delete("C#1", "NOPE", present=True))
    store.write(Write.delete("C#1", "PROD#000001#S1", present=True))
    assert store.get("C#1", "PROD#000001#S1") is None
    assert [i["n"] for i in store.query("C#1", prefix="PROD#")] == []


def test_a_transaction_is_all_or_nothing(store):
    writes = [
        Write.put({"pk": "T#1", "sk": "A", "version": 1}, absent=True),
        Write.put({"pk": "T#2", "sk": "A", "version": 1}, absent=True),
        Write.put({"pk": "C#1", "sk": "INV#2026-09-01#A", "n": 9}, version=7),  # wrong version
    ]
    with pytest.raises(ConditionFailed) as failed:
        store.write(*writes)
    assert failed.value.index == 2
    assert store.get("T#1", "A") is None and store.get("T#2", "A") is None
    store.write(*writes[:2])
    assert store.get("T#1", "A") and store.get("T#2", "A")


def test_a_cancelled_transaction_leaves_changed_and_deleted_items_as_they_were(store):
    before = store.get("C#1", "INV#2026-10-01#B")
    with pytest.raises(ConditionFailed):
        store.write(
            Write.put({"pk": "C#1", "sk": "INV#2026-10-01#B", "n": 99}),
            Write.delete("C#1", "INV#2026-11-01#C"),
            Write.put({"pk": "C#2", "sk": "INV#2026-11-01#D", "n": 0}, absent=True),  # exists
        )
    assert store.get("C#1", "INV#2026-10-01#B") == before
    assert store.get("C#1", "INV#2026-11-01#C")["n"] == 3


def test_get_many_answers_in_the_order_asked_with_none_for_missing(store):
    keys = [("C#2", "INV#2026-11-01#D"), ("C#1", "nope"), ("C#1", "INV#2026-09-01#A")]
    found = store.get_many([*keys, keys[0]])
    assert [item and item["n"] for item in found] == [5, None, 1, 5]
    assert store.get_many([]) == []


@pytest.fixture
def dynamodb_calls():
    seen = []
    aws.listeners.append(lambda service, operation: seen.append(operation))
    yield seen
    aws.listeners.pop()


def test_get_many_on_dynamodb_is_one_batch_per_hundred_keys(embedded_aws, dynamodb_calls):
    table = pk_sk_table("items")
    items = DynamoItems(table)
    items.put_all([{"pk": f"C#{n}", "sk": "CONTRACT", "n": n} for n in range(150)])
    dynamodb_calls.clear()
    keys = [(f"C#{n}", "CONTRACT") for n in reversed(range(151))]  # C#150 does not exist
    found = items.get_many(keys)
    assert [item and item["n"] for item in found] == [None, *reversed(range(150))]
    assert dynamodb_calls == ["BatchGetItem", "BatchGetItem"]


def batch(answered, unprocessed=()):
    return (
        200,
        {
            "Responses": {"t": [{"pk": {"S": pk}, "sk": {"S": "S"}} for pk in answered]},
            "UnprocessedKeys": {
                "t": {"Keys": [{"pk": {"S": pk}, "sk": {"S": "S"}} for pk in unprocessed]}
            }
            if unprocessed
            else {},
        },
    )


@pytest.fixture
def endpoint(serve, keys, monkeypatch):
    """A scripted DynamoDB as the shared client's endpoint; back-offs recorded, not slept."""

    def start(*answers):
        server = serve(*answers)
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", server.url)
        aws.reset_clients()
        return server

    monkeypatch.setattr(items_module, "time", SimpleNamespace(sleep=lambda seconds: None))
    yield start
    aws.reset_clients()


def test_keys_dynamodb_left_unprocessed_are_asked_for_again(endpoint):
    server = endpoint(batch(["A"], unprocessed=["B"]), batch(["B"]))
    found = DynamoItems("t").get_many([("A", "S"), ("B", "S")])
    assert [item["pk"] for item in found] == ["A", "B"]
    first, second = (json.loads(request.body) for request in server.wait_for(2))
    assert first["RequestItems"]["t"]["ConsistentRead"] is True
    assert second["RequestItems"]["t"]["Keys"] == [{"pk": {"S": "B"}, "sk": {"S": "S"}}]


def test_keys_left_unprocessed_round_after_round_are_unavailable(endpoint):
    server = endpoint(batch([], unprocessed=["A"]))
    with pytest.raises(Unavailable) as raised:
        DynamoItems("t", "Contracts").get_many([("A", "S")])
    assert raised.value.status == 503 and "Contracts" in raised.value.message
    assert len(server.wait_for(items_module.BATCH_ROUNDS)) == items_module.BATCH_ROUNDS


def test_items_left_unwritten_round_after_round_are_unavailable(endpoint):
    unwritten = (200, {"UnprocessedItems": {"t": [{"PutRequest": {"Item": {"pk": {"S": "A"}}}}]}})
    server = endpoint(unwritten)
    with pytest.raises(Unavailable) as raised:
        DynamoItems("t", "Seeding").put_all([{"pk": "A", "sk": "S"}])
    assert raised.value.status == 503 and "Seeding" in raised.value.message
    assert len(server.wait_for(items_module.BATCH_ROUNDS)) == items_module.BATCH_ROUNDS


# --- writes whose answer is lost ---------------------------------------------------------------


@pytest.fixture
def lose_answers(embedded_aws, monkeypatch):
    """lose_answers(operation, n): the next n calls of `operation` reach DynamoDB (moto) and
    are applied, but their answers are lost on the way back (the connection drops)."""
    losing = {}
    exchange = aws.DynamoDB._exchange

    def lossy(client, operation, payload):
        answer = exchange(client, operation, payload)
        if losing.get(operation):
            losing[operation] -= 1
            raise ConnectionResetError("answer lost")
        return answer

    monkeypatch.setattr(aws.DynamoDB, "_exchange", lossy)
    monkeypatch.setattr(aws, "time", SimpleNamespace(sleep=lambda seconds: None, time=time.time))
    return losing.__setitem__


@pytest.fixture
def changing():
    from selfcare import change

    yield change.begin
    change.clear()


@pytest.mark.parametrize("operation", ["PutItem", "TransactWriteItems"])
def test_a_create_whose_answer_was_lost_is_not_refused_by_its_own_retry(
    lose_answers, changing, operation
):
    items = DynamoItems(pk_sk_table("items"))
    changing("change-1")
    writes = [Write.put({"pk": "P#1", "sk": "A", "version": 1}, absent=True)]
    if operation == "TransactWriteItems":
        writes.append(Write.put({"pk": "P#1", "sk": "B", "version": 1}, absent=True))
    lose_answers(operation, 1)
    items.write(*writes)  # applied, answer lost, retried: the retry's condition fails
    assert items.get("P#1", "A")["changedBy"] == "change-1"
    with pytest.raises(ConditionFailed):  # another change creating it again is refused
        changing("change-2")
        items.write(*writes)


def test_an_update_whose_answer_was_lost_is_not_refused_by_its_own_retry(lose_answers, changing):
    items = DynamoItems(pk_sk_table("items"))
    items.write(Write.put({"pk": "P#1", "sk": "A", "version": 1, "n": 1}, absent=True))
    changing("change-1")
    lose_answers("PutItem", 1)
    items.write(Write.put({"pk": "P#1", "sk": "A", "version": 2, "n": 2}, version=1))
    assert items.get("P#1", "A")["n"] == 2


def test_a_lost_answer_is_not_mistaken_for_another_writers_change(
    lose_answers, changing, monkeypatch
):
    """The retry fails its condition because someone else changed the item meanwhile: that
    is a real conflict, not our own success."""
    items = DynamoItems(pk_sk_table("items"))
    items.write(Write.put({"pk": "P#1", "sk": "A", "version": 1, "n": 1}, absent=True))
    exchange = aws.DynamoDB._exchange
    raced = []

    def other_writer_first(client, operation, payload):
        if operation == "PutItem" and not raced:
            raced.append(True)
            changing("other")
            items.write(Write.put({"pk": "P#1", "sk": "A", "version": 2, "n": 9}, version=1))
            changing("change-1")
            raise TimeoutError("no answer")  # ours never arrived
        return exchange(client, operation, payload)

    monkeypatch.setattr(aws.DynamoDB, "_exchange", other_writer_first)
    changing("change-1")
    with pytest.raises(ConditionFailed):
        items.write(Write.put({"pk": "P#1", "sk": "A", "version": 2, "n": 2}, version=1))
    assert items.get("P#1", "A")["n"] == 9


def test_transactions_carry_a_client_request_token_kept_across_retries(endpoint):
    server = endpoint(
        (500, {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError"}), (200, {})
    )
    DynamoItems("t").write(
        Write.put({"pk": "A", "sk": "S"}, absent=True), Write.put({"pk": "B", "sk": "S"})
    )
    first, second = (json.loads(request.body) for request in server.wait_for(2))
    assert first["ClientRequestToken"] and first == second


def test_every_item_put_carries_the_change_that_wrote_it(store, changing):
    changing("change-7")
    store.write(Write.put({"pk": "C#9", "sk": "X"}))
    assert store.get("C#9", "X")["changedBy"] == "change-7"
