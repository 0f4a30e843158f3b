"""Values as DynamoDB keeps them: dates as ISO strings, floats as Decimal, no None.

Neutral ground for whatever writes items (the stores, the sandbox adapter, the seeding),
so that none of them has to import another's module for it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def storable(value: Any) -> Any:
    """Dataset values as DynamoDB stores them: dates as ISO strings, floats as Decimal."""
    if isinstance(value, bool) or value is None or isinstance(value, str | int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): storable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    raise TypeError(f"cannot store {type(value).__name__}")
