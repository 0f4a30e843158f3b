"""DynamoDB attribute values to and from Python, by boto3's rules (boto3.dynamodb.types)
without importing boto3: numbers are Decimal (floats refused, as boto3 does), sets map to
SS/NS/BS, bytes to B."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB numbers: 38 digits, exponent -130..125; anything rounded is an error.
NUMBERS = Context(
    Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow]
)


def _number(value: int | Decimal) -> str:
    if isinstance(value, Decimal) and not value.is_finite():
        raise TypeError(f"DynamoDB has no number {value}")  # as boto3 refuses it
    return str(NUMBERS.create_decimal(value))


def dump(value: Any) -> dict[str, Any]:
    """A Python value as a DynamoDB attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | Decimal):
        return {"N": _number(value)}
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    if isinstance(value, bytes | bytearray):
        return {"B": base64.b64encode(value).decode()}
    if isinstance(value, Mapping):
        return {"M": {str(k): dump(v) for k, v in value.items()}}
    if isinstance(value, Set):
        if value and all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if value and all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in value):
            return {"NS": [_number(v) for v in value]}
        if value and all(isinstance(v, bytes | bytearray) for v in value):
            return {"BS": [base64.b64encode(v).decode() for v in value]}
        raise TypeError(f"A set of one kind of str, number or bytes is needed, not {value!r}")
    if isinstance(value, list | tuple):
        return {"L": [dump(v) for v in value]}
    raise TypeError(f"Unsupported type {type(value).__name__} for a DynamoDB value")


def load(value: Mapping[str, Any]) -> Any:
    """A DynamoDB attribute value as Python."""
    (kind, data), *_ = value.items()
    if kind == "S":
        return data
    if kind == "N":
        return NUMBERS.create_decimal(data)
    if kind == "BOOL":
        return bool(data)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: load(v) for k, v in data.items()}
    if kind == "L":
        return [load(v) for v in data]
    if kind == "SS":
        return set(data)
    if kind == "NS":
        return {NUMBERS.create_decimal(v) for v in data}
    if kind == "B":
        return base64.b64decode(data)
    if kind == "BS":
        return {base64.b64decode(v) for v in data}
    raise TypeError(f"Unknown DynamoDB type {kind}")
