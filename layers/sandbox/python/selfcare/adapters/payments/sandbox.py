"""The sandbox payment gateway: a test-mode gateway kept in the sandbox table. It serves
its own hosted payment page, decides by test card numbers, signs its notifications
(HMAC-SHA256 with the secret's notificationSecret) and answers status queries.

  GATEWAY#<checkOutId>   #SESSION   the attempt as the gateway sees it

A session expires (`expiresAt`, epoch s) a little before the attempt it collects: its page
then takes no payment, and it reads (and is queried) as expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from selfcare.adapters.items import ConditionFailed, Items, Write
from selfcare.adapters.payments import notified_amount
from selfcare.errors import InvalidParameter, NotFound, Unauthorized
from selfcare.payments import Card, CardToken, CheckoutSession, CheckoutStart, Credentials, Outcome
from selfcare.redaction import luhn_valid
from selfcare.storable import storable

SIGNATURE = "X-Sandbox-Signature"
FRESH = timedelta(minutes=5)  # a notification older than this is a replay
# The attempt is recorded (its expiry set) just before its session starts, within one
# request (a function's timeout is 10 s): a session closing this much earlier never takes a
# payment after its attempt expired.
EARLIER_SECONDS = 15

# Test cards: the number decides what the "bank" answers.
DECLINED, NO_FUNDS, PENDING = "4000000000000002", "4000000000009995", "4000000000000259"
OUTCOMES = {
    DECLINED: ("declined", "Tarjeta rechazada"),
    NO_FUNDS: ("declined", "Fondos insuficientes"),
    PENDING: ("pending", "Pago en validación"),
}


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    headers: dict[str, str]  # the signed notification the gateway sends
    body: str
    redirect: str | None


class SandboxGateway:
    name = "sandbox"

    def __init__(self, credentials: Credentials, items: Items, minutes: int | None = None) -> None:
        """`minutes`: how long an attempt may be paid (the stack's CHECKOUT_MINUTES)."""
        self.credentials = credentials
        self.items = items
        self.minutes = minutes if minutes is not None else _checkout_minutes()

    # Checkout -------------------------------------------------------------------------------
    def start_checkout(self, start: CheckoutStart) -> CheckoutSession:
        """One session per attempt: asked again for the same payment token (a start whose
        answer was lost, resumed), it answers the session it made."""
        checkout_id = self._checkout_id(start.payment_token)
        url = f"{start.pages_url}/payments/sandbox/checkout/{checkout_id}"
        session = {
            "pk": f"GATEWAY#{checkout_id}",
            "sk": "#SESSION",
            "checkOutId": checkout_id,
            "paymentToken": start.payment_token,
            "amount": start.amount,
            "currency": start.currency,
            "description": start.description,
            "returnUrl": start.return_url,
            "cancelUrl": start.cancel_url,
            "status": "pending",
            "createdAt": _now().isoformat(),
            "expiresAt": int(time.time()) + self.minutes * 60 - EARLIER_SECONDS,
        }
        try:
            self.items.write(Write.put(storable(session), absent=True))
        except ConditionFailed:
            if self._session(checkout_id).get("paymentToken") != start.payment_token:
                raise
        return CheckoutSession(checkout_id, url)

    def _checkout_id(self, payment_token: str) -> str:
        """The session's id: unguessable without the secret, the same for the same attempt."""
        key = self.credentials.notification_secret.encode()
        digest = hmac.new(key, f"checkout:{payment_token}".encode(), hashlib.sha256).digest()
        return f"SBX-{base64.urlsafe_b64encode(digest[:16]).decode().rstrip('=')}"

    def session(self, checkout_id: str) -> dict[str, Any]:
        """The session as its page shows it: a pending one past its expiry reads expired."""
        found = self._session(checkout_id)
        return {**found, "status": "expired"} if _expired(found) else found

    def _session(self, checkout_id: str) -> dict[str, Any]:
        found = self.items.get(f"GATEWAY#{checkout_id}", "#SESSION")
        if found is None:
            raise NotFound("No such payment session")
        return found

    def decide(self, checkout_id: str, action: str, card_number: str = "") -> Decision:
        """The payer's choice on the hosted page: pay with a (test) card, or cancel. Past its
        expiry the page takes neither: the session ends expired, no money moves, and the
        decision says so (no redirect: the page itself tells the payer)."""
        session = self._session(checkout_id)
        if session["status"] == "expired" or _expired(session):
            return self._expired(session)
        if session["status"] != "pending":
            raise InvalidParameter("checkOutId", "this payment was already decided")
        if action == "cancel":
            status, brand, detail = "declined", None, "Pago cancelado por el usuario"
        elif action == "pay":
            number = "".join(ch for ch in card_number if ch in "0123456789")
            if not luhn_valid(number) or not 13 <= len(number) <= 19:
                raise InvalidParameter("cardNumber", "not a valid card number")
            status, detail = OUTCOMES.get(number, ("approved", "Pago aprobado"))
            brand = _brand(number)
        else:
            raise InvalidParameter("action", "expected pay or cancel")
        at = _now()
        transaction_id = f"SBXTX-{uuid.uuid4().hex[:16].upper()}" if status == "approved" else None
        decided = {**session, "status": status, "detail": detail, "cardBrand": brand}
        decided["decidedAt"] = at.isoformat()
        if transaction_id:
            decided["transactionId"] = transaction_id
        decided["version"] = int(session.get("version", 0)) + 1
        try:
            self.items.write(Write.put(storable(decided), version=int(session.get("version", 0))))
        except ConditionFailed:
            raise InvalidParameter("checkOutId", "this payment was already decided") from None
        outcome = Outcome(
            payment_token=session["paymentToken"],
            status=status,  # type: ignore[arg-type]
            amount=Decimal(session["amount"]),
            currency=session["currency"],
            transaction_id=transaction_id,
            payment_method=brand or "SANDBOX",
            card_brand=brand,
            notification_id=uuid.uuid4().hex,
            at=at,
        )
        headers, body = self.sign(outcome, checkout_id)
        redirect = session.get("returnUrl") if status != "declined" else session.get("cancelUrl")
        return Decision(outcome, headers, body, redirect or session.get("returnUrl"))

    def _expired(self, session: dict[str, Any]) -> Decision:
        """The session ends expired (once: a conditional write), and its notification says so
        (one id for it, however often the payer tries)."""
        if session["status"] == "pending":
            version = int(session.get("version", 0))
            ended = {**session, "status": "expired", "detail": "Pago vencido"}
            ended["decidedAt"], ended["version"] = _now().isoformat(), version + 1
            try:
                self.items.write(Write.put(storable(ended), version=version))
            except ConditionFailed:  # decided meanwhile: that decision stands
                raise InvalidParameter("checkOutId", "this payment was already decided") from None
        outcome = Outcome(
            payment_token=session["paymentToken"],
            status="expired",
            amount=Decimal(session["amount"]),
            currency=session["currency"],
            notification_id=f"{session['checkOutId']}:expired",
            at=_now(),
        )
        headers, body = self.sign(outcome, session["checkOutId"])
        return Decision(outcome, headers, body, None)

    # Notifications --------------------------------------------------------------------------
    def sign(self, outcome: Outcome, checkout_id: str) -> tuple[dict[str, str], str]:
        body = json.dumps(
            {
                "notificationId": outcome.notification_id,
                "checkOutId": checkout_id,
                "reference": outcome.payment_token,
                "state": outcome.status,
                "amount": None if outcome.amount is None else f"{outcome.amount:f}",
                "currency": outcome.currency,
                "transactionId": outcome.transaction_id,
                "paymentMethod": outcome.payment_method,
                "cardBrand": outcome.card_brand,
                "timestamp": (outcome.at or _now()).isoformat(),
            },
            separators=(",", ":"),
        )
        return {SIGNATURE: self._signature(body), "Content-Type": "application/json"}, body

    def verify_notification(self, headers: dict[str, str], body: str) -> Outcome:
        given = next((v for k, v in headers.items() if k.lower() == SIGNATURE.lower()), "")
        if not given or not hmac.compare_digest(given, self._signature(body)):
            raise Unauthorized("Notification signature does not verify")
        try:
            data = json.loads(body)
            at = datetime.fromisoformat(data["timestamp"])
            outcome = Outcome(
                payment_token=str(data["reference"]),
                status=data["state"],
                amount=None if data.get("amount") is None else notified_amount(data["amount"]),
                currency=data.get("currency"),
                transaction_id=data.get("transactionId"),
                payment_method=data.get("paymentMethod"),
                card_brand=data.get("cardBrand"),
                notification_id=str(data["notificationId"]),
                at=at,
            )
        except (ValueError, KeyError, TypeError, ArithmeticError):
            raise Unauthorized("Notification is malformed") from None
        if outcome.status not in ("pending", "approved", "declined", "expired"):
            raise Unauthorized("Notification is malformed")
        if abs(_now() - at) > FRESH:
            raise Unauthorized("Notification is stale (a replay?)")
        return outcome

    def confirm(self, outcome: Outcome) -> Outcome:
        """Its notifications are signed whole, with a secret only this gateway holds."""
        return outcome

    def _signature(self, body: str) -> str:
        key = self.credentials.notification_secret.encode()
        return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()

    def query(self, payment_token: str, checkout_id: str) -> Outcome | None:
        found = self.items.get(f"GATEWAY#{checkout_id}", "#SESSION")
        if found is None or found["paymentToken"] != payment_token:
            return None
        decided = found.get("decidedAt")
        return Outcome(
            payment_token=payment_token,
            status="expired" if _expired(found) else found["status"],
            amount=Decimal(found["amount"]),
            currency=found["currency"],
            transaction_id=found.get("transactionId"),
            card_brand=found.get("cardBrand"),
            payment_method=found.get("cardBrand"),
            at=datetime.fromisoformat(decided) if decided else None,
        )

    # Cards ------------------------------------------------------------------------------------
    def tokenize(self, card: Card) -> CardToken:
        from selfcare.adapters.payments import sandbox_vault

        return sandbox_vault.tokenize(self.items, card)

    def forget_token(self, document_type: str, customer_id: str, card_token: str) -> None:
        from selfcare.adapters.payments import sandbox_vault

        sandbox_vault.forget(self.items, document_type, customer_id, card_token)


def _now() -> datetime:
    return datetime.now(UTC)


def _expired(session: dict[str, Any]) -> bool:
    """Still pending, but past its expiry (sessions started before expiries never expire)."""
    expires = session.get("expiresAt")
    return session["status"] == "pending" and expires is not None and float(expires) <= time.time()


def _checkout_minutes() -> int:
    try:
        return int(os.environ.get("CHECKOUT_MINUTES", "30"))
    except ValueError:
        return 30


def _brand(number: str) -> str:
    if number.startswith("4"):
        return "VISA"
    if number[:2] in ("34", "37"):
        return "AMEX"
    if 51 <= int(number[:2]) <= 55 or 2221 <= int(number[:4]) <= 2720:
        return "MASTERCARD"
    if number[:2] in ("36", "38") or 300 <= int(number[:3]) <= 305:
        return "DINERS"
    return "CARD"
