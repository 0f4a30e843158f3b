"""Invoice documents ("spool"): billing dates, time-limited download links, PDFs.

A link is `<api>/billing/spool/documents/<token>`: the token names the contract and
invoice, carries its expiry and is signed with HMAC-SHA256 under the stack's spool secret,
so the link works without a bearer token until it expires, like a presigned URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import date

from selfcare.errors import Forbidden, InvalidParameter, NotFound
from selfcare.ports import BillingSystem, ContractRef, Record

DOCUMENTS = "/billing/spool/documents/"


def billing_dates(billing: BillingSystem, contract: ContractRef) -> list[str]:
    """Dates with a billed document, most recent first."""
    dates = {str(invoice["creationDate"]) for invoice in billing.invoices(contract.contract_id)}
    return sorted(dates, reverse=True)


def invoice_on(billing: BillingSystem, contract: ContractRef, billing_date: date) -> Record:
    for invoice in billing.invoices(contract.contract_id):
        if invoice["creationDate"] == billing_date.isoformat():
            return invoice
    raise NotFound(f"No invoice billed on {billing_date.isoformat()}")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, contract_id: str, invoice_id: str, ttl: int, now: float | None = None) -> str:
    expires = int((now if now is not None else time.time()) + ttl)
    payload = _b64(json.dumps({"c": contract_id, "i": invoice_id, "x": expires}).encode())
    signature = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def verify(key: bytes, token: str, now: float | None = None) -> tuple[str, str]:
    """(contractId, invoiceId) of a valid, unexpired token; 403 otherwise."""
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        raise Forbidden("This document link is not valid")
    try:
        claims = json.loads(_unb64(payload))
        contract_id, invoice_id, expires = str(claims["c"]), str(claims["i"]), int(claims["x"])
    except (ValueError, KeyError, TypeError):
        raise Forbidden("This document link is not valid") from None
    if expires < (now if now is not None else time.time()):
        raise Forbidden("This document link has expired; ask for a new one")
    return contract_id, invoice_id


def check_token_shape(token: str) -> None:
    if not 20 <= len(token) <= 512 or token.count(".") != 1:
        raise InvalidParameter("token", "not a document link token")


def link(base_url: str, key: bytes, contract: ContractRef, invoice_id: str, ttl: int) -> Record:
    return {"URL": base_url + DOCUMENTS + sign(key, contract.contract_id, invoice_id, ttl)}
