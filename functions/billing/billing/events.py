"""What billing's writes tell operations: business metrics and log lines, one object the
routes build (`Events(api.count, api.logger)`) and the logic is given, not a callback per
call. Paying (checkout) and paperless subscriptions use it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

# A child of the function's Powertools logger ("billing"): same handler, same redaction.
LOG = logging.getLogger(__name__)


class Count(Protocol):
    """A business metric's sink: `Api.count` (Powertools Metrics, EMF)."""

    def __call__(self, name: str, value: int = 1, /) -> None: ...


@dataclass(frozen=True, slots=True)
class Events:
    """Business metrics (`count`: the function's Powertools Metrics; none when None) and
    log lines (`log`: the function's Powertools logger, or LOG, a child of it)."""

    count: Count | None = None
    log: Any = LOG

    def metric(self, name: str, value: int = 1) -> None:
        """One data point of `name` worth `value` (the subscriptions a change made)."""
        if self.count is not None:
            self.count(name, value)


QUIET = Events()  # no metrics (tests, the seeding); log lines still go to LOG
