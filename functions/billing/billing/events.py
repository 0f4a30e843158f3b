"""What billing's writes tell operations: business metrics and log lines, one object the
routes build (`Events(api.count, api.logger)`) and the logic is given, not a callback per
call. Paying (checkout), paperless subscriptions and recurring billing use it."""

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

    def flags_not_updated(self, contract_id: str, error: Exception) -> None:
        """A change stands but the contract's invoices do not show it yet (the billing
        system failed to flag them): a WARNING naming the error's type, never its text, and
        a point of InvoiceFlagsNotUpdated (alarmed). The contract's next change flags them."""
        extra = {"contractId": contract_id, "error": type(error).__name__}
        self.log.warning("Invoice flags not updated", extra=extra)
        self.metric("InvoiceFlagsNotUpdated")


QUIET = Events()  # no metrics (tests, the seeding); log lines still go to LOG
