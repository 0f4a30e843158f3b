"""The sandbox billing system's changes: payments an invoice takes (each once, never more
than it owes, every one kept) and recurring billing whose newest invoice's flag moves with
it in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from selfcare.adapters.items import MemoryItems, Write
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.errors import Conflict, Unavailable

AS_OF = date(2026, 10, 15)
Record = dict[str, Any]


@cache
def dataset() -> Record:
    return generate_dataset("gt", AS_OF, 20)


def unpaid() -> tuple[str, Record]:
    """(contractId, invoice) of an unpaid invoice with something due."""
    for customer in dataset()["customers"]:
        for contract in customer["contracts"]:
            for invoice in contract["invoices"]:
                if not invoice["hasPayment"] and Decimal(str(invoice["dueAmount"])) > 1:
                    return contract["contractId"], invoice
    raise LookupError("no unpaid invoice in the dataset")


@pytest.fixture
def backend() -> SandboxBackend:
    return SandboxBackend(MemoryItems(layout.dataset_items(dataset())))


def payment(payment_id: str, amount: Decimal) -> Record:
    return {
        "paymentId": payment_id,
        "paymentDate": "2026-10-15",
        "paymentAmount": amount,
        "paymentMethod": "VISA",
    }


def test_a_payment_of_what_is_due_pays_the_invoice_once(backend):
    contract, invoice = unpaid()
    due = Decimal(str(invoice["dueAmount"]))
    backend.record_payment(contract, invoice["invoiceId"], payment("TX-1", due))
    backend.record_payment(contract, invoice["invoiceId"], payment("TX-1", due))  # repeated
    paid = backend.invoice(contract, invoice["invoiceId"])
    assert paid["hasPayment"] is True and paid["dueAmount"] == 0
    assert backend.payment_info(contract, invoice["invoiceId"])["paymentId"] == "TX-1"


def test_a_second_payment_on_a_paid_invoice_is_refused_not_overwritten(backend):
    contract, invoice = unpaid()
    due = Decimal(str(invoice["dueAmount"]))
    backend.record_payment(contract, invoice["invoiceId"], payment("TX-A", due))
    with pytest.raises(Conflict, match="nothing left to pay"):
        backend.record_payment(contract, invoice["invoiceId"], payment("TX-B", due))
    assert backend.payment_info(contract, invoice["invoiceId"])["paymentId"] == "TX-A"
    backend.record_payment(contract, invoice["invoiceId"], payment("TX-A", due))  # still known


def test_a_payment_larger_than_what_is_due_is_refused_and_changes_nothing(backend):
    contract, invoice = unpaid()
    due = Decimal(str(invoice["dueAmount"]))
    with pytest.raises(Conflict, match="exceeds"):
        backend.record_payment(contract, invoice["invoiceId"], payment("TX-1", due + 1))
    after = backend.invoice(contract, invoice["invoiceId"])
    assert after["dueAmount"] == due and after["hasPayment"] is False


def test_every_payment_applied_is_kept_and_each_is_recognised_again(backend):
    contract, invoice = unpaid()
    due = Decimal(str(invoice["dueAmount"]))
    part = due // 2
    backend.record_payment(contract, invoice["invoiceId"], payment("TX-1", part))
    backend.record_payment(contract, invoice["invoiceId"], payment("TX-2", due - part))
    backend.record_payment(contract, invoice["invoiceId"], payment("TX-1", part))  # not the last
    item = backend._invoice_item(contract, invoice["invoiceId"])
    assert [p["paymentId"] for p in item["payments"]] == ["TX-1", "TX-2"]
    assert item["paymentInfo"]["paymentId"] == "TX-2" and item["invoice"]["dueAmount"] == 0


class FlagWritesFail(MemoryItems):
    """A store whose lone writes of an invoice fail (hasRecurringBilling after the change):
    what an outage between the two steps of a change looks like."""

    def write(self, *writes: Write) -> None:
        if len(writes) == 1 and writes[0].sk.startswith(layout.INVOICE):
            raise Unavailable("The backend is busy; retry shortly")
        super().write(*writes)


def with_invoices() -> str:
    return next(
        contract["contractId"]
        for customer in dataset()["customers"]
        for contract in customer["contracts"]
        if len(contract["invoices"]) > 1 and not contract.get("recurringBilling")
    )


def test_enrolling_and_ending_flag_the_newest_invoice_in_the_same_transaction():
    backend = SandboxBackend(FlagWritesFail(layout.dataset_items(dataset())))
    contract = with_invoices()
    backend.enrol_recurring_billing(contract, {"paymentMethod": "2"}, "tok-1")
    newest = backend.invoices(contract)[0]
    assert backend.recurring_billing(contract) is not None
    assert newest["hasRecurringBilling"] is True  # the balance reads it here
    with pytest.raises(Unavailable):  # the rest is the caller's to reflect (and may fail)
        backend.set_invoice_flags(contract, hasRecurringBilling=True)
    backend.end_recurring_billing(contract, "tok-1")
    assert backend.recurring_billing(contract) is None
    assert backend.invoices(contract)[0]["hasRecurringBilling"] is False


def test_enrolling_twice_is_a_conflict_and_leaves_the_first():
    backend = SandboxBackend(MemoryItems(layout.dataset_items(dataset())))
    contract = with_invoices()
    backend.enrol_recurring_billing(contract, {"paymentMethod": "2"}, "tok-1")
    with pytest.raises(Conflict, match="already has recurring billing"):
        backend.enrol_recurring_billing(contract, {"paymentMethod": "1"}, "tok-2")
    assert backend.recurring_card_token(contract) == "tok-1"
