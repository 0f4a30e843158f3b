"""Payment attempts (checkouts), kept before any money moves.

  pk INVOICE#<contractId>#<invoiceId>   sk ATTEMPT#<paymentToken>   the attempt
  pk INVOICE#<contractId>#<invoiceId>   sk #OPEN                    the latest attempt's token
  pk TOKEN#<paymentToken>               sk #REF                     contractId, invoiceId
  pk NOTIFICATION#<gateway>#<id>        sk #SEEN                    a notification applied

An attempt: paymentToken, checkOutId, redirectUrl, gateway, contractId, invoiceId,
paymentAmount, currencyId, status (pending | approved | declined | expired), createdAt,
expiresAt (epoch s: a pending attempt reads as expired after it), purgeAt (the table's
TTL, long after), paymentDate, paymentDescription, returnUrl, cancelUrl, paymentMethods,
customerInfo, and once final the gateway's transactionId, paymentMethod, bankName,
cardBrand, and paymentRecorded (the billing system has it). Status only moves forward,
from pending, with conditional writes; a pending attempt past its expiry is expired.
One step more: declined -> approved, when the payer retried on the gateway's own page
(PayU WebCheckout allows it within its session) and the retry was approved before the
attempt's expiry; the attempt then says approvedAfterDecline and keeps the decline's
declinedTransactionId and declinedAt. Nothing moves an expired or an approved attempt.
An approval that came too late (or that the invoice could not take) is never applied: it
is kept in lateApprovals (the gateway's reference, amount, when, why) with refundDue, and
paymentRefused marks an attempt whose own approval the billing system refused (it reads as
declined: its payment is refunded, the invoice did not get it).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from selfcare import budget, change
from selfcare.adapters import receipts
from selfcare.adapters.items import ConditionFailed, Item, Items, Write
from selfcare.attempts import (  # the attempt's rules, shared with the checkout logic
    STATUS_CODES,
    checkout_info,
    decided_at,
    in_time_after_decline,
    never_started,
    status_of,
)
from selfcare.errors import Conflict
from selfcare.payments import FINAL, Outcome
from selfcare.ports import Record, Step
from selfcare.storable import storable

KEEP_SECONDS = 400 * 24 * 3600
TRIES = 5  # conditional writes lost to other writers before giving up (409: retry)
OPEN = "#OPEN"  # one attempt starts at a time: each start moves this marker on, conditionally
# An attempt is started at the gateway by the request that recorded it, before that request
# ends (Lambda stops it at its timeout): one still without a checkOutId after `startBy` was
# never shown to a payer, and blocks nothing. Slack for the clocks of two containers.
START_SLACK_SECONDS = 5
START_SECONDS = 60  # outside an invocation (no deadline known)


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

    def in_process(self, contract_id: str, invoice_id: str) -> tuple[int, Record | None]:
        """(the version of the invoice's #OPEN marker, 0 when none; its latest attempt), read
        in that order: a `create` writing the marker on that version knows that no attempt
        started since the latest was read."""
        marker = self.items.get(invoice_pk(contract_id, invoice_id), OPEN)
        opened = int(marker.get("version", 0)) if marker is not None else 0
        return opened, self.latest(contract_id, invoice_id)

    def create(self, attempt: Record, minutes: int, opened: int | None = None) -> Record:
        """Record a pending attempt (and its token's pointer) before the gateway is called.
        With `opened` (from `in_process`), the #OPEN marker moves on in the same transaction,
        so of attempts started at the same time for one invoice one is recorded and the
        others are refused (409)."""
        now = time.time()
        left = budget.remaining() + budget.MARGIN
        item = {
            "pk": invoice_pk(attempt["contractId"], attempt["invoiceId"]),
            "sk": f"ATTEMPT#{attempt['paymentToken']}",
            **attempt,
            "status": "pending",
            "createdAt": datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds"),
            "expiresAt": int(now + minutes * 60),
            "startBy": math.ceil(
                now + (left if math.isfinite(left) else START_SECONDS) + START_SLACK_SECONDS
            ),
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
        writes = [Write.put(storable(item), absent=True), Write.put(pointer, absent=True)]
        if opened is not None:
            marker = {
                "pk": item["pk"],
                "sk": OPEN,
                "paymentToken": attempt["paymentToken"],
                "purgeAt": item["purgeAt"],
                "version": opened + 1,
            }
            writes.append(
                Write.put(marker, version=opened) if opened else Write.put(marker, absent=True)
            )
        try:
            self.items.write(*writes)
        except ConditionFailed as failed:
            if failed.index == 2:
                raise Conflict(
                    f"A payment of invoice {attempt['invoiceId']} is in process"
                ) from None
            raise
        return storable(item)

    def started(self, attempt: Record, checkout_id: str, redirect_url: str, answer: Record) -> None:
        """The gateway took the pending attempt: its checkOutId and redirectUrl are kept, with
        the change's receipt (`answer`). 409 when it is no longer pending or its time to
        start has passed (it was closed as never started)."""
        current = self.current(attempt)
        if current is None or current["status"] != "pending" or never_started(current):
            raise Conflict("The payment attempt was closed before it started; retry")
        version = int(current.get("version", 0))
        item = {**current, "checkOutId": checkout_id, "redirectUrl": redirect_url}
        write = Write.put(storable({**item, "version": version + 1}), version=version)
        try:
            receipts.write(self.items, write, answer=answer)
        except ConditionFailed:
            raise Conflict("The payment attempt changed before it started; retry") from None

    def answered(self) -> Record | None:
        """The answer this very change gave, when it created an attempt already (the client
        retries with the same Idempotency-Key after losing it)."""
        made = receipts.find(self.items)
        return dict(made.answer) if made is not None else None

    @staticmethod
    def ours(attempt: Record) -> bool:
        """Did this very change record `attempt` (a retry finding its own attempt)?"""
        return change.made(attempt)

    def abandon(self, attempt: Record, reason: str) -> None:
        """The gateway never took it (or no payer ever saw it): nobody can pay it, so it ends
        expired."""
        with contextlib.suppress(ConditionFailed):
            self._put(attempt, status="expired", detail=reason, only_from=("pending",))

    def advance(self, attempt: Record, outcome: Outcome) -> Step:
        """pending -> the outcome's final status, once (not moved when the attempt had already
        moved on; the attempt as it now stands either way). The write is conditional on the
        version read, so of outcomes arriving at the same time one wins and the others find
        the attempt final. A decision the gateway made at or after the attempt's expiry does
        not count: a pending attempt past its expiry is expired, and it ends so (an approval
        then is for `keep_for_refund`, never the invoice's). Nothing else moves a final
        attempt (but `approve_after_decline`, for a declined one)."""
        decided = decided_at(outcome)

        def change(current: Item) -> dict[str, Any] | None:
            if outcome.status not in FINAL or current["status"] != "pending":
                return None
            expires = current.get("expiresAt")
            if expires is not None and decided >= float(expires):
                return {
                    "status": "expired",
                    "decidedAt": _now(),
                    "detail": f"the gateway decided ({outcome.status}) after the expiry",
                }
            changes: dict[str, Any] = {"status": outcome.status, "decidedAt": _now()}
            changes.update({k: v for k, v in _payment(outcome).items() if v})
            if outcome.status == "approved":
                changes["paymentDate"] = (outcome.at or datetime.now(UTC)).date().isoformat()
            return changes

        return self._update(attempt, change)

    def approve_after_decline(self, attempt: Record, outcome: Outcome) -> Step:
        """declined -> approved, once: the payer retried on the gateway's page after the
        decline and this approval is the retry's. Only from declined (never from expired),
        and only for an approval the gateway decided before the attempt's expiry; the write
        is conditional on the version read, so of approvals arriving at the same time one
        wins. The approval's transaction replaces the decline's (kept as
        declinedTransactionId, with declinedAt); approvedAfterDecline says so. Whether the
        invoice can still take the payment is the caller's to ask first (and the billing
        system's to decide when it is recorded)."""
        decided = decided_at(outcome)

        def change(current: Item) -> dict[str, Any] | None:
            if outcome.status != "approved" or not in_time_after_decline(current, decided):
                return None
            return {
                "status": "approved",
                "decidedAt": _now(),
                "approvedAfterDecline": True,
                "declinedTransactionId": current.get("transactionId"),
                "declinedAt": current.get("decidedAt"),
                # the retry's payment, not the decline's (None: not kept)
                **{k: v or None for k, v in _payment(outcome).items()},
                "paymentDate": (outcome.at or datetime.now(UTC)).date().isoformat(),
            }

        return self._update(attempt, change)

    def expire(self, attempt: Record, reason: str) -> Record:
        """Close a pending attempt past its expiry as expired (a conditional write: an
        outcome applied meanwhile wins); the attempt as it now stands."""

        def change(current: Item) -> dict[str, Any] | None:
            if current["status"] != "pending" or status_of(current) != "expired":
                return None
            return {"status": "expired", "decidedAt": _now(), "detail": reason}

        return self._update(attempt, change).attempt

    def keep_for_refund(self, attempt: Record, approval: Record, **changes: Any) -> Step:
        """Keep on the attempt an approval that was not applied to the invoice (it came after
        the attempt had ended, or the invoice had nothing left to pay), so that it is
        refunded: `lateApprovals` gains it (once per `reference`, the gateway's id of the
        payment), `refundDue` is set, and so are `changes`. Moved when it was not kept
        before."""
        reference = approval["reference"]
        added = False

        def change(current: Item) -> dict[str, Any] | None:
            nonlocal added
            kept = list(current.get("lateApprovals") or [])
            added = not any(k.get("reference") == reference for k in kept)
            if not added:
                moved = {k: v for k, v in changes.items() if current.get(k) != v}
                return moved or None
            late = {**approval, "receivedAt": _now()}
            return {
                "lateApprovals": [*kept, {k: v for k, v in late.items() if v is not None}],
                "refundDue": True,
                **changes,
            }

        return Step(self._update(attempt, change).attempt, added)

    def recorded(self, attempt: Record) -> Record:
        # someone else may have recorded it meanwhile: the billing side is idempotent
        def change(current: Item) -> dict[str, Any] | None:
            return None if current.get("paymentRecorded") else _RECORDED

        return self._update(attempt, change).attempt

    def current(self, attempt: Record) -> Record | None:
        return self.get(attempt["contractId"], attempt["invoiceId"], attempt["paymentToken"])

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
        current = self.current(attempt)
        if current is None or (only_from and current["status"] not in only_from):
            raise ConditionFailed(0)
        return self._write(current, changes)

    def _update(self, attempt: Record, change: Callable[[Item], dict[str, Any] | None]) -> Step:
        """Read, decide (`change` answers the changes, or None for none), write on the version
        read; read and decide again when another writer won. The attempt as written, or as
        read when nothing changed (`attempt` itself when it is gone)."""
        for _ in range(TRIES):
            current = self.current(attempt)
            if current is None:
                return Step(attempt, False)
            changes = change(current)
            if changes is None:
                return Step(current, False)
            try:
                return Step(self._write(current, changes), True)
            except ConditionFailed:
                continue  # another writer moved it meanwhile
        raise Conflict("The payment attempt kept changing; retry")

    def _write(self, current: Item, changes: dict[str, Any]) -> Item:
        version = int(current.get("version", 0))
        item = storable({**current, **changes, "version": version + 1})
        self.items.write(Write.put(item, version=version))
        return item


_RECORDED = {"paymentRecorded": True}


def _payment(outcome: Outcome) -> dict[str, Any]:
    return {
        "transactionId": outcome.transaction_id,
        "paymentMethod": outcome.payment_method,
        "bankName": outcome.bank_name,
        "cardBrand": outcome.card_brand,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


__all__ = [
    "OPEN",
    "STATUS_CODES",
    "CheckoutStore",
    "checkout_info",
    "decided_at",
    "in_time_after_decline",
    "invoice_pk",
    "never_started",
    "status_of",
]
