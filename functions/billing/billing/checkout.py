"""Paying an invoice: a hosted checkout whose attempt is recorded before any money moves,
whose outcome arrives signed (or is asked for), and whose approval is recorded once."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from selfcare.countries import Country
from selfcare.errors import Conflict, InvalidParameter, NotFound, ServiceError
from selfcare.payments import CheckoutStart, Outcome, PaymentGateway
from selfcare.ports import Backend, ContractRef, Record
from selfcare.stores.checkout import CheckoutStore, checkout_info, status_of


def check_url(name: str, url: str | None, allowed: tuple[str, ...]) -> None:
    """Payers are sent back only to the apps' own hosts (no open redirect)."""
    if not url:
        return
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    local = host in ("127.0.0.1", "localhost")
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not local):
        raise InvalidParameter(name, "must be an https URL")
    if host not in allowed:
        raise InvalidParameter(name, "must point to one of the apps' hosts")


def amount_to_pay(
    backend: Backend, contract: ContractRef, invoice: Record, amount: Decimal, country: Country
) -> Decimal:
    """The whole amount due, or (where the contract may finance) at least the minimum."""
    if invoice.get("hasPayment") or Decimal(invoice.get("dueAmount", 0)) <= 0:
        raise Conflict(f"Invoice {invoice['invoiceId']} is already paid")
    if amount <= 0:
        raise InvalidParameter("paymentAmount", "must be positive")
    if not country.has_valid_precision(amount):
        raise InvalidParameter(
            "paymentAmount",
            f"{country.currency} takes at most {country.currency_decimals} decimals",
        )
    due = Decimal(invoice["dueAmount"])
    if amount > due:
        raise InvalidParameter(
            "paymentAmount", f"exceeds what the invoice owes ({country.money(due)})"
        )
    if amount < due:
        financing = backend.financing(contract.contract_id) or {}
        minimum = Decimal(
            invoice.get("minPaymentAmount") or financing.get("minPaymentAmount") or due
        )
        if not financing.get("isAvailable") or amount < minimum:
            raise InvalidParameter("paymentAmount", "must be the whole amount due")
    return amount


def create(
    store: CheckoutStore,
    gateway: PaymentGateway,
    backend: Backend,
    contract: ContractRef,
    invoice: Record,
    request: Any,
    country: Country,
    urls: tuple[str, str],
    minutes: int,
    count: Callable[[str], None] | None = None,
) -> Record:
    """Record the attempt as pending, then ask the gateway to collect it (201)."""
    amount = amount_to_pay(backend, contract, invoice, Decimal(request.paymentAmount), country)
    latest = store.latest(contract.contract_id, invoice["invoiceId"])
    if latest is not None and status_of(latest) == "pending":
        raise Conflict(f"A payment of invoice {invoice['invoiceId']} is in process")
    token = secrets.token_urlsafe(24)
    customer = request.customerInfo.model_dump(mode="json", exclude_none=True)
    description = request.paymentDescription or f"Factura {invoice['invoiceId']}"
    attempt = store.create(
        {
            "paymentToken": token,
            "gateway": gateway.name,
            "contractId": contract.contract_id,
            "invoiceId": invoice["invoiceId"],
            "paymentAmount": amount,
            "currencyId": country.currency,
            "paymentDescription": description,
            "returnUrl": request.returnUrl,
            "cancelUrl": request.cancelUrl,
            "paymentMethods": request.paymentMethods or list(country.payment_methods),
            "customerInfo": customer,
        },
        minutes,
    )
    notify_url, pages_url = urls
    start = CheckoutStart(
        payment_token=token,
        contract_id=contract.contract_id,
        invoice_id=invoice["invoiceId"],
        amount=amount,
        tax=country.money(amount - amount / (1 + country.vat_rate)),
        currency=country.currency,
        description=description,
        notify_url=notify_url,
        pages_url=pages_url,
        return_url=request.returnUrl,
        cancel_url=request.cancelUrl,
        buyer_email=customer.get("email"),
        buyer_name=" ".join(p for p in (customer.get("name"), customer.get("lastName")) if p)
        or None,
    )
    try:
        session = gateway.start_checkout(start)
    except ServiceError:
        store.abandon(attempt, "the gateway did not take the attempt")
        _count(count, "CheckoutFailures")
        raise
    store.started(attempt, session.checkout_id, session.redirect_url)
    _count(count, "CheckoutsCreated")
    return {
        "paymentToken": token,
        "checkOutId": session.checkout_id,
        "redirectUrl": session.redirect_url,
    }


def settle(
    store: CheckoutStore,
    backend: Backend,
    attempt: Record,
    outcome: Outcome,
    log: Any = None,
    count: Callable[[str], None] | None = None,
) -> Record:
    """Apply a final outcome once (pending -> final) and record an approved payment once."""
    if outcome.status != "pending":
        if outcome.status == "approved" and (
            (
                outcome.amount is not None
                and Decimal(outcome.amount) != Decimal(attempt["paymentAmount"])
            )
            or (outcome.currency is not None and outcome.currency != attempt["currencyId"])
        ):
            raise Conflict("The gateway reports another amount than the attempt's")
        if store.advance(attempt, outcome) is not None:
            _count(
                count, "PaymentsApproved" if outcome.status == "approved" else "PaymentsDeclined"
            )
    current = (
        store.get(attempt["contractId"], attempt["invoiceId"], attempt["paymentToken"]) or attempt
    )
    if current["status"] == "approved" and not current.get("paymentRecorded"):
        try:
            backend.record_payment(
                current["contractId"], current["invoiceId"], payment_info(current)
            )
        except ServiceError:
            _count(count, "CheckoutFailures")  # approved, not yet recorded: retried next time
            raise
        store.recorded(current)
        if log is not None:
            log.info(
                "Payment recorded",
                extra={"invoiceId": current["invoiceId"], "gateway": current.get("gateway")},
            )
    return current


def start_of(attempt: Record, base: str, country: Country) -> CheckoutStart:
    """The attempt as the gateway was asked to collect it (to serve its page again)."""
    amount = Decimal(attempt["paymentAmount"])
    customer = attempt.get("customerInfo") or {}
    return CheckoutStart(
        payment_token=attempt["paymentToken"],
        contract_id=attempt["contractId"],
        invoice_id=attempt["invoiceId"],
        amount=amount,
        tax=country.money(amount - amount / (1 + country.vat_rate)),
        currency=attempt["currencyId"],
        description=attempt.get("paymentDescription") or f"Factura {attempt['invoiceId']}",
        notify_url=f"{base}/payments/notifications/{attempt.get('gateway', 'payu')}",
        pages_url=base,
        return_url=attempt.get("returnUrl"),
        cancel_url=attempt.get("cancelUrl"),
        buyer_email=customer.get("email"),
        buyer_name=" ".join(p for p in (customer.get("name"), customer.get("lastName")) if p)
        or None,
    )


def payment_info(attempt: Record) -> Record:
    info = {
        "paymentId": attempt.get("transactionId") or attempt["paymentToken"],
        "paymentDate": attempt.get("paymentDate"),
        "paymentAmount": attempt["paymentAmount"],
        "paymentMethod": attempt.get("paymentMethod"),
        "ExternalReference": attempt.get("transactionId") or attempt.get("checkOutId"),
        "bankName": attempt.get("bankName"),
        "cardBrand": attempt.get("cardBrand"),
    }
    return {k: v for k, v in info.items() if v is not None}


def answer(
    store: CheckoutStore,
    gateway: PaymentGateway | None,
    backend: Backend,
    attempt: Record | None,
    what: str,
    count: Callable[[str], None] | None = None,
) -> tuple[Any, int]:
    """GET checkOut: 200 CheckOutInfo once final, 202 errorBody while in process (asking
    the gateway when its notification is late), 404 when there is none."""
    if attempt is None:
        raise NotFound(what)
    status = status_of(attempt)
    if status == "pending" and gateway is not None and attempt.get("checkOutId"):
        outcome = gateway.query(attempt["paymentToken"], attempt["checkOutId"])
        if outcome is not None and outcome.status != "pending":
            attempt = settle(store, backend, attempt, outcome, count=count)
            status = status_of(attempt)
    elif status == "approved" and not attempt.get("paymentRecorded"):
        repair = Outcome(attempt["paymentToken"], "approved")
        attempt = settle(store, backend, attempt, repair, count=count)
    if status == "pending":
        return {"code": 202, "message": "The payment is in process; ask again shortly"}, 202
    return checkout_info(attempt, status), 200


def receive(
    store: CheckoutStore,
    gateway: PaymentGateway,
    backend: Backend,
    headers: dict[str, str],
    body: str,
    log: Any,
    count: Callable[[str], None] | None = None,
) -> Record:
    """A gateway's server-to-server notification: authentic (401 otherwise), about an
    attempt we know (404 otherwise), applied once (a repeat changes nothing)."""
    outcome = gateway.verify_notification(headers, body)
    attempt = store.by_token(outcome.payment_token)
    if attempt is None:
        raise NotFound("No payment attempt with that reference")
    if outcome.notification_id and store.seen(gateway.name, outcome.notification_id):
        return {"response": "OK", "message": "Notification already processed"}
    settle(store, backend, attempt, outcome, log, count)  # idempotent: racing duplicates too
    if outcome.notification_id:
        store.mark_seen(gateway.name, outcome.notification_id)
    return {"response": "OK", "message": f"Notification applied: {outcome.status}"}


def _count(count: Callable[[str], None] | None, metric: str) -> None:
    if count is not None:
        count(metric)
