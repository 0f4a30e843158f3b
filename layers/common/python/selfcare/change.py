"""Which request is changing data. Every item a write puts carries its id (`changedBy`), so
that a write whose answer was lost (a timeout, a dropped connection, a 5xx after DynamoDB
applied it) can be told from another writer's when it is tried again. A client retrying
with the same Idempotency-Key names the same change (`for_key`): such a change also leaves
a receipt (`selfcare.adapters.receipts`) that its retries answer from.

The handler sets it once per invocation (`begin`); Lambda runs one invocation at a time per
container (the local runner too), so one change per process.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

FIELD = "changedBy"

_current: str | None = None
_keyed = False


def begin(change_id: str | None = None, keyed: bool = False) -> str:
    """Start a change: `change_id`, or a new one; `keyed` when a client's Idempotency-Key
    names it (its retries then carry the same id)."""
    global _current, _keyed
    _current, _keyed = change_id or uuid.uuid4().hex, keyed
    return _current


def for_key(scope: str, key: str) -> str:
    """The change an Idempotency-Key names (the same for every retry of that request)."""
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()[:32]


def current() -> str | None:
    return _current


def keyed() -> str | None:
    """The current change's id when a client may retry it by key, else None."""
    return _current if _keyed else None


def clear() -> None:
    global _current, _keyed
    _current, _keyed = None, False


def stamp(item: Mapping[str, Any]) -> dict[str, Any]:
    """`item` as the current change writes it."""
    return {**item, FIELD: _current} if _current is not None else dict(item)


def made(item: Mapping[str, Any] | None) -> bool:
    """Did the current change write `item` (as it now stands)?"""
    return _current is not None and item is not None and item.get(FIELD) == _current
