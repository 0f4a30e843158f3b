"""The embedded AWS answers Query and Scan exactly as moto does, only faster: the same items,
in the same order, paged the same way, on the table and on an index."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from local import embedded_aws

TABLE = f"Things-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def dynamodb(embedded_aws: str) -> Iterator[Any]:
    """A table of its own on the session's embedded AWS (moto's in-process mock would
    reset every table the other tests of this worker share)."""
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=embedded_aws)
    client.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "owner", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byOwner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    # Numbers whose text order is not their order (9 < 10 < 100), partitions written
    # out of order, and an item the index does not hold.
    for pk in ("b", "a", "c"):
        for sk in (100, 9, 10, -1, 2.5):
            item = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
            if sk != 10:
                item["owner"] = {"S": "ana" if sk % 2 else "luis"}
            client.put_item(TableName=TABLE, Item=item)
    yield client
    client.delete_table(TableName=TABLE)


def both(call) -> tuple[Any, Any]:
    """What `call` answers with the embedded AWS's Query and Scan, and with moto's own."""
    ours = call()
    table_class = embedded_aws.Table
    patched = table_class.query, table_class.all_items
    table_class.query, table_class.all_items = embedded_aws._query, _moto_all_items
    try:
        theirs = call()
    finally:
        table_class.query, table_class.all_items = patched
    return ours, theirs


def _moto_all_items(self) -> list[Any]:
    """moto 5's own `Table.all_items`."""
    items = [item for by_range in self.items.values() for item in by_range.values()]
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def pages(client, **request) -> list[list[dict[str, Any]]]:
    found, start = [], {}
    while True:
        answer = client.query(TableName=TABLE, Limit=2, **request, **start)
        found.append(answer["Items"])
        if "LastEvaluatedKey" not in answer:
            return found
        start = {"ExclusiveStartKey": answer["LastEvaluatedKey"]}


@pytest.mark.parametrize("forward", [True, False])
def test_a_table_query_answers_its_partition_in_key_order_page_by_page(dynamodb, forward):
    ours, theirs = both(
        lambda: pages(
            dynamodb,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "a"}},
            ScanIndexForward=forward,
        )
    )
    assert ours == theirs
    keys = [float(item["sk"]["N"]) for page in ours for item in page]
    assert keys == sorted(keys, reverse=not forward) and len(keys) == 5
    assert {item["pk"]["S"] for page in ours for item in page} == {"a"}


def test_a_range_condition_and_a_missing_partition(dynamodb):
    ours, theirs = both(
        lambda: [
            dynamodb.query(
                TableName=TABLE,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                ExpressionAttributeValues={
                    ":pk": {"S": pk},
                    ":low": {"N": "0"},
                    ":high": {"N": "50"},
                },
            )["Items"]
            for pk in ("b", "z")
        ]
    )
    assert ours == theirs
    assert [item["sk"]["N"] for item in ours[0]] == ["2.5", "9", "10"] and ours[1] == []


def test_an_index_query_still_sees_every_partition(dynamodb):
    ours, theirs = both(
        lambda: pages(
            dynamodb,
            IndexName="byOwner",
            KeyConditionExpression="#o = :o",
            ExpressionAttributeNames={"#o": "owner"},
            ExpressionAttributeValues={":o": {"S": "ana"}},
        )
    )
    assert ours == theirs
    assert {item["pk"]["S"] for page in ours for item in page} == {"a", "b", "c"}


def test_a_scan_answers_every_item_in_the_same_order(dynamodb):
    ours, theirs = both(lambda: dynamodb.scan(TableName=TABLE)["Items"])
    assert ours == theirs and len(ours) == 15
