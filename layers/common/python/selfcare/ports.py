"""What the service needs from the outside world. Adapters implement these protocols.

Reads return contract-shaped dicts (field names as the contract spells them) whose values
are plain Python (str, int, bool, Decimal, date-strings); None means "no such thing".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # only for annotations: ports import no adapter, and nothing at run time
    from selfcare.payments import Outcome

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ContractRef:
    """The immutable facts about a contract that routing and ownership need."""

    contract_id: str
    document_type: str  # owner's document type, upper-case
    customer_id: str  # owner's canonical document number
    billing_account_id: str
    subscription_number: str
    lines: tuple[str, ...] = ()  # measuring elements (phone numbers) of its voice products


@dataclass(frozen=True, slots=True)
class CustomerRef:
    document_type: str
    customer_id: str
    contract_ids: tuple[str, ...]  # oldest first: contract_ids[0] is the "first contract"


class Directory(Protocol):
    """Resolves ids to their owners (selfcare.access.CachedDirectory keeps the answers five
    minutes per warm container)."""

    def find_contract(self, contract_id: str) -> ContractRef | None: ...
    def find_customer(self, document_type: str, customer_id: str) -> CustomerRef | None: ...
    def find_billing_account(self, billing_account_id: str) -> ContractRef | None: ...


class BillingSystem(Protocol):
    def customer(self, document_type: str, customer_id: str) -> Record | None: ...
    def contract(self, contract_id: str) -> Record | None: ...
    def contracts(self, contract_ids: Sequence[str]) -> list[Record]:
        """The known ones among `contract_ids`, in that order, in one read."""
        ...

    def invoices(self, contract_id: str, limit: int | None = None) -> list[Record]:
        """Most recent first; all of them when limit is None."""
        ...

    def invoice(self, contract_id: str, invoice_id: str) -> Record | None: ...
    def payment_info(self, contract_id: str, invoice_id: str) -> Record | None:
        """The payment of an invoice; None when the invoice is unknown or unpaid."""
        ...

    def invoice_with_payment(
        self, contract_id: str, invoice_id: str
    ) -> tuple[Record, Record | None] | None:
        """The invoice and its payment (None when unpaid) in one read; None when unknown."""
        ...

    def recurring_billing(self, contract_id: str) -> Record | None: ...
    def financing(self, contract_id: str) -> Record | None: ...
    def calls(self, contract_id: str, line: str, start: date, end: date) -> list[Record]: ...


class ProductCatalog(Protocol):
    def products(self, contract_id: str, limit: int | None = None) -> list[Record]: ...
    def products_of(self, contract_ids: Sequence[str], limit: int | None = None) -> list[Record]:
        """The products of several contracts, contract by contract in that order, up to
        `limit` (one read where the back office can)."""
        ...

    def product(
        self, contract_id: str, product_id: int, subscription_number: str | None = None
    ) -> Record | None: ...
    def available_offers(self, contract_id: str, product_id: int) -> list[Record] | None: ...


class CaseSystem(Protocol):
    def service_requests(self, contract_id: str) -> list[Record]: ...
    def service_requests_of(self, contract_ids: Sequence[str]) -> list[Record]:
        """The service requests of several contracts, contract by contract in that order
        (one read where the back office can)."""
        ...

    def scheduled_visits(self, document_type: str, customer_id: str) -> Record | None: ...


class Crm(Protocol):
    def contact_information(self, contract_id: str) -> Record | None: ...


class CardVault(Protocol):
    """The customer's tokenized cards, whatever the gateway: the gateway holds each card, the
    vault keeps its token as TokenInfo (`cardToken`, `cardInfo` masked as first 6 + XXXXXX +
    last 4 at most, `cardBrand`, `cardPrintedName`) with its expiry month and when it was
    kept. Never a card number or a CVV."""

    def card_tokens(self, document_type: str, customer_id: str, limit: int) -> list[Record]: ...
    def card_token(self, document_type: str, customer_id: str, token: str) -> Record | None: ...
    def card_token_of(
        self, document_type: str, customer_id: str, card_info: str, card_brand: str, expiry: str
    ) -> Record | None:
        """The TokenInfo kept for this card (masked number, brand and expiry YYYYMM), if any."""
        ...

    def keep_card_token(
        self, document_type: str, customer_id: str, token: Record, expiry: str, most: int
    ) -> Record:
        """Keep `token` (TokenInfo; only its fields are kept) and answer the TokenInfo kept.
        Idempotent: a token kept already, or the same card (masked number, brand, expiry)
        kept under another token, answers the one kept. Conflict (409) when the customer
        keeps `most` cards already."""
        ...

    def forget_card_token(self, document_type: str, customer_id: str, token: str) -> None:
        """Forget one of the customer's tokens (nothing to do when it is not kept)."""
        ...

    def forgot_card_token(self, document_type: str, customer_id: str, token: str) -> bool:
        """Did this very change forget it already (a client retrying with the same
        Idempotency-Key after the first answer was lost)?"""
        ...


# Changes. Domain errors (selfcare.errors) say why a change is refused: NotFound for what is
# not there, Conflict for what already is or moved on meanwhile.


class CrmChanges(Protocol):
    """Contact phones and emails of a contract (values already validated and normalized)."""

    def add_phone(self, contract_id: str, phone: Record) -> Record: ...
    def update_phone(self, contract_id: str, old_phone: str, phone: Record) -> Record: ...
    def remove_phone(self, contract_id: str, phone: str) -> Record: ...
    def add_email(self, contract_id: str, email: Record) -> Record: ...
    def update_email(self, contract_id: str, old_email: str, email: str) -> Record: ...
    def remove_email(self, contract_id: str, email: str) -> Record: ...


class CatalogChanges(Protocol):
    """Additional offerings of a product, and what the contract pays for its products."""

    def add_offering(
        self, contract_id: str, product_id: int, offering_id: str, promotion_code: str | None
    ) -> Record: ...
    def remove_offering(self, contract_id: str, product_id: int, offering_id: str) -> Record: ...
    def monthly_charges(self, contract_id: str) -> Decimal: ...


class BillingChanges(Protocol):
    """Recurring billing enrolment, partial-payment invoices, invoice flags."""

    def enrol_recurring_billing(
        self, contract_id: str, info: Record, card_token: str | None
    ) -> None: ...
    def update_recurring_billing(
        self, contract_id: str, info: Record, card_token: str | None
    ) -> None: ...
    def end_recurring_billing(self, contract_id: str, card_token: str) -> None: ...
    def create_invoice(
        self, contract_id: str, amount: Decimal, today: date, country: Any
    ) -> Record: ...
    def recurring_card_token(self, contract_id: str) -> str | None: ...
    def set_invoice_flags(self, contract_id: str, **flags: bool) -> None: ...
    def record_payment(self, contract_id: str, invoice_id: str, payment: Record) -> None:
        """Idempotent by payment["paymentId"]; every payment applied is kept. Raises
        Conflict when the invoice has nothing left due or less than the payment."""
        ...


class Backend(
    Directory,
    BillingSystem,
    BillingChanges,
    ProductCatalog,
    CatalogChanges,
    CaseSystem,
    Crm,
    CrmChanges,
    CardVault,
    Protocol,
):
    """Everything a country's back-office systems answer (the sandbox implements it all)."""


# The data this service owns (selfcare.stores implements these; the card vault is above).


@dataclass(frozen=True, slots=True)
class Target:
    """One paperless subscription: a contract, and the idType/id inside it where the route
    names one."""

    contract_id: str
    id_type: str | None = None
    id: str | None = None

    def describe(self) -> str:
        inner = f" {self.id_type}/{self.id}" if self.id_type else ""
        return f"contract {self.contract_id}{inner}"


class PaperlessSubscriptions(Protocol):
    """Paperless invoice subscriptions, each change kept with its audit record (who, app,
    IP, reason, when, before and after); a change to several targets is all or nothing."""

    def read(self, target: Target) -> tuple[Record, int] | None:
        """The subscription and its version (the ETag clients may send back as If-Match)."""
        ...

    def has_any(self, contract_id: str) -> bool: ...
    def create(self, targets: Sequence[Target], info: Record, audit: Mapping[str, Any]) -> int:
        """Subscribe every target, none of which may be subscribed yet (Conflict otherwise);
        answers the version made."""
        ...

    def update(
        self,
        targets: Sequence[Target],
        info: Record,
        audit: Mapping[str, Any],
        expected: int | None = None,
    ) -> int:
        """Replace every target's subscription (NotFound when one is not subscribed; Conflict
        when the first is not at `expected`, or one changed meanwhile); the first's version."""
        ...

    def delete(
        self, targets: Sequence[Target], audit: Mapping[str, Any], expected: int | None = None
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Step:
    """A payment attempt's transition: the attempt as it now stands (as written, or as read
    when it did not move), and whether this very call moved it."""

    attempt: Record
    moved: bool


class PaymentAttempts(Protocol):
    """Payment attempts (checkouts), recorded before any money moves; status moves only
    forward with conditional writes (selfcare.attempts holds the attempt's rules). Methods
    that move an attempt answer it as it now stands (a Step: whether they moved it too), so
    that whoever moves it reads it once."""

    def latest(self, contract_id: str, invoice_id: str) -> Record | None: ...
    def get(self, contract_id: str, invoice_id: str, token: str) -> Record | None: ...
    def by_token(self, token: str) -> Record | None: ...
    def in_process(self, contract_id: str, invoice_id: str) -> tuple[int, Record | None]:
        """(the version of the invoice's open-attempt marker, its latest attempt)."""
        ...

    def create(self, attempt: Record, minutes: int, opened: int | None = None) -> Record:
        """Record a pending attempt; with `opened`, only if no other started since (409)."""
        ...

    def started(
        self, attempt: Record, checkout_id: str, redirect_url: str, answer: Record
    ) -> None: ...
    def answered(self) -> Record | None:
        """The answer this very change (its Idempotency-Key) gave already, if any."""
        ...

    def ours(self, attempt: Record) -> bool:
        """Was this attempt recorded by this very change?"""
        ...

    def abandon(self, attempt: Record, reason: str) -> None: ...
    def advance(self, attempt: Record, outcome: Outcome) -> Step:
        """pending -> the outcome's final status (moved: False when it had moved on)."""
        ...

    def approve_after_decline(self, attempt: Record, outcome: Outcome) -> Step: ...
    def expire(self, attempt: Record, reason: str) -> Record: ...
    def keep_for_refund(self, attempt: Record, approval: Record, **changes: Any) -> Step:
        """Keep an approval no invoice takes (moved: False when it was kept before)."""
        ...

    def recorded(self, attempt: Record) -> Record:
        """Its payment is on the invoice; the attempt as it now stands."""
        ...

    def current(self, attempt: Record) -> Record | None: ...
    def seen(self, gateway: str, notification_id: str) -> bool: ...
    def mark_seen(self, gateway: str, notification_id: str) -> None: ...


class Once(Protocol):
    """Idempotency (selfcare.idempotency.once, Powertools idempotency on the stack's table):
    run `produce` once per (scope, key) and body; a retry replays the first answer as
    (JSON text, status, headers)."""

    def __call__(
        self,
        table: str,
        scope: str,
        key: str,
        body: str,
        produce: Callable[[], tuple[Any, ...]],
        dumps: Callable[[Any], str],
        context: Any = None,
    ) -> tuple[str, int, dict[str, str]]: ...
