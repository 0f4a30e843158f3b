"""Payment attempts (checkouts) of an invoice.

  pk INVOICE#<contractId>#<invoiceId>   sk ATTEMPT#<paymentToken>   attempt attributes below

An attempt: paymentToken, checkOutId, contractId, invoiceId, paymentAmount, currencyId,
status (pending | approved | declined | expired), createdAt (ISO), expiresAt (epoch s,
the table's TTL), paymentDate, paymentDescription, returnUrl, cancelUrl, paymentMethods,
customerInfo.
"""

from __future__ import annotations

import time
from typing import Any

from selfcare.adapters.items import Items
from selfcare.ports import Record

# paymentStatus codes (PayU's state_pol values, which Colombia's gateway already speaks)
STATUS_CODES = {"pending": 7, "approved": 4, "declined": 6, "expired": 5}


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


def status_of(attempt: Record, now: float | None = None) -> str:
    """Pending attempts past their expiry read as expired, even before TTL deletes them."""
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
