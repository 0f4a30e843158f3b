"""Checkout logic over in-memory stores: one attempt in process at a time, outcomes applied
once however many arrive at the same time, approvals winning over earlier declines."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest

from billing import checkout as pay
from selfcare.adapters.items import MemoryItems
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country
from selfcare.errors import Conflict
from selfcare.payments import Outcome
from selfcare.stores.checkout import CheckoutStore

CO = get_country("co")


class SlowItems(MemoryItems):
    """Reads take a moment, so threads really interleave between read and write."""

    def get(self, pk, sk):
        found = super().get(pk, sk)
        time.sleep(0.002)
        return found

    def query(self, pk, **kwargs):
        found = super().query(pk, **kwargs)
        time.sleep(0.002)
        return found


@pytest.fixture
def world():
    dataset = generate_dataset("co", date(2026, 11, 26), 10)
    backend = SandboxBackend(SlowItems(layout.dataset_items(dataset)))
    store = CheckoutStore(SlowItems())
    customer = next(
        c
        for c in dataset["customers"]
        if any(not i["hasPayment"] for i in c["contracts"][0]["invoices"])
    )
    contract = customer["contracts"][0]
    invoice = next(i for i in contract["invoices"] if not i["hasPayment"])
    attempt = store.create(
        {
            "paymentToken": "tok-12345678",
            "gateway": "sandbox",
            "contractId": contract["contractId"],
            "invoiceId": invoice["invoiceId"],
            "paymentAmount": invoice["dueAmount"],
            "currencyId": "COP",
        },
        minutes=30,
    )
    return backend, store, attempt, invoice


def approved(invoice, notification: str) -> Outcome:
    return Outcome("tok-12345678", "approved", Decimal(invoice["dueAmount"]), "COP", "TX-9", "PSE",
                   "Bancolombia", None, notification)  # fmt: skip


def test_simultaneous_notifications_record_one_payment(world):
    backend, store, attempt, invoice = world
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def deliver(n: int) -> None:
        barrier.wait()
        try:
            pay.settle(store, backend, attempt, approved(invoice, f"n-{n % 2}"))
        except Conflict as exc:  # a loser may be told to retry; the payment is not doubled
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paid = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    assert paid["dueAmount"] == 0 and paid["hasPayment"] is True
    assert backend.payment_info(attempt["contractId"], attempt["invoiceId"])["paymentId"] == "TX-9"
    current = store.get(attempt["contractId"], attempt["invoiceId"], "tok-12345678")
    assert current["status"] == "approved" and current["paymentRecorded"] is True
    pay.settle(store, backend, current, approved(invoice, "n-9"))  # later repeats: nothing moves
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["dueAmount"] == 0


def test_an_approval_wins_over_a_decline_but_nothing_undoes_an_approval(world):
    backend, store, attempt, invoice = world
    declined = Outcome("tok-12345678", "declined", notification_id="d-1")
    pay.settle(store, backend, attempt, declined)
    assert (
        store.get(attempt["contractId"], attempt["invoiceId"], "tok-12345678")["status"]
        == "declined"
    )
    pay.settle(store, backend, attempt, approved(invoice, "a-1"))
    pay.settle(store, backend, attempt, Outcome("tok-12345678", "expired", notification_id="e-1"))
    assert (
        store.get(attempt["contractId"], attempt["invoiceId"], "tok-12345678")["status"]
        == "approved"
    )


def test_an_approval_for_another_amount_is_refused(world):
    backend, store, attempt, _ = world
    wrong = Outcome("tok-12345678", "approved", Decimal(1), "COP", notification_id="x")
    with pytest.raises(Conflict):
        pay.settle(store, backend, attempt, wrong)
    assert (
        store.get(attempt["contractId"], attempt["invoiceId"], "tok-12345678")["status"]
        == "pending"
    )
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["hasPayment"] is False
