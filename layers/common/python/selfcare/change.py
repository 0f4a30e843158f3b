"""Which request is changing data. Every item a write puts carries its id (`changedBy`), so a
change whose answer was lost (a timeout, a dropped connection, a 5xx after DynamoDB applied
it) is recognised as done when it is tried again: by `DynamoItems.write` within the call,
and by the stores and the sandbox when the client retries with the same Idempotency-Key,
which names the same change (`for_key`).

The handler sets it once per invocation (`begin`); Lambda runs one invocation at a time per
container (the local runner too), so one id per process.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

FIELD = "changedBy"

_current: str | None = None


def begin(change_id: str | None = None) -> str:
    """Start a change: `change_id`, or a new one. Returns it."""
    global _current
    _current = change_id or uuid.uuid4().hex
    return _current


def for_key(scope: str, key: str) -> str:
    """The change an Idempotency-Key names (the same for every retry of that request)."""
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()[:32]


def current() -> str | None:
    return _current


def clear() -> None:
    global _current
    _current = None


def stamp(item: Mapping[str, Any]) -> dict[str, Any]:
    """`item` as the current change writes it."""
    return {**item, FIELD: _current} if _current is not None else dict(item)


def made(item: Mapping[str, Any] | None) -> bool:
    """Did the current change write `item` (as it now stands)?"""
    return _current is not None and item is not None and item.get(FIELD) == _current
