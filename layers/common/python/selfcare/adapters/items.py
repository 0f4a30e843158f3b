"""Key-value items under (pk, sk): the shape of the DynamoDB tables the adapters keep.

`DynamoItems` talks to a table; `MemoryItems` is the same thing in a dict, for unit tests
and benchmarks. Values are plain Python; numbers come back as Decimal from both.
"""

from __future__ import annotations

import bisect
import random
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

from selfcare import budget, change
from selfcare.adapters import aws
from selfcare.adapters.attributes import dump, load
from selfcare.errors import Conflict, ServiceError, Unavailable

Item = dict[str, Any]
BATCH_GET, BATCH_ROUNDS = 100, 4  # keys per BatchGetItem; rounds for unprocessed keys/items


class Items(Protocol):
    def get(self, pk: str, sk: str) -> Item | None: ...
    def get_many(self, keys: Sequence[tuple[str, str]]) -> list[Item | None]:
        """The items under `keys`, in their order (None where missing), in as few reads as
        the store allows."""
        ...

    def query(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        between: tuple[str, str] | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Item]: ...
    def put_all(self, items: Iterable[Item]) -> int: ...
    def write(self, *writes: Write) -> None:
        """All or nothing: every write happens, or none does and ConditionFailed is raised.
        Every item put carries the current change's id (`selfcare.change`)."""
        ...


class ConditionFailed(Conflict):
    """A write's condition did not hold (the item exists, is missing, or moved on). Callers
    say what that means; one that escapes them is a 409 like any Conflict, never a 500."""

    def __init__(self, index: int = 0) -> None:
        super().__init__("The data changed meanwhile; read it again and retry")
        self.index = index


@dataclass(frozen=True)
class Write:
    """A put (item given) or delete (key given), optionally conditional:
    `absent` (must not exist), `present` (must exist), or `version` (its current version)."""

    pk: str
    sk: str
    item: Item | None = None
    absent: bool = False
    present: bool = False
    version: int | None = None

    @classmethod
    def put(
        cls, item: Item, *, absent: bool = False, present: bool = False, version: int | None = None
    ) -> Write:
        return cls(item["pk"], item["sk"], item, absent, present, version)

    @classmethod
    def delete(
        cls, pk: str, sk: str, *, present: bool = False, version: int | None = None
    ) -> Write:
        return cls(pk, sk, None, False, present, version)

    def allows(self, current: Item | None) -> bool:
        if self.absent and current is not None:
            return False
        if (self.present or self.version is not None) and current is None:
            return False
        return self.version is None or (
            current is not None and int(current.get("version", 0)) == self.version
        )


class DynamoItems:
    """Items in a DynamoDB table whose key is (pk: S, sk: S)."""

    def __init__(self, table: str, what: str = "The backend") -> None:
        self.table = table
        self.what = what

    def get(self, pk: str, sk: str) -> Item | None:
        with aws.translate_errors(self.what):
            answer = aws.dynamodb().call(
                "GetItem",
                {"TableName": self.table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                 "ConsistentRead": True},
            )  # fmt: skip
        found = answer.get("Item")
        return _from_dynamo(found) if found else None

    def get_many(self, keys: Sequence[tuple[str, str]]) -> list[Item | None]:
        found: dict[tuple[str, str], Item] = {}
        client = aws.dynamodb()
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), BATCH_GET):
            wanted = [
                {"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in unique[start : start + BATCH_GET]
            ]
            for round_ in range(BATCH_ROUNDS):
                if round_:  # DynamoDB left keys unread under load: back off, then ask again
                    pause = 0.05 * 2**round_ * random.random()  # noqa: S311  (jitter)
                    if not budget.allows(pause):
                        raise Unavailable(f"{self.what} is busy; retry shortly")
                    time.sleep(pause)
                request = {self.table: {"Keys": wanted, "ConsistentRead": True}}
                with aws.translate_errors(self.what):
                    answer = client.call("BatchGetItem", {"RequestItems": request})
                for raw in answer.get("Responses", {}).get(self.table, []):
                    item = _from_dynamo(raw)
                    found[(item["pk"], item["sk"])] = item
                wanted = answer.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
                if not wanted:
                    break
            else:
                raise Unavailable(f"{self.what} is busy; retry shortly")
        return [found.get(key) for key in keys]

    def query(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        between: tuple[str, str] | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Item]:
        condition = "pk = :pk"
        values: dict[str, Any] = {":pk": {"S": pk}}
        if prefix is not None:
            condition += " AND begins_with(sk, :prefix)"
            values[":prefix"] = {"S": prefix}
        elif between is not None:
            condition += " AND sk BETWEEN :low AND :high"
            values[":low"], values[":high"] = {"S": between[0]}, {"S": between[1]}
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
            "ConsistentRead": True,  # a change is visible to the very next read
        }
        if limit is not None:
            request["Limit"] = limit
        found: list[Item] = []
        client = aws.dynamodb()
        with aws.translate_errors(self.what):
            while True:
                page = client.call("Query", request)
                found.extend(_from_dynamo(item) for item in page.get("Items", []))
                more = page.get("LastEvaluatedKey")
                if not more or (limit is not None and len(found) >= limit):
                    break
                request["ExclusiveStartKey"] = more
        return found[:limit] if limit is not None else found

    def write(self, *writes: Write) -> None:
        writes = _stamped(writes)
        requests = [self._request(w) for w in writes]
        client = aws.dynamodb()
        with aws.translate_errors(self.what):
            try:
                if len(requests) == 1:
                    kind, request = requests[0]
                    client.call(f"{kind}Item", request)
                else:
                    client.call(
                        "TransactWriteItems",
                        {
                            "TransactItems": [{k: r} for k, r in requests],
                            # DynamoDB answers a repeat of it (our retry) without applying it
                            "ClientRequestToken": uuid.uuid4().hex,
                        },
                    )
            except aws.AwsError as exc:
                if exc.ambiguous and self._landed(writes):
                    return  # an attempt whose answer was lost had applied it
                if exc.code == "ConditionalCheckFailedException":
                    raise ConditionFailed(0) from None
                reasons = exc.body.get("CancellationReasons", [])
                lost = ("ConditionalCheckFailed", "TransactionConflict")  # both: another writer won
                failed = [i for i, r in enumerate(reasons) if r.get("Code") in lost]
                if exc.code == "TransactionCanceledException" and failed:
                    raise ConditionFailed(failed[0]) from None
                raise

    def _landed(self, writes: Sequence[Write]) -> bool:
        """Does the table hold exactly what `writes` make (each put's item, no deleted key)?
        Asked after an attempt whose outcome is unknown; False when it cannot be told."""
        try:
            found = self.get_many([(w.pk, w.sk) for w in writes])
        except (ServiceError, aws.AwsError):
            return False
        return all(
            now is None if w.item is None else now == _from_dynamo(_to_dynamo(w.item))
            for w, now in zip(writes, found, strict=True)
        )

    def _request(self, write: Write) -> tuple[str, dict[str, Any]]:
        request: dict[str, Any] = {"TableName": self.table}
        conditions, values = [], {}
        if write.absent:
            conditions.append("attribute_not_exists(pk)")
        if write.present:
            conditions.append("attribute_exists(pk)")
        if write.version is not None:  # items never changed carry no version: that is 0
            conditions.append(
                "attribute_exists(pk) AND (version = :expected"
                + (" OR attribute_not_exists(version))" if write.version == 0 else ")")
            )
            values[":expected"] = {"N": str(write.version)}
        if conditions:
            request["ConditionExpression"] = " AND ".join(conditions)
        if values:
            request["ExpressionAttributeValues"] = values
        if write.item is not None:
            request["Item"] = _to_dynamo(write.item)
            return "Put", request
        request["Key"] = {"pk": {"S": write.pk}, "sk": {"S": write.sk}}
        return "Delete", request

    def put_all(self, items: Iterable[Item]) -> int:
        client = aws.dynamodb()
        batch: list[dict[str, Any]] = []
        count = 0
        with aws.translate_errors(self.what):
            for item in items:
                batch.append({"PutRequest": {"Item": _to_dynamo(item)}})
                if len(batch) == 25:
                    count += _write(client, self.table, batch, self.what)
                    batch = []
            if batch:
                count += _write(client, self.table, batch, self.what)
        return count


def _write(client: aws.DynamoDB, table: str, batch: list[dict[str, Any]], what: str) -> int:
    pending = {table: batch}
    for round_ in range(BATCH_ROUNDS):
        if round_:  # DynamoDB left items unwritten under load: back off, then send them again
            pause = 0.05 * 2**round_ * random.random()  # noqa: S311  (jitter)
            if not budget.allows(pause):
                break
            time.sleep(pause)
        answer = client.call("BatchWriteItem", {"RequestItems": pending})
        pending = answer.get("UnprocessedItems") or {}
        if not pending:
            return len(batch)
    raise Unavailable(f"{what} is busy; retry shortly")


def _stamped(writes: Sequence[Write]) -> tuple[Write, ...]:
    """`writes` with each put's item carrying the current change's id."""
    return tuple(w if w.item is None else replace(w, item=change.stamp(w.item)) for w in writes)


def _from_dynamo(item: dict[str, Any]) -> Item:
    return {key: load(value) for key, value in item.items()}


def _to_dynamo(item: Item) -> dict[str, Any]:
    return {key: dump(value) for key, value in item.items()}


class MemoryItems:
    """The same contract in memory (sorted by sk within each pk)."""

    def __init__(self, items: Iterable[Item] = ()) -> None:
        self._keys: dict[str, list[str]] = {}
        self._items: dict[tuple[str, str], Item] = {}
        self._lock = threading.RLock()
        self.calls = 0
        self.put_all(items)

    def get(self, pk: str, sk: str) -> Item | None:
        self.calls += 1
        found = self._items.get((pk, sk))
        return _copy(found) if found is not None else None

    def get_many(self, keys: Sequence[tuple[str, str]]) -> list[Item | None]:
        self.calls += 1
        found = [self._items.get(key) for key in keys]
        return [_copy(item) if item is not None else None for item in found]

    def query(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        between: tuple[str, str] | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[Item]:
        self.calls += 1
        keys = self._keys.get(pk, [])
        if prefix is not None:
            low, high = prefix, prefix + "\uffff"
        elif between is not None:
            low, high = between
        else:
            low, high = "", "\uffff"
        selected = keys[bisect.bisect_left(keys, low) : bisect.bisect_right(keys, high)]
        if newest_first:
            selected = selected[::-1]
        if limit is not None:
            selected = selected[:limit]
        return [_copy(self._items[(pk, sk)]) for sk in selected]

    def write(self, *writes: Write) -> None:
        writes = _stamped(writes)
        with self._lock:
            self.calls += 1
            for index, write in enumerate(writes):
                if not write.allows(self._items.get((write.pk, write.sk))):
                    raise ConditionFailed(index)
            for write in writes:
                key = (write.pk, write.sk)
                if write.item is None:
                    if self._items.pop(key, None) is not None:
                        self._keys[write.pk].remove(write.sk)
                    continue
                if key not in self._items:
                    bisect.insort(self._keys.setdefault(write.pk, []), write.sk)
                self._items[key] = _normalize(write.item)

    def put_all(self, items: Iterable[Item]) -> int:
        count = 0
        with self._lock:
            for item in items:
                pk, sk = item["pk"], item["sk"]
                if (pk, sk) not in self._items:
                    bisect.insort(self._keys.setdefault(pk, []), sk)
                self._items[(pk, sk)] = _normalize(item)
                count += 1
        return count


def _normalize(value: Any) -> Any:
    """What a DynamoDB round trip does to values: numbers become Decimal."""
    if isinstance(value, bool) or value is None or isinstance(value, str | Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalize(v) for v in value]
    raise TypeError(f"cannot store {type(value).__name__}")


def _copy(value: Any) -> Any:
    """A fresh copy, as every DynamoDB read returns (stored values are normalized: only
    dict, list and immutable scalars, so exact type checks suffice)."""
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _IMMUTABLE else _copy(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _IMMUTABLE else _copy(v) for v in value]
    return value


_IMMUTABLE = frozenset({str, int, bool, Decimal, type(None), bytes})
