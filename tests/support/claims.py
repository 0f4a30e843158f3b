"""Sandbox customers for tests that change data: each test claims its own, from the end of
the dataset (read tests use the demo identities and the first matches), so tests sharing a
stack in one process never change each other's data."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from local import demo
from tests.conftest import AS_OF

_claimed: set[tuple[str, str, str]] = set()
_lock = threading.Lock()
DEMO_IDENTITIES = 6
# Whose data a claim is on: each backend's stacks hold their own copy of the dataset
# (tests/conformance/conftest.py switches to "tmf" for the suites that write to the tmf data).
backend = "sandbox"


def claim(
    country: str, wanted: Callable[[dict[str, Any]], bool] = lambda customer: True
) -> dict[str, Any]:
    with _lock:
        for customer in reversed(demo.customers(country, AS_OF)[DEMO_IDENTITIES:]):
            key = (backend, country, customer["customerId"])
            if key not in _claimed and wanted(customer):
                _claimed.add(key)
                return customer
    raise LookupError(f"no unclaimed {country} customer left for this test")


def reserve(country: str, customer: dict[str, Any], on: str) -> None:
    """Claims `customer` itself among `on`'s data: for a suite run again on another backend
    with the customer its module claimed when imported (the claim was on the first one)."""
    key = (on, country, customer["customerId"])
    with _lock:
        if key in _claimed:
            raise LookupError(f"{customer['customerId']} is already claimed on {on}")
        _claimed.add(key)
