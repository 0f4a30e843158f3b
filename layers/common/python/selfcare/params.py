"""Path and query values: parsed once, and a clear 400 naming the parameter when malformed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from selfcare.errors import InvalidParameter

# Identifier grammar shared by every opaque id in a path (the contract declares plain strings).
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
PRODUCT_ID = re.compile(r"[0-9]{1,12}")
LINE = re.compile(r"\+?[0-9]{4,20}")
TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")

_PATH_GRAMMAR = {
    "contractId": ID,
    "invoiceId": ID,
    "subscriptionNumber": ID,
    "billingAccountId": ID,
    "id": ID,
    "productId": PRODUCT_ID,
    "measuringElement": LINE,
    "paymentToken": TOKEN,
    "checkOutId": TOKEN,
    "gateway": re.compile(r"[a-z]{2,16}"),
}


def check_path(params: Mapping[str, str]) -> None:
    """Every path parameter with a grammar must match it."""
    for name, value in params.items():
        grammar = _PATH_GRAMMAR.get(name)
        if grammar is not None and not grammar.fullmatch(value):
            raise InvalidParameter(name, _describe(name))


def _describe(name: str) -> str:
    if name == "productId":
        return "expected a numeric product id"
    if name == "measuringElement":
        return "expected a phone number (digits, optional leading +)"
    if name == "paymentToken":
        return "expected 8 to 64 letters, digits, '-' or '_'"
    return "expected 1 to 64 letters, digits, '.', '-' or '_'"


def ascii_int(raw: str, max_digits: int) -> int | None:
    """`raw` as a number when it is 1 to `max_digits` ASCII digits, else None. Not
    str.isdigit() alone: it takes "²" (which int() refuses) and "٣" (which int() reads as 3)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= max_digits:
        return int(raw)
    return None


def limit(query: Mapping[str, str] | None, default: int, maximum: int) -> int:
    raw = (query or {}).get("limit")
    if raw is None:
        return default  # `?limit=` (empty) is no integer: 400 below
    value = ascii_int(raw, 9)
    if value is None or not 1 <= value <= maximum:
        raise InvalidParameter("limit", f"expected an integer from 1 to {maximum}")
    return value


def query_date(query: Mapping[str, str] | None, name: str) -> date:
    raw = (query or {}).get(name)
    if not raw:
        raise InvalidParameter(name, "required, as YYYY-MM-DD")
    return parse_date(raw, name)


def parse_date(raw: str, name: str) -> date:
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(name, "expected a date as YYYY-MM-DD") from None
