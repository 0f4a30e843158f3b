"""Whole-table snapshots of the embedded AWS (moto's server runs in the test process), to
put the data back after a scenario and to tell exactly what a request changed.

Read and restored under moto's own request lock, straight from moto's in-memory tables:
a Scan of every table before and after each of hundreds of scenarios would cost minutes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from local.embedded_aws import _one_request_at_a_time
from local.stack import ACCOUNT, REGION

Items = dict[tuple[str, str], dict[str, Any]]  # (pk, sk) -> attributes, as DynamoDB JSON


def _tables(names: Iterable[str]) -> dict[str, Any]:
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[ACCOUNT][REGION]
    return {name: backend.get_table(name) for name in names}


class Snapshot:
    """The items of `tables` as they stand now."""

    def __init__(self, tables: Iterable[str]) -> None:
        with _one_request_at_a_time:
            self._saved = {name: copy.deepcopy(t.items) for name, t in _tables(tables).items()}

    def restore(self) -> None:
        """Every table back to this snapshot (what was added since is gone)."""
        with _one_request_at_a_time:
            for name, table in _tables(self._saved).items():
                table.items = copy.deepcopy(self._saved[name])

    def items(self) -> dict[str, Items]:
        return {name: _plain(saved) for name, saved in self._saved.items()}


def _plain(items: Mapping[Any, Any]) -> Items:
    found: Items = {}
    for by_range in items.values():
        for item in by_range.values():
            attributes = item.to_json()["Attributes"]
            found[(attributes["pk"]["S"], attributes["sk"]["S"])] = attributes
    return found


def changes(before: Snapshot, after: Snapshot) -> dict[str, dict[tuple[str, str], Any]]:
    """What changed, per table: (pk, sk) -> the item now, or None when it was removed."""
    old, new = before.items(), after.items()
    found: dict[str, dict[tuple[str, str], Any]] = {}
    for table in new:
        was, now = old.get(table, {}), new[table]
        diff = {
            key: now.get(key) for key in was.keys() | now.keys() if was.get(key) != now.get(key)
        }
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
