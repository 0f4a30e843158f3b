"""The invocation's time budget: every call to a dependency ends before Lambda would stop
the function, so a slow dependency is answered as a 504 errorBody, never as a timeout.

The handler calls `start(context)` once per invocation; clients ask `timeout(limit, what)`
for the seconds one attempt may take (never more than `limit`, never past the deadline
less `MARGIN`, kept to answer) and `allows(seconds)` before starting a retry. Lambda runs
one invocation at a time per container (the local runner too), so one deadline per process.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

from selfcare.errors import UpstreamTimeout

MARGIN = 0.5  # seconds kept to log and answer after the last call gives up
SHORTEST = 0.05  # an attempt with less time than this is not started

_deadline: float | None = None  # time.monotonic() by which the answer must be on its way


def start(context: Any) -> None:
    """The invocation's deadline, from the Lambda context (none without one: tests, tools)."""
    global _deadline
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    try:
        millis = float(remaining()) if callable(remaining) else math.nan
    except (TypeError, ValueError):
        millis = math.nan
    _deadline = time.monotonic() + millis / 1000 if millis > 0 else None


def clear() -> None:
    global _deadline
    _deadline = None


def remaining() -> float:
    """Seconds left for calls (the margin already kept); infinite outside an invocation."""
    if _deadline is None:
        return math.inf
    return _deadline - MARGIN - time.monotonic()


def allows(seconds: float) -> bool:
    """Is there time for something that takes up to `seconds` (a retry, its back-off)?"""
    return remaining() >= seconds


def limit(default: float) -> float:
    """One attempt's own limit: `default` (tuned for AWS), or ATTEMPT_TIMEOUT_SECONDS where
    dependencies are slow by nature (the local runner's moto on a busy laptop)."""
    try:
        return float(os.environ.get("ATTEMPT_TIMEOUT_SECONDS") or default)
    except ValueError:
        return default


def timeout(limit: float, what: str) -> float:
    """The seconds one attempt may take: `limit`, or less as the deadline nears. Raises
    UpstreamTimeout (504 naming `what`) when there is no time left to try."""
    left = remaining()
    if left < SHORTEST:
        raise UpstreamTimeout(f"{what} did not answer in time")
    return min(limit, left)
