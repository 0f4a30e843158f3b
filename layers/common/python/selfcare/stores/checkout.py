"""Payment attempts (checkouts), kept before any money moves.

  pk INVOICE#<contractId>#<invoiceId>   sk ATTEMPT#<paymentToken>   the attempt
  pk TOKEN#<paymentToken>               sk #REF                     contractId, invoiceId
  pk NOTIFICATION#<gateway>#<id>        sk #SEEN                    a notification applied

An attempt: paymentToken, checkOutId, redirectUrl, gateway, contractId, invoiceId,
paymentAmount, currencyId, status (pending | approved | declined | expired), createdAt,
expiresAt (epoch s: a pending attempt reads as expired after it), purgeAt (the table's
TTL, long after), paymentDate, paymentDescription, returnUrl, cancelUrl, paymentMethods,
customerInfo, and once final the gateway's transactionId, paymentMethod, bankName,
cardBrand, and paymentRecorded (the billing system has it). Status only moves forward,
from pending, with conditional writes.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from selfcare.adapters.items import ConditionFailed, Item, Items, Write
from selfcare.adapters.sandbox.layout import storable
from selfcare.payments import Outcome
from selfcare.ports import Record

# paymentStatus codes (PayU's state_pol values, which Colombia's gateway already speaks)
STATUS_CODES = {"pending": 7, "approved": 4, "declined": 6, "expired": 5}
KEEP_SECONDS = 400 * 24 * 3600


def invoice_pk(contract_id: str, invoice_id: str) -> str:
    return f"INVOICE#{contract_id}#{invoice_id}"


class CheckoutStore:
    def __init__(self, items: Items) -> None:
        self.items = items

    def latest(self, contract_id: str, invoice_id: str) -> Record | None:
        attempts = self.items.query(invoice_pk(contract_id, invoice_id), prefix="ATTEMPT#")
        return max(attempts, key=lambda a: a["createdAt"]) if attempts else None

    def get(self, contract_id: str, invoice_id: str, token: str) -> Record | None:
        return self.items.get(invoice_pk(contract_id, invoice_id), f"ATTEMPT#{token}")

    def by_token(self, token: str) -> Record | None:
        ref = self.items.get(f"TOKEN#{token}", "#REF")
        return self.get(ref["contractId"], ref["invoiceId"], token) if ref else None

    def create(self, attempt: Record, minutes: int) -> Record:
        """Record a pending attempt (and its token's pointer) before the gateway is called."""
        now = time.time()
        item = {
            "pk": invoice_pk(attempt["contractId"], attempt["invoiceId"]),
            "sk": f"ATTEMPT#{attempt['paymentToken']}",
            **attempt,
            "status": "pending",
            "createdAt": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds"),
            "expiresAt": int(now + minutes * 60),
            "purgeAt": int(now + KEEP_SECONDS),
            "version": 1,
        }
        pointer = {
            "pk": f"TOKEN#{attempt['paymentToken']}",
            "sk": "#REF",
            "contractId": attempt["contractId"],
            "invoiceId": attempt["invoiceId"],
            "purgeAt": item["purgeAt"],
        }
        self.items.write(Write.put(storable(item), absent=True), Write.put(pointer, absent=True))
        return storable(item)

    def started(self, attempt: Record, checkout_id: str, redirect_url: str) -> Record:
        return self._put(attempt, checkOutId=checkout_id, redirectUrl=redirect_url)

    def abandon(self, attempt: Record, reason: str) -> None:
        """The gateway never took it: nobody can pay it, so it ends expired."""
        with contextlib.suppress(ConditionFailed):
            self._put(attempt, status="expired", detail=reason, only_from=("pending",))

    def advance(self, attempt: Record, outcome: Outcome) -> Record | None:
        """pending -> the outcome's final status, once; None when it already moved on. An
        approval also ends a declined or expired attempt (a payer may retry on the gateway's
        page after a decline, and money taken is never lost); nothing ends an approval."""
        changes: dict[str, Any] = {"status": outcome.status, "decidedAt": _now()}
        for key, value in (
            ("transactionId", outcome.transaction_id),
            ("paymentMethod", outcome.payment_method),
            ("bankName", outcome.bank_name),
            ("cardBrand", outcome.card_brand),
        ):
            if value:
                changes[key] = value
        if outcome.status == "approved":
            changes["paymentDate"] = (outcome.at or datetime.now(UTC)).date().isoformat()
        movable = (
            ("pending", "declined", "expired") if outcome.status == "approved" else ("pending",)
        )
        try:
            return self._put(attempt, only_from=movable, **changes)
        except ConditionFailed:
            return None

    def recorded(self, attempt: Record) -> None:
        # someone else may have recorded it meanwhile: the billing side is idempotent
        with contextlib.suppress(ConditionFailed):
            self._put(attempt, paymentRecorded=True)

    def seen(self, gateway: str, notification_id: str) -> bool:
        return self.items.get(f"NOTIFICATION#{gateway}#{notification_id}", "#SEEN") is not None

    def mark_seen(self, gateway: str, notification_id: str) -> None:
        """Remember a notification once applied: later deliveries of it change nothing."""
        seen = {
            "pk": f"NOTIFICATION#{gateway}#{notification_id}",
            "sk": "#SEEN",
            "at": _now(),
            "purgeAt": int(time.time() + KEEP_SECONDS),
        }
        with contextlib.suppress(ConditionFailed):
            self.items.write(Write.put(seen, absent=True))

    def _put(self, attempt: Record, only_from: tuple[str, ...] = (), **changes: Any) -> Item:
        current = self.get(attempt["contractId"], attempt["invoiceId"], attempt["paymentToken"])
        if current is None or (only_from and current["status"] not in only_from):
            raise ConditionFailed(0)
        version = int(current.get("version", 0))
        item = storable({**current, **changes, "version": version + 1})
        self.items.write(Write.put(item, version=version))
        return item


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def status_of(attempt: Record, now: float | None = None) -> str:
    """Pending attempts past their expiry read as expired, for as long as they are kept."""
    status = str(attempt["status"])
    expires = attempt.get("expiresAt")
    now = time.time() if now is None else now
    if status == "pending" and expires is not None and float(expires) <= now:
        return "expired"
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
    info["paymentApproved"] = status == "approved"
    info["paymentStatus"] = STATUS_CODES[status]
    return {k: v for k, v in info.items() if v is not None}
