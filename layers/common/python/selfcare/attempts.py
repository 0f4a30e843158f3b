"""A payment attempt's rules, whoever keeps it: how its status reads now (a pending attempt
past its expiry is expired), when a decision counts, and how it answers as CheckOutInfo.

Plain functions over the attempt record (see selfcare.stores.checkout for its fields): the
checkout logic and the checkout store both follow them.
"""

from __future__ import annotations

import time
from typing import Any

from selfcare.payments import Outcome
from selfcare.ports import Record

# paymentStatus codes (PayU's state_pol values, which Colombia's gateway already speaks)
STATUS_CODES = {"pending": 7, "approved": 4, "declined": 6, "expired": 5}


def decided_at(outcome: Outcome, now: float | None = None) -> float:
    """When the gateway decided (epoch s): never later than now (a gateway's clock, or a time
    zone it leaves unsaid, can make a decision look earlier, never too late)."""
    now = time.time() if now is None else now
    return min(outcome.at.timestamp(), now) if outcome.at is not None else now


def in_time_after_decline(attempt: Record, decided: float) -> bool:
    """Can an approval the gateway decided at `decided` still end this attempt? Only a
    declined one (an expired or approved attempt is over), and only before its expiry."""
    expires = attempt.get("expiresAt")
    return attempt["status"] == "declined" and (expires is None or decided < float(expires))


def never_started(attempt: Record, now: float | None = None) -> bool:
    """A pending attempt the gateway was never asked to collect in time: no payer saw it."""
    start_by = attempt.get("startBy")
    now = time.time() if now is None else now
    return not attempt.get("checkOutId") and start_by is not None and float(start_by) < now


def status_of(attempt: Record, now: float | None = None) -> str:
    """Pending attempts past their expiry read as expired, for as long as they are kept; an
    approval the billing system refused (the invoice was paid by another attempt meanwhile)
    reads as declined: it did not pay the invoice, and it is refunded."""
    status = str(attempt["status"])
    expires = attempt.get("expiresAt")
    now = time.time() if now is None else now
    if status == "pending" and expires is not None and float(expires) <= now:
        return "expired"
    if status == "pending" and never_started(attempt, now):
        return "expired"
    if status == "approved" and attempt.get("paymentRefused"):
        return "declined"
    return status


def checkout_info(attempt: Record, status: str) -> dict[str, Any]:
    """The attempt as the contract's CheckOutInfo."""
    info = {
        key: attempt.get(key)
        for key in (
            "checkOutId",
            "invoiceId",
            "paymentDate",
            "paymentAmount",
            "paymentDescription",
            "returnUrl",
            "cancelUrl",
            "paymentMethods",
            "customerInfo",
        )
    }
    if status != "approved":
        info["paymentDate"] = None  # no payment of the invoice
    info["paymentApproved"] = status == "approved"
    info["paymentStatus"] = STATUS_CODES[status]
    return {k: v for k, v in info.items() if v is not None}
