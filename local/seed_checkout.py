"""The payment attempts a real history would have left, for the sandbox dataset: written by
the service's own checkout store and sandbox gateway (in memory), so that they are its own."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from selfcare.adapters.items import MemoryItems, Write
from selfcare.adapters.payments.sandbox import SandboxGateway
from selfcare.countries import Country, get_country
from selfcare.payments import CheckoutStart, Credentials, Outcome
from selfcare.stores.checkout import CheckoutStore

ONLINE_METHODS = {"POL", "PSE", "VISA", "MASTERCARD", "TARJETA", "TIGO MONEY"}
PENDING_MINUTES = 24 * 60  # an attempt in process since seeding expires a day later
Items = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _Bill:
    """An invoice of a contract in the dataset, and who pays it."""

    country: Country
    contract: Mapping[str, Any]
    invoice: Mapping[str, Any]
    customer_info: Mapping[str, Any]


def payment_token(invoice_id: str, n: int = 0) -> str:
    return hashlib.sha256(f"checkout:{invoice_id}:{n}".encode()).hexdigest()[:32]


def checkout_items(dataset: Mapping[str, Any]) -> Items:
    """The checkout table's records of the seeded attempts (see `payment_records`)."""
    return payment_records(dataset)[0]


def payment_records(dataset: Mapping[str, Any]) -> tuple[Items, Items]:
    """(checkout table items, sandbox table items): an approved attempt for each invoice paid
    online, and one in process for the newest unpaid invoice of each demo contract (so GET
    checkOut answers 202), each with its token's pointer, its invoice's #OPEN marker and its
    version; one in process also with its sandbox gateway session, so its page takes a
    payment and that payment's notification finds it."""
    country = get_country(dataset["country"])
    checkout, sandbox = _Written(), _Written()
    store = CheckoutStore(checkout)
    gateway = SandboxGateway(Credentials("sandbox"), sandbox, PENDING_MINUTES)
    for customer in dataset["customers"]:
        info = customer["customer"]["customerInfo"]
        for contract in customer["contracts"]:
            unpaid = None
            for invoice in contract["invoices"]:
                payment = invoice.get("paymentInfo")
                if payment and str(payment.get("paymentMethod", "")).upper() in ONLINE_METHODS:
                    _paid(store, _Bill(country, contract, invoice, info), payment)
                elif not invoice.get("hasPayment"):
                    unpaid = invoice
            if unpaid is not None and customer.get("demo"):
                _in_process(store, gateway, _Bill(country, contract, unpaid, info))
    return list(checkout.written()), list(sandbox.written())


def _create(
    store: CheckoutStore, bill: _Bill, amount: Decimal, methods: list[str], minutes: int
) -> dict[str, Any]:
    invoice_id = bill.invoice["invoiceId"]
    opened, _ = store.in_process(bill.contract["contractId"], invoice_id)
    fields = {
        "paymentToken": payment_token(str(invoice_id)),
        "gateway": SandboxGateway.name,
        "contractId": bill.contract["contractId"],
        "invoiceId": invoice_id,
        "paymentAmount": amount,
        "currencyId": bill.country.currency,
        "paymentDescription": f"Pago factura {invoice_id}",
        "paymentMethods": methods,
        "customerInfo": dict(bill.customer_info),
    }
    return store.create(fields, minutes, opened)


def _paid(store: CheckoutStore, bill: _Bill, payment: Mapping[str, Any]) -> None:
    """Paid on the date the dataset says, its payment recorded on the invoice."""
    amount, method = Decimal(str(payment["paymentAmount"])), str(payment["paymentMethod"])
    attempt = _create(store, bill, amount, [method], 30)
    token = attempt["paymentToken"]
    checkout_id = f"SBX-{token[:12].upper()}"  # its gateway session is long gone
    _started(store, attempt, checkout_id, f"/payments/sandbox/checkout/{checkout_id}")
    paid_at = datetime.combine(payment["paymentDate"], time(10, 0), UTC)
    paid = Outcome(
        token,
        "approved",
        amount,
        bill.country.currency,
        transaction_id=str(payment["paymentId"]),
        payment_method=method,
        bank_name=payment.get("bankName"),
        card_brand=payment.get("cardBrand"),
        at=paid_at,
    )
    store.advance(attempt, paid)
    store.recorded(attempt)
    done = store.current(attempt) or attempt  # created and decided when it was paid
    when = paid_at.isoformat(timespec="milliseconds")
    store.items.put_all([{**done, "createdAt": when, "decidedAt": when}])


def _in_process(store: CheckoutStore, gateway: SandboxGateway, bill: _Bill) -> None:
    """In process since seeding, at the sandbox gateway; it expires a day later."""
    country = bill.country
    amount = Decimal(str(bill.invoice["dueAmount"]))
    attempt = _create(store, bill, amount, list(country.payment_methods), PENDING_MINUTES)
    start = CheckoutStart(
        payment_token=attempt["paymentToken"],
        contract_id=bill.contract["contractId"],
        invoice_id=bill.invoice["invoiceId"],
        amount=amount,
        tax=country.vat_included(amount),
        currency=country.currency,
        description=attempt["paymentDescription"],
        notify_url="",
        pages_url="",  # the stack's URL is not known here: its redirectUrl is a path
    )
    session = gateway.start_checkout(start)
    _started(store, attempt, session.checkout_id, session.redirect_url)


def _started(store: CheckoutStore, attempt: dict[str, Any], checkout_id: str, url: str) -> None:
    answer = {"paymentToken": attempt["paymentToken"], "checkOutId": checkout_id}
    store.started(attempt, checkout_id, url, {**answer, "redirectUrl": url})


class _Written(MemoryItems):
    """Items in memory that also list, in order, what was written."""

    def __init__(self) -> None:
        super().__init__()
        self._written: dict[tuple[str, str], None] = {}

    def write(self, *writes: Write) -> None:
        super().write(*writes)
        self._written.update(dict.fromkeys((w.pk, w.sk) for w in writes))

    def written(self) -> Iterator[dict[str, Any]]:
        for pk, sk in self._written:
            found = self.get(pk, sk)
            if found is not None:
                yield found
