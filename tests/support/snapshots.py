"""Whole-table snapshots of the embedded AWS (moto's server runs in the test process), to
put the data back after a scenario and to tell exactly what a request changed.

Taken and restored under moto's own request lock, straight from moto's in-memory tables:
a Scan of every table before and after each of hundreds of scenarios would cost minutes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from local.embedded_aws import _one_request_at_a_time
from local.stack import ACCOUNT, REGION


def _tables(names: Iterable[str]) -> dict[str, Any]:
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[ACCOUNT][REGION]
    return {name: backend.get_table(name) for name in names}


class Snapshot:
    """The items of `tables` as they stand now. Cheap: moto replaces an item it puts (our
    functions put and delete, never update in place), so keeping the items themselves is
    enough; what changed since is told by identity first."""

    def __init__(self, tables: Iterable[str]) -> None:
        with _one_request_at_a_time:
            self._saved = {
                name: {key: dict(by_range) for key, by_range in table.items.items()}
                for name, table in _tables(tables).items()
            }

    def restore(self) -> None:
        """Every table back to this snapshot (what was added since is gone)."""
        with _one_request_at_a_time:
            for name, table in _tables(self._saved).items():
                table.items = defaultdict(
                    dict, {key: dict(by_range) for key, by_range in self._saved[name].items()}
                )

    def items(self, name: str) -> dict[tuple[str, str], Any]:
        """(pk, sk) -> moto's item."""
        return {
            (str(item.hash_key.value), str(item.range_key.value)): item
            for by_range in self._saved[name].values()
            for item in by_range.values()
        }


def changes(before: Snapshot, after: Snapshot) -> dict[str, dict[tuple[str, str], Any]]:
    """What changed, per table: (pk, sk) -> the item now (DynamoDB JSON), or None when it
    was removed."""
    found: dict[str, dict[tuple[str, str], Any]] = {}
    for table in after._saved:
        was, now = before.items(table), after.items(table)
        diff = {}
        for key in was.keys() | now.keys():
            old, new = was.get(key), now.get(key)
            if old is new:
                continue
            old_json = old.to_json()["Attributes"] if old is not None else None
            new_json = new.to_json()["Attributes"] if new is not None else None
            if old_json != new_json:
                diff[key] = new_json
        if diff:
            found[table] = diff
    return found


# What differs between two runs of the same request by nature: when, which random token or
# id, which change wrote it (and its receipt), how long things are kept.
VOLATILE = frozenset(
    {"changedBy", "createdAt", "updatedAt", "decidedAt", "at", "receivedAt", "keptAt",
     "expiresAt", "startBy", "purgeAt", "paymentDate"}
)  # fmt: skip
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?")


def normalized(diff: dict[str, dict[tuple[str, str], Any]], tokens: Iterable[str] = ()) -> Any:
    """`diff` with what differs between runs of one request replaced by placeholders: times,
    uuids, `tokens` (other random ids a run made: payment tokens, checkout ids), receipts
    left out. Per table, a sorted list of (key, item): two items that differ only in such
    values stay two."""
    names = {t: f"<token{n}>" for n, t in enumerate(sorted(set(tokens), key=len, reverse=True))}

    def text(value: str) -> str:
        for token, name in names.items():
            value = value.replace(token, name)
        return _UUID.sub("<uuid>", _TIME.sub("<time>", value))

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items() if k not in VOLATILE}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return text(value) if isinstance(value, str) else value

    shown = {
        table: sorted(
            (
                ((text(pk), text(sk)), walk(item))
                for (pk, sk), item in items.items()
                if not pk.startswith("CHANGE#")
            ),
            key=repr,
        )
        for table, items in diff.items()
    }
    return {table: items for table, items in shown.items() if items}


_UUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
