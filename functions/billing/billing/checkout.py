"""Paying an invoice: a hosted checkout whose attempt is recorded before any money moves,
whose outcome arrives signed (or is asked for), and whose approval is recorded once."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from billing.events import QUIET, Events
from selfcare.attempts import (
    checkout_info,
    decided_at,
    in_time_after_decline,
    never_started,
    status_of,
)
from selfcare.countries import Country
from selfcare.errors import Conflict, InvalidParameter, NotFound, ServiceError
from selfcare.payments import FINAL, CheckoutStart, Outcome, PaymentGateway
from selfcare.ports import Backend, ContractRef, PaymentAttempts, Record

# Gateways whose hosted page lets a payer whose card was declined try again in the same
# session, the retry's outcome reported for the same reference: PayU WebCheckout. (The
# sandbox gateway's page is over once declined: an approval after its decline is refunded.)
RETRY_AFTER_DECLINE = frozenset({"payu"})


@dataclass(frozen=True, slots=True)
class Checkout:
    """A POST checkOut as its route checked it: the invoice of which contract to pay, what
    the payer asked (CheckOutInfo), in which country, where the gateway's notification and
    pages go (its URL, the API's public base URL), and for how many minutes."""

    contract: ContractRef
    invoice: Record
    request: Any
    country: Country
    urls: tuple[str, str]
    minutes: int


def check_request(request: Any, invoice_id: str, allowed: tuple[str, ...]) -> None:
    """A CheckOutInfo pays the invoice of its path, and sends the payer back to the apps."""
    if request.invoiceId != invoice_id:
        raise InvalidParameter("invoiceId", "must be the invoice of the path")
    for name in ("returnUrl", "cancelUrl"):
        check_url(name, getattr(request, name), allowed)


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


def payment_methods(requested: list[str] | None, country: Country) -> list[str]:
    """The methods the payer may use, as the country's table spells them: all of them when
    none are asked for; 400 for one the country does not take."""
    if not requested:
        return list(country.payment_methods)
    known = {method.upper(): method for method in country.payment_methods}
    chosen: list[str] = []
    for method in requested:
        found = known.get(" ".join(str(method).split()).upper())
        if found is None:
            raise InvalidParameter(
                "paymentMethods", f"each must be one of {', '.join(country.payment_methods)}"
            )
        if found not in chosen:
            chosen.append(found)
    return chosen


def create(
    store: PaymentAttempts,
    gateway: PaymentGateway,
    backend: Backend,
    checkout: Checkout,
    events: Events = QUIET,
) -> Record:
    """Record the attempt as pending, then ask the gateway to collect it (201). One attempt
    is in process per invoice: a pending one past its expiry is closed first (the gateway
    asked once), so a payment it took in time is recorded and a later one never lands on
    two attempts; one no payer ever saw (never started in time) is closed and blocks
    nothing. A retry of this very request (same Idempotency-Key) whose answer was lost
    answers the same attempt, starting it where it had stopped."""
    answered = store.answered()
    if answered is not None:
        return answered
    contract, invoice, request, country = (
        checkout.contract,
        checkout.invoice,
        checkout.request,
        checkout.country,
    )
    methods = payment_methods(request.paymentMethods, country)
    amount = amount_to_pay(backend, contract, invoice, Decimal(request.paymentAmount), country)
    opened, latest = store.in_process(contract.contract_id, invoice["invoiceId"])
    if latest is not None and latest["status"] == "pending":
        if store.ours(latest) and not latest.get("checkOutId"):
            return _start(store, gateway, latest, start_of(latest, checkout.urls, country), events)
        if never_started(latest):
            store.abandon(latest, "never started at the gateway: no payer saw it")
        elif status_of(latest) == "pending":
            raise Conflict(f"A payment of invoice {invoice['invoiceId']} is in process")
        elif close_expired(store, gateway, backend, latest, events)["status"] == "approved":
            raise Conflict(f"Invoice {invoice['invoiceId']} is already paid")
    token = secrets.token_urlsafe(24)
    customer = request.customerInfo.model_dump(mode="json", exclude_none=True)
    attempt = store.create(
        {
            "paymentToken": token,
            "gateway": gateway.name,
            "contractId": contract.contract_id,
            "invoiceId": invoice["invoiceId"],
            "paymentAmount": amount,
            "currencyId": country.currency,
            "paymentDescription": request.paymentDescription or f"Factura {invoice['invoiceId']}",
            "returnUrl": request.returnUrl,
            "cancelUrl": request.cancelUrl,
            "paymentMethods": methods,
            "customerInfo": customer,
        },
        checkout.minutes,
        opened,  # 409 for all but one of attempts started at the same time
    )
    return _start(store, gateway, attempt, start_of(attempt, checkout.urls, country), events)


def _start(
    store: PaymentAttempts,
    gateway: PaymentGateway,
    attempt: Record,
    start: CheckoutStart,
    events: Events,
) -> Record:
    """Ask the gateway to collect the recorded attempt, then keep what it answered. An
    attempt the gateway refused, or whose start could not be kept, is closed (no payer
    will ever see it; if closing fails too, it closes itself at its `startBy`)."""
    try:
        session = gateway.start_checkout(start)
        answer = {
            "paymentToken": attempt["paymentToken"],
            "checkOutId": session.checkout_id,
            "redirectUrl": session.redirect_url,
        }
        store.started(attempt, session.checkout_id, session.redirect_url, answer)
    except ServiceError:
        with contextlib.suppress(ServiceError):
            store.abandon(attempt, "the gateway did not take the attempt")
        events.metric("CheckoutFailures")
        raise
    events.metric("CheckoutsCreated")
    return answer


def settle(
    store: PaymentAttempts,
    backend: Backend,
    attempt: Record,
    outcome: Outcome,
    events: Events = QUIET,
) -> Record:
    """Apply a final outcome once (pending -> final) and record an approved payment once.
    A declined attempt takes an approval its payer won on a retry at the gateway's page
    (declined -> approved, once) when the gateway decided it before the attempt's expiry
    and the invoice can still take it. Any other approval the attempt cannot take (it had
    expired, or was declined and the retry came too late or finds the invoice paid, or it
    took another payment; or the invoice has nothing left to pay) is never applied and
    never lost: it is kept on the attempt for a refund and logged. Answers the attempt as
    it now stands.

    The attempt is read once, by the first step; each step after answers it as it leaves
    it: pending -> final (advance), declined -> approved (approve_after_decline), an
    approval kept for refund (keep_for_refund), its payment recorded (recorded)."""
    if outcome.status == "pending":
        current = store.current(attempt) or attempt
    else:
        if outcome.status == "approved" and (
            (
                outcome.amount is not None
                and Decimal(outcome.amount) != Decimal(attempt["paymentAmount"])
            )
            or (outcome.currency is not None and outcome.currency != attempt["currencyId"])
        ):
            raise Conflict("The gateway reports another amount than the attempt's")
        step = store.advance(attempt, outcome)
        if step.moved:
            approved = step.attempt["status"] == "approved"
            events.metric("PaymentsApproved" if approved else "PaymentsDeclined")
        current = step.attempt
    if outcome.status == "approved" and not _its_own(current, outcome):
        reason = _not_a_retry(backend, current, outcome)
        if reason is None:  # the payer retried after the decline: the retry pays
            step = store.approve_after_decline(current, outcome)
            if step.moved:
                events.metric("PaymentsApproved")
                events.log.info(
                    "Payment approved after a decline (retried at the gateway)",
                    extra={"invoiceId": current["invoiceId"], "gateway": current.get("gateway")},
                )
            current = step.attempt  # or another writer's outcome
        if not _its_own(current, outcome):
            reason = reason or f"approved after the attempt was {current['status']}"
            return _keep_for_refund(store, current, _approval(outcome, reason), events)
    if (
        current["status"] == "approved"
        and not current.get("paymentRecorded")
        and not current.get("paymentRefused")
    ):
        return _record(store, backend, current, events)
    return current


def _not_a_retry(backend: Backend, attempt: Record, outcome: Outcome) -> str | None:
    """None when this approval is a declined attempt's retry that still pays the invoice
    (the billing system decides for good when it is recorded: a payment that lands after
    another attempt paid the invoice is refused, and refunded); else why it is refunded."""
    status = attempt["status"]
    if status != "declined" or attempt.get("gateway") not in RETRY_AFTER_DECLINE:
        return f"approved after the attempt was {status}"
    if not in_time_after_decline(attempt, decided_at(outcome)):
        return "approved after the attempt was declined, after its expiry"
    invoice = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    if invoice is None or cannot_take(invoice, attempt):
        return (
            "approved after the attempt was declined, when the invoice had less left to pay "
            "than this payment"
        )
    return None


def _its_own(attempt: Record, outcome: Outcome) -> bool:
    """Is this approval the one the attempt took (not a second payment)?"""
    if attempt["status"] != "approved":
        return False
    ours = attempt.get("transactionId")
    return not outcome.transaction_id or not ours or outcome.transaction_id == ours


def _record(store: PaymentAttempts, backend: Backend, attempt: Record, events: Events) -> Record:
    """The approved attempt's payment on its invoice, once."""
    payment = payment_info(attempt)
    try:
        backend.record_payment(attempt["contractId"], attempt["invoiceId"], payment)
    except Conflict:  # refused, or the invoice kept changing: which one?
        found = backend.invoice_with_payment(attempt["contractId"], attempt["invoiceId"])
        if found is not None and (found[1] or {}).get("paymentId") == payment["paymentId"]:
            return store.recorded(attempt)  # a racing delivery recorded it meanwhile
        if found is None or not cannot_take(found[0], attempt):
            events.metric("CheckoutFailures")  # it moved meanwhile: retried next time
            raise
        own = {
            "reference": attempt.get("transactionId") or "approved-payment",
            "transactionId": attempt.get("transactionId"),
            "amount": attempt["paymentAmount"],
            "currency": attempt.get("currencyId"),
            "approvedAt": attempt.get("decidedAt"),
            "reason": "the invoice had less left to pay than this payment",
        }
        return _keep_for_refund(store, attempt, own, events, paymentRefused=True)
    except ServiceError:
        events.metric("CheckoutFailures")  # approved, not yet recorded: retried next time
        raise
    recorded = store.recorded(attempt)
    events.log.info(
        "Payment recorded",
        extra={"invoiceId": attempt["invoiceId"], "gateway": attempt.get("gateway")},
    )
    return recorded


def cannot_take(invoice: Record, attempt: Record) -> bool:
    due = Decimal(invoice.get("dueAmount") or 0)
    return bool(invoice.get("hasPayment")) or due < Decimal(attempt["paymentAmount"])


def _approval(outcome: Outcome, reason: str) -> Record:
    return {
        "reference": outcome.transaction_id or outcome.notification_id or "unidentified",
        "transactionId": outcome.transaction_id,
        "amount": outcome.amount,
        "currency": outcome.currency,
        "approvedAt": outcome.at.isoformat() if outcome.at is not None else None,
        "paymentMethod": outcome.payment_method,
        "reason": reason,
    }


def _keep_for_refund(
    store: PaymentAttempts, attempt: Record, approval: Record, events: Events, **changes: Any
) -> Record:
    """Money the gateway took that no invoice gets: kept on the attempt, then a WARNING for
    operations to refund it (naming the attempt; never a card, a token or the payer).
    Answers the attempt as it now stands."""
    step = store.keep_for_refund(attempt, approval, **changes)
    if not step.moved:
        return step.attempt  # kept before (a repeated notification): logged then
    events.metric("PaymentsToRefund")
    extra = {
        "contractId": attempt["contractId"],
        "invoiceId": attempt["invoiceId"],
        "gateway": attempt.get("gateway"),
        "attemptCreatedAt": attempt.get("createdAt"),
        "attemptStatus": attempt["status"],
        "gatewayReference": approval.get("transactionId"),
        "amount": None if approval.get("amount") is None else str(approval["amount"]),
        "currency": approval.get("currency"),
        "reason": approval["reason"],
    }
    if attempt.get("checkOutId") and attempt["checkOutId"] != attempt["paymentToken"]:
        extra["checkOutId"] = attempt["checkOutId"]  # (PayU's is our token: never logged)
    events.log.warning(
        "Payment approved but not applied to the invoice: refund due",
        extra={k: v for k, v in extra.items() if v is not None},
    )
    return step.attempt


def close_expired(
    store: PaymentAttempts,
    gateway: PaymentGateway | None,
    backend: Backend,
    attempt: Record,
    events: Events = QUIET,
) -> Record:
    """A pending attempt past its expiry: the gateway is asked once how it stands (a payment
    it approved in time is recorded), then the attempt ends expired. Conditional writes
    decide against outcomes arriving meanwhile. Answers the attempt as it now stands."""
    if (
        gateway is not None
        and attempt.get("checkOutId")
        and attempt.get("gateway", gateway.name) == gateway.name
    ):
        outcome = gateway.query(attempt["paymentToken"], attempt["checkOutId"])
        if outcome is not None and outcome.status != "pending":
            attempt = settle(store, backend, attempt, outcome, events)
    if attempt["status"] == "pending":
        attempt = store.expire(attempt, "not paid before its expiry")
    return attempt


def start_of(attempt: Record, urls: tuple[str, str], country: Country) -> CheckoutStart:
    """The attempt as the gateway is asked to collect it; `urls`: where its notification
    goes and the API's public base URL (for the pages the gateway adapter serves)."""
    amount = Decimal(attempt["paymentAmount"])
    customer = attempt.get("customerInfo") or {}
    notify_url, pages_url = urls
    return CheckoutStart(
        payment_token=attempt["paymentToken"],
        contract_id=attempt["contractId"],
        invoice_id=attempt["invoiceId"],
        amount=amount,
        tax=country.vat_included(amount),
        currency=attempt["currencyId"],
        description=attempt.get("paymentDescription") or f"Factura {attempt['invoiceId']}",
        notify_url=notify_url,
        pages_url=pages_url,
        return_url=attempt.get("returnUrl"),
        cancel_url=attempt.get("cancelUrl"),
        buyer_email=customer.get("email"),
        buyer_name=" ".join(p for p in (customer.get("name"), customer.get("lastName")) if p)
        or None,
    )


def resume(
    store: PaymentAttempts, backend: Backend, token: str, base: str, country: Country
) -> CheckoutStart:
    """The attempt in process under `token`, as the gateway's own page starts it again (the
    page handing the signed form to PayU); 404 when none is, 409 when its invoice was paid
    meanwhile (a PayU retry)."""
    attempt = store.by_token(token)
    if attempt is None or status_of(attempt) != "pending":
        raise NotFound("No payment in process with that token")
    invoice = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    if invoice is None or cannot_take(invoice, attempt):  # paid meanwhile (a PayU retry)
        raise Conflict("This invoice was paid meanwhile: there is nothing left to pay")
    urls = (f"{base}/payments/notifications/{attempt.get('gateway', 'payu')}", base)
    return start_of(attempt, urls, country)


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
    store: PaymentAttempts,
    gateway: PaymentGateway | None,
    backend: Backend,
    attempt: Record | None,
    what: str,
    events: Events = QUIET,
) -> tuple[Any, int]:
    """GET checkOut: 200 CheckOutInfo once final, 202 errorBody while in process (asking
    the gateway when its notification is late), 404 when there is none."""
    if attempt is None:
        raise NotFound(what)
    if attempt["status"] == "pending":
        if status_of(attempt) == "expired":  # reported expired only once the gateway is asked
            attempt = close_expired(store, gateway, backend, attempt, events)
        elif gateway is not None and attempt.get("checkOutId"):
            outcome = gateway.query(attempt["paymentToken"], attempt["checkOutId"])
            if outcome is not None and outcome.status != "pending":
                attempt = settle(store, backend, attempt, outcome, events)
    elif (
        attempt["status"] == "approved"
        and not attempt.get("paymentRecorded")
        and not attempt.get("paymentRefused")
    ):
        repair = Outcome(attempt["paymentToken"], "approved")
        attempt = settle(store, backend, attempt, repair, events)
    status = status_of(attempt)
    if status == "pending":
        return {"code": 202, "message": "The payment is in process; ask again shortly"}, 202
    return checkout_info(attempt, status), 200


def receive(
    store: PaymentAttempts,
    gateway: PaymentGateway,
    backend: Backend,
    headers: dict[str, str],
    body: str,
    events: Events = QUIET,
) -> Record:
    """A gateway's server-to-server notification: authentic (401 otherwise), about an
    attempt we know (404 otherwise). An outcome that would move the attempt, or be kept for
    a refund, counts only as the gateway's own records confirm it (`gateway.confirm`: PayU's
    Queries API); when they cannot be asked, 502/503/504 and nothing recorded, so that the
    gateway retries. The answer says what happened: applied, already known, ignored (the
    gateway does not confirm it) or kept for refund, each a 200 that ends the gateway's
    retries. PayU confirms only final transactions, which its Queries API already holds: one
    it does not confirm is not PayU's (a payer can sign one: `sign` leaves the transaction's
    id and date out, and equals the response page's signature), and retrying it would change
    nothing. An attempt's true outcome still arrives: GET checkOut and its expiry ask PayU."""
    outcome = gateway.verify_notification(headers, body)
    attempt = store.by_token(outcome.payment_token)
    if attempt is None:
        raise NotFound("No payment attempt with that reference")
    if outcome.notification_id and store.seen(gateway.name, outcome.notification_id):
        return _heard("Notification already known: nothing changed")
    if _moves(attempt, outcome):
        confirmed = gateway.confirm(outcome)
        if confirmed is None:
            _unconfirmed(attempt, outcome, gateway.name, events)
            name = GATEWAY_NAMES.get(gateway.name, gateway.name)
            return _heard(f"Notification ignored: {name} does not confirm it")
        outcome = confirmed
    # idempotent, racing duplicates too; an approval the attempt cannot take is kept for a
    # refund, and the gateway still hears 200 (else it would retry it forever)
    current = settle(store, backend, attempt, outcome, events)
    if outcome.notification_id:
        store.mark_seen(gateway.name, outcome.notification_id)
    if _kept(current, outcome):
        return _heard("Notification received: approval kept for refund")
    if current.get("version") == attempt.get("version"):
        return _heard("Notification already known: nothing changed")
    return _heard(f"Notification applied: the payment is {status_of(current)}")


GATEWAY_NAMES = {"payu": "PayU", "sandbox": "the sandbox gateway"}


def _heard(message: str) -> Record:
    return {"response": "OK", "message": message}


def _moves(attempt: Record, outcome: Outcome) -> bool:
    """Would this outcome move the attempt, or be kept for a refund (need confirming)?"""
    if outcome.status not in FINAL:
        return False
    return attempt["status"] == "pending" or (
        outcome.status == "approved" and not _its_own(attempt, outcome)
    )


def _kept(attempt: Record, outcome: Outcome) -> bool:
    """Is this approval kept on the attempt for a refund (not the invoice's payment)?"""
    if outcome.status != "approved":
        return False
    if _its_own(attempt, outcome):
        return bool(attempt.get("paymentRefused"))
    reference = _approval(outcome, "")["reference"]
    return any(k.get("reference") == reference for k in attempt.get("lateApprovals") or [])


def _unconfirmed(attempt: Record, outcome: Outcome, gateway: str, events: Events) -> None:
    """A notification that verifies but that the gateway does not confirm: recorded nowhere,
    logged for operations (naming the attempt; never the token or what the caller sent)."""
    events.metric("NotificationsUnconfirmed")
    events.log.warning(
        "Payment notification not confirmed by the gateway: ignored",
        extra={
            "contractId": attempt["contractId"],
            "invoiceId": attempt["invoiceId"],
            "gateway": gateway,
            "attemptStatus": attempt["status"],
            "notifiedStatus": outcome.status,
        },
    )
