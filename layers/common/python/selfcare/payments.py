"""The payment gateway port: what the service asks of a gateway, and what it hears back.

Adapters (selfcare.adapters.payments) implement `PaymentGateway`: the sandbox gateway (its
own hosted page, test cards, signed notifications) and PayU Latam WebCheckout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

Status = Literal["pending", "approved", "declined", "expired"]
FINAL: tuple[Status, ...] = ("approved", "declined", "expired")


@dataclass(frozen=True)
class Credentials:
    """From the stack's gateway secret (never logged, never in the environment)."""

    gateway: str  # "sandbox" | "payu"
    merchant_id: str = ""
    account_id: str = ""
    api_key: str = ""
    api_login: str = ""
    notification_secret: str = ""
    signature_algorithm: str = "MD5"  # PayU: MD5 (default) or SHA256
    test: bool = True


@dataclass(frozen=True)
class CheckoutStart:
    """A payment attempt the gateway is asked to collect."""

    payment_token: str  # our unguessable reference (PayU's referenceCode)
    contract_id: str
    invoice_id: str
    amount: Decimal
    tax: Decimal
    currency: str
    description: str
    notify_url: str  # where the gateway posts its server-to-server notification
    pages_url: str  # the API's public base URL, for pages the gateway adapter serves itself
    return_url: str | None = None
    cancel_url: str | None = None
    buyer_email: str | None = None
    buyer_name: str | None = None


@dataclass(frozen=True)
class CheckoutSession:
    checkout_id: str  # the gateway's id of the attempt (CheckOutReference.checkOutId)
    redirect_url: str  # where the payer goes to pay


@dataclass(frozen=True)
class Outcome:
    """What the gateway says about an attempt, by notification or when asked."""

    payment_token: str
    status: Status
    amount: Decimal | None = None
    currency: str | None = None
    transaction_id: str | None = None  # the gateway's id of the payment (ExternalReference)
    payment_method: str | None = None
    bank_name: str | None = None
    card_brand: str | None = None
    notification_id: str | None = None  # to recognise a notification seen before
    at: datetime | None = None


@dataclass(frozen=True)
class Card:
    """Card data on its way to the gateway: held in memory only, never stored or logged."""

    number: str = field(repr=False)
    expiration: str  # YYYYMM
    cvv: str = field(repr=False)
    brand: str
    printed_name: str | None
    document_type: str
    customer_id: str
    email: str | None = None


@dataclass(frozen=True)
class CardToken:
    card_token: str
    card_info: str  # first 6 + XXXXXX + last 4
    card_brand: str
    card_printed_name: str | None = None


class PaymentGateway(Protocol):
    name: str

    def start_checkout(self, start: CheckoutStart) -> CheckoutSession: ...

    def verify_notification(self, headers: dict[str, str], body: str) -> Outcome:
        """The notification's outcome; raises Unauthorized when it is not authentic."""
        ...

    def confirm(self, outcome: Outcome) -> Outcome | None:
        """A verified notification's outcome as the gateway's own records state it (None when
        they do not confirm it): what a notification may leave unsigned never counts. Raises
        502/503/504 when the gateway cannot be asked."""
        ...

    def query(self, payment_token: str, checkout_id: str) -> Outcome | None:
        """Ask the gateway how an attempt stands (None: it does not know it yet)."""
        ...

    def tokenize(self, card: Card) -> CardToken: ...

    def forget_token(self, document_type: str, customer_id: str, card_token: str) -> None: ...
