"""Sandbox billing: invoices and payments, cards, recurring billing, paperless, financing."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from selfcare.adapters.sandbox.data_common import ascii_slug
from selfcare.adapters.sandbox.generator_portfolio import Holding
from selfcare.adapters.sandbox.generator_util import (
    Ctx,
    add_months,
    dump,
    period_name,
)
from selfcare.models.billing import (
    FinancingInfo,
    Invoice,
    RecurringBillingInfo,
    paperlessInvoiceInfo,
    paymentInfo,
)
from selfcare.models.tokenization import TokenInfo

MONTHLY, PARTIAL = "Factura mensual", "Factura parcial"
DUE_DAYS, EXTENDED_DAYS = 15, 10
CARD_BRANDS = ("VISA", "MASTERCARD", "AMEX", "DINERS")
_BINS = {"VISA": ("4",), "MASTERCARD": ("51", "52", "53", "54", "55"), "AMEX": ("37",),
         "DINERS": ("36",)}  # fmt: skip
MIN_PAYMENT_SHARE = Decimal("0.3")  # minimum payment where financing is available

# Payment habits of a contract.
RECURRING, ALL_PAID, CURRENT_UNPAID, OVERDUE = "recurring", "all", "current", "overdue"


@dataclass(frozen=True)
class Card:
    """A card in the customer's gateway vault."""

    token: str
    brand: str
    masked: str  # first 6 + "XXXXXX" + last 4
    printed_name: str
    bank: str
    created: datetime
    expiration: str  # YYYYMM


@dataclass(frozen=True)
class Terms:
    """How a contract is billed and paid (drawn once, independent of the reference day)."""

    day: int  # billing day of the month, 1-28
    habit: str  # RECURRING, ALL_PAID, CURRENT_UNPAID or OVERDUE
    overdue: int  # invoices left unpaid before the current one (OVERDUE)
    financing: bool
    partial: bool  # an older partial-payment invoice exists
    adjusted: int  # index of the monthly invoice with adjustments, -1 for none
    debit: tuple[str, str] | None = None  # recurring by automatic debit: (bank, account last 4)


@dataclass(frozen=True)
class Account:
    """The contract facts an invoice repeats."""

    contract_id: str
    billing_account_id: int
    billing_id: int
    owner: str  # billingName
    street: str
    vip: bool
    recurring: bool
    paperless: bool


def make_card(ctx: Ctx, rng: random.Random, printed_name: str) -> Card:
    brand = rng.choice(ctx.data.card_brands)
    first6 = rng.choice(_BINS[brand])
    first6 += "".join(str(rng.randrange(10)) for _ in range(6 - len(first6)))
    last4 = f"{rng.randrange(10_000):04d}"
    token = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    bank = rng.choice(ctx.data.banks)
    age, second = rng.randint(240, 1800), rng.randrange(86_400)
    expiration = f"{ctx.as_of.year + rng.randint(1, 5)}{rng.randint(1, 12):02d}"
    created = ctx.now - timedelta(days=age, seconds=-second)
    return Card(token, brand, f"{first6}XXXXXX{last4}", printed_name, bank, created, expiration)


def token_record(card: Card) -> dict[str, Any]:
    info = {"cardToken": card.token, "cardInfo": card.masked, "cardBrand": card.brand,
            "cardPrintedName": card.printed_name}  # fmt: skip
    return {**dump(TokenInfo, info), "createdAt": card.created.isoformat(timespec="seconds")}


def recurring_record(
    ctx: Ctx,
    rng: random.Random,
    account: Account,
    terms: Terms,
    card: Card | None,
    start: date,
    phone: str,
) -> dict[str, Any]:
    """Recurring billing by `card`, or by automatic debit of a bank account (`terms.debit`)."""
    bank, account_last4 = terms.debit or ("", "")
    delay = rng.randint(0, 30)
    since = max(card.created.date() if card else start, start) + timedelta(days=delay)
    return dump(
        RecurringBillingInfo,
        {
            "contractId": account.contract_id,
            "billingId": str(account.billing_id),
            "billingName": account.owner,
            "cardInfo": card.masked if card else account_last4,
            "cardBrand": card.brand if card else None,
            "cardExpirationDate": card.expiration if card else None,
            "cardIssuingBank": card.bank if card else bank,
            "paymentMethod": "2" if card else "1",  # Credit = 2, Debit = 1
            "registrationDate": min(since, ctx.as_of),
            "phoneNumber": phone,
        },
    )


def paperless_record(
    account: Account, owner: dict[str, Any], alternate: str | None
) -> dict[str, Any]:
    """Digital invoice to the owner's email (`owner`: a CustomerInfo dump)."""
    return dump(
        paperlessInvoiceInfo,
        {
            "email": owner["email"],
            "alternateEmail": alternate,
            "phoneNumber": owner.get("phoneNumber"),
            "billingId": account.billing_id,
            "customerId": owner["customerId"],
            "documentType": owner["documentType"],
            "subcriptionStatusId": 1,
            "subcriptionStatusMessage": "Suscrito",
        },
    )


# --- invoices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    """The random part of a possible payment, drawn whether or not it happens."""

    share: float  # where in the on-time window it is paid
    late: bool
    late_share: float
    method: float
    bank: float
    brand: float
    payment_id: int
    reference: int


def _draft(rng: random.Random) -> _Draft:
    return _Draft(
        rng.random(), rng.random() < 0.12, rng.random(), rng.random(), rng.random(),
        rng.random(), rng.randrange(10**9, 10**10), rng.randrange(10**11, 10**12),
    )  # fmt: skip


def latest_billing_date(as_of: date, day: int) -> date:
    """The newest billing date on or before as_of."""
    this_month = date(as_of.year, as_of.month, day)
    return this_month if this_month <= as_of else add_months(this_month, -1)


def invoices(
    ctx: Ctx,
    rng: random.Random,
    account: Account,
    holdings: tuple[Holding, ...],
    terms: Terms,
    card: Card | None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(invoices oldest first, FinancingInfo): six monthly ones up to as_of, maybe one partial."""
    latest = latest_billing_date(ctx.as_of, terms.day)
    drafts = [_draft(rng) for _ in range(7)]
    partial_back, partial_share = rng.randint(1, 3), Decimal(rng.randint(30, 70)) / 100
    made: list[dict[str, Any]] = []
    unpaid_min = Decimal(0)
    if terms.partial:
        created = add_months(latest, -5 - partial_back)
        amount = ctx.country.money(_amount(holdings, created) * partial_share)
        made.append(_invoice(ctx, account, terms, created, amount, PARTIAL, "02", False))
        made[-1]["paymentInfo"] = _payment(ctx, account, made[-1], drafts[6], terms, card)
    for n in range(6):
        created = add_months(latest, n - 5)
        amount = ctx.country.money(_amount(holdings, created))
        invoice = _invoice(ctx, account, terms, created, amount, MONTHLY, "01", n == terms.adjusted)
        if _is_paid(terms, n, invoice["dueDate"], ctx.as_of):
            invoice["paymentInfo"] = _payment(ctx, account, invoice, drafts[n], terms, card)
        else:
            invoice = _unpaid(ctx, invoice, terms.financing)
            unpaid_min += invoice.get("minPaymentAmount", 0)
        made.append(invoice)
    financing = dump(
        FinancingInfo,
        {
            "isAvailable": terms.financing,
            "minPaymentAmount": ctx.country.money(unpaid_min) if terms.financing else None,
        },
    )
    return made, financing


def _amount(holdings: tuple[Holding, ...], day: date) -> Decimal:
    return sum((s.price for h in holdings for s in h.subscriptions if s.billed_on(day)), Decimal(0))


def _is_paid(terms: Terms, n: int, due: date, as_of: date) -> bool:
    if terms.habit == RECURRING:
        return due <= as_of
    if terms.habit == ALL_PAID:
        return True
    if terms.habit == CURRENT_UNPAID:
        return n < 5
    return n < 5 - terms.overdue


def _invoice(
    ctx: Ctx,
    account: Account,
    terms: Terms,
    created: date,
    amount: Decimal,
    kind: str,
    seq: str,
    adjusted: bool,
) -> dict[str, Any]:
    money = ctx.country.money
    due = created + timedelta(days=DUE_DAYS)
    return dump(
        Invoice,
        {
            "invoiceId": f"{account.contract_id}-{created:%Y%m}{seq}",
            "contractId": account.contract_id,
            "invoiceType": kind,
            "billingId": account.billing_id,
            "billingName": account.owner,
            "streetAddress": account.street,
            "invoiceAmount": amount,
            "dueAmount": money(0),
            "taxAmount": ctx.country.vat_included(amount),
            "currencyId": ctx.country.currency,
            "period": period_name(created),
            "creationDate": created,
            "dueDate": due,
            "extendedDueDate": due + timedelta(days=EXTENDED_DAYS),
            "hasAdjustments": adjusted,
            "hasPayment": True,
            "hasRecurringBilling": account.recurring,
            "hasPaperlessInvoice": account.paperless,
            "VIP": account.vip,
            "billingAccountId": account.billing_account_id,
        },
    )


def _unpaid(ctx: Ctx, invoice: dict[str, Any], financing: bool) -> dict[str, Any]:
    amount = invoice["invoiceAmount"]
    minimum = ctx.country.money(amount * MIN_PAYMENT_SHARE) if financing else None
    changes = {"hasPayment": False, "dueAmount": amount, "minPaymentAmount": minimum}
    return dump(Invoice, {**invoice, **changes})


def _payment(
    ctx: Ctx,
    account: Account,
    invoice: dict[str, Any],
    draft: _Draft,
    terms: Terms,
    card: Card | None,
) -> dict[str, Any]:
    created, due, extended = invoice["creationDate"], invoice["dueDate"], invoice["extendedDueDate"]
    as_of, banks = ctx.as_of, ctx.data.banks
    if terms.habit == RECURRING:
        paid_on = due
    elif draft.late and as_of > due:
        late_days = (min(extended, as_of) - due).days
        paid_on = due + timedelta(days=1 + int(draft.late_share * late_days))
    else:
        last = min(due, as_of)
        paid_on = created + timedelta(days=int(draft.share * ((last - created).days + 1)))
    methods = ctx.country.payment_methods
    brand: str | None
    bank: str | None
    if terms.habit == RECURRING and card:
        brand, bank = card.brand, card.bank
        method = next((m for m in methods if m in (card.brand, "POL")), methods[0])
    elif terms.habit == RECURRING and terms.debit:  # automatic debit of a bank account
        method = next((m for m in methods if m == "PSE"), methods[-1])
        brand, bank = None, terms.debit[0]
    else:
        method = methods[int(draft.method * len(methods))]
        brand = method if method in CARD_BRANDS else None
        if method == "POL":  # PayU: by card
            brand = ctx.data.card_brands[int(draft.brand * len(ctx.data.card_brands))]
        bank = next((b for b in banks if ascii_slug(b) in ascii_slug(method)), None)
        if bank is None and (brand or method == "PSE"):
            bank = banks[int(draft.bank * len(banks))]
    return dump(
        paymentInfo,
        {
            "paymentId": str(draft.payment_id),
            "paymentDate": paid_on,
            "paymentAmount": invoice["invoiceAmount"],
            "paymentMethod": method,
            "ExternalReference": str(draft.reference),
            "bankName": bank,
            "cardBrand": brand,
        },
    )
