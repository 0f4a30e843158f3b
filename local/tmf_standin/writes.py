"""Writes the stand-in accepts (filled in with the adapter's changes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from local.tmf_standin.resources import Collections


def apply(standin: Any, country: str, collections: Collections, method: str, collection: str, resource_id: str | None, body: bytes, headers: Mapping[str, str]) -> tuple[int, Any, dict[str, str]]:
    return 405, {"code": "405", "reason": "method not allowed"}, {}
