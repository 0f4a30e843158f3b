"""Checkout logic over in-memory stores: one attempt in process at a time, outcomes applied
once however many arrive at the same time, status only moving forward, and approvals that
come too late kept for a refund instead of paying an invoice twice."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from billing import checkout as pay
from selfcare.adapters.items import MemoryItems
from selfcare.adapters.payments.sandbox import SandboxGateway
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country
from selfcare.errors import Conflict, InvalidParameter
from selfcare.models.customer import CustomerInfo
from selfcare.payments import Credentials, Outcome
from selfcare.ports import ContractRef
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


def current(store, attempt):
    return store.get(attempt["contractId"], attempt["invoiceId"], attempt["paymentToken"])


def test_status_only_moves_forward_and_an_approval_after_a_decline_is_kept_for_refund(
    world, caplog
):
    backend, store, attempt, invoice = world
    declined = Outcome("tok-12345678", "declined", notification_id="d-1")
    pay.settle(store, backend, attempt, declined)
    assert current(store, attempt)["status"] == "declined"
    with caplog.at_level("WARNING", logger="billing.checkout"):
        pay.settle(store, backend, attempt, approved(invoice, "a-1"))
    pay.settle(store, backend, attempt, Outcome("tok-12345678", "expired", notification_id="e-1"))
    after = current(store, attempt)
    assert after["status"] == "declined" and after["refundDue"] is True
    assert [(k["transactionId"], k["amount"]) for k in after["lateApprovals"]] == [
        ("TX-9", Decimal(invoice["dueAmount"]))
    ]
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["hasPayment"] is False
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "refund" in warning.getMessage() and warning.gatewayReference == "TX-9"
    assert warning.invoiceId == attempt["invoiceId"] and warning.attemptStatus == "declined"


def test_nothing_undoes_an_approval(world):
    backend, store, attempt, invoice = world
    pay.settle(store, backend, attempt, approved(invoice, "a-1"))
    pay.settle(store, backend, attempt, Outcome("tok-12345678", "declined", notification_id="d"))
    pay.settle(store, backend, attempt, Outcome("tok-12345678", "expired", notification_id="e"))
    assert current(store, attempt)["status"] == "approved"
    assert "refundDue" not in current(store, attempt)


def expire(store, attempt, seconds_ago: int = 1) -> None:
    """Time passes: the attempt's deadline is behind us (the item as it is kept)."""
    item = current(store, attempt)
    store.items.put_all([{**item, "expiresAt": int(time.time()) - seconds_ago}])


def test_an_approval_made_after_the_expiry_is_kept_for_refund_not_paid(world, caplog):
    backend, store, attempt, invoice = world
    expire(store, attempt)
    with caplog.at_level("WARNING", logger="billing.checkout"):
        after = pay.settle(store, backend, attempt, approved(invoice, "late-1"))
    assert after["status"] == "expired" and after["refundDue"] is True
    (late,) = after["lateApprovals"]
    assert late["transactionId"] == "TX-9" and late["reference"] == "TX-9"
    assert late["amount"] == Decimal(invoice["dueAmount"]) and late["currency"] == "COP"
    assert "expired" in late["reason"]
    unpaid = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    assert unpaid["hasPayment"] is False and unpaid["dueAmount"] == invoice["dueAmount"]
    pay.settle(store, backend, attempt, approved(invoice, "late-2"))  # PayU retries it
    assert len(current(store, attempt)["lateApprovals"]) == 1
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1  # once per payment, however often it is delivered
    logged = warnings[0].getMessage() + repr(warnings[0].__dict__)
    assert "tok-12345678" not in logged and "Bancolombia" not in logged  # no token, no payer


def test_an_approval_made_in_time_but_heard_late_pays(world):
    backend, store, attempt, invoice = world
    expire(store, attempt)
    in_time = replace(approved(invoice, "n-1"), at=datetime.now(UTC) - timedelta(minutes=5))
    after = pay.settle(store, backend, attempt, in_time)
    assert after["status"] == "approved" and after["paymentRecorded"] is True
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["hasPayment"] is True


def test_concurrent_outcomes_are_decided_by_the_conditional_write(world):
    """Approvals (two different payments) and declines race for one pending attempt: one
    outcome wins, the attempt never moves again, the invoice is paid at most once, and an
    approval that lost to another outcome is kept for a refund."""
    backend, store, attempt, invoice = world
    barrier = threading.Barrier(8)
    won: list[str] = []

    def outcome(n: int) -> Outcome:
        if n % 2:
            return Outcome("tok-12345678", "declined", notification_id=f"d-{n}")
        return replace(approved(invoice, f"a-{n}"), transaction_id=f"TX-{n}")

    def deliver(n: int) -> None:
        barrier.wait()
        if store.advance(attempt, outcome(n)) is not None:
            won.append(outcome(n).status)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    assert current(store, attempt)["status"] == won[0]
    for n in range(8):  # every delivery applied once more, as the gateway retries
        pay.settle(store, backend, attempt, outcome(n))
    final = current(store, attempt)
    assert final["status"] == won[0]
    paid = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    kept = {k["transactionId"] for k in final.get("lateApprovals", [])}
    if won[0] == "approved":
        assert paid["hasPayment"] is True and len(kept) == 3  # the other three approvals
        assert final["transactionId"] not in kept
    else:
        assert paid["hasPayment"] is False and kept == {"TX-0", "TX-2", "TX-4", "TX-6"}


def test_an_expiry_and_an_approval_at_the_same_time_end_one_way(world):
    backend, store, attempt, invoice = world
    expire(store, attempt, seconds_ago=0)
    in_time = replace(approved(invoice, "n-1"), at=datetime.now(UTC) - timedelta(minutes=1))
    barrier = threading.Barrier(2)
    answers: dict[str, dict] = {}

    def close() -> None:
        barrier.wait()
        answers["expire"] = store.expire(attempt, "not paid in time")

    def notify() -> None:
        barrier.wait()
        answers["settle"] = pay.settle(store, backend, attempt, in_time)

    threads = [threading.Thread(target=close), threading.Thread(target=notify)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = current(store, attempt)
    paid = backend.invoice(attempt["contractId"], attempt["invoiceId"])["hasPayment"]
    if final["status"] == "approved":
        assert paid is True and "refundDue" not in final
    else:
        assert final["status"] == "expired" and paid is False and final["refundDue"] is True


class AskedGateway:
    """The attempts' gateway, whose status query answers `answer` (as PayU's Queries API
    does); counts the questions."""

    name = "sandbox"

    def __init__(self, answer: Outcome | None) -> None:
        self.answer = answer
        self.asked = 0

    def query(self, payment_token: str, checkout_id: str) -> Outcome | None:
        self.asked += 1
        return self.answer


def started(store, attempt):
    return store.started(attempt, attempt["paymentToken"], "https://example.com/pay")


def test_a_pending_attempt_past_its_expiry_asks_the_gateway_once_and_records_it_in_time(world):
    backend, store, attempt, invoice = world
    attempt = started(store, attempt)
    expire(store, attempt)
    in_time = replace(approved(invoice, "q-1"), at=datetime.now(UTC) - timedelta(minutes=2))
    gateway = AskedGateway(in_time)
    answer, status = pay.answer(store, gateway, backend, current(store, attempt), "x")
    assert status == 200 and answer["paymentApproved"] is True and answer["paymentStatus"] == 4
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["hasPayment"] is True
    pay.answer(store, gateway, backend, current(store, attempt), "x")
    assert gateway.asked == 1


def test_a_payment_still_pending_at_the_gateway_ends_expired_and_its_late_approval_is_kept(world):
    backend, store, attempt, invoice = world
    attempt = started(store, attempt)
    expire(store, attempt)
    gateway = AskedGateway(Outcome("tok-12345678", "pending"))
    answer, status = pay.answer(store, gateway, backend, current(store, attempt), "x")
    assert status == 200 and answer["paymentStatus"] == 5 and answer["paymentApproved"] is False
    assert current(store, attempt)["status"] == "expired"  # kept so, not only read so
    pay.answer(store, gateway, backend, current(store, attempt), "x")
    assert gateway.asked == 1
    late = approved(invoice, "late-1")  # PayU approves it now, after all
    pay.settle(store, backend, current(store, attempt), late)
    assert current(store, attempt)["status"] == "expired"
    assert current(store, attempt)["lateApprovals"][0]["transactionId"] == "TX-9"
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["hasPayment"] is False


def test_a_new_attempt_closes_the_expired_one_after_asking_the_gateway(world):
    backend, store, attempt, invoice = world
    attempt = started(store, attempt)
    expire(store, attempt)
    in_time = replace(approved(invoice, "q-1"), at=datetime.now(UTC) - timedelta(minutes=2))
    gateway = AskedGateway(in_time)
    request = checkout_request(invoice)
    contract = ContractRef(attempt["contractId"], "CC", "1", "", "")
    fresh = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    with pytest.raises(Conflict, match="already paid"):  # it was paid in time after all
        pay.create(store, gateway, backend, contract, fresh, request, CO, ("", ""), 30)
    assert gateway.asked == 1
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["hasPayment"] is True


def checkout_request(invoice, methods=None) -> SimpleNamespace:
    return SimpleNamespace(
        paymentAmount=invoice["dueAmount"],
        customerInfo=CustomerInfo(customerId="1"),
        paymentDescription=None,
        returnUrl=None,
        cancelUrl=None,
        paymentMethods=methods,
    )


def test_of_attempts_started_at_the_same_time_for_one_invoice_one_is_recorded(world):
    backend, _, attempt, invoice = world
    store = CheckoutStore(SlowItems())  # no attempt yet
    sandbox = SandboxGateway(Credentials("sandbox", notification_secret="x"), MemoryItems())
    contract = ContractRef(attempt["contractId"], "CC", "1", "", "")
    barrier = threading.Barrier(6)
    created: list[dict] = []
    refused: list[Exception] = []

    def start() -> None:
        barrier.wait()
        try:
            created.append(
                pay.create(
                    store,
                    sandbox,
                    backend,
                    contract,
                    invoice,
                    checkout_request(invoice),
                    CO,
                    ("https://api/n", "https://api"),
                    30,
                )
            )
        except Conflict as exc:
            refused.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 1 and len(refused) == 5
    assert all("in process" in str(exc) for exc in refused)
    attempts = store.items.query(attempt_pk(attempt), prefix="ATTEMPT#")
    assert [a["paymentToken"] for a in attempts] == [created[0]["paymentToken"]]


def attempt_pk(attempt) -> str:
    return f"INVOICE#{attempt['contractId']}#{attempt['invoiceId']}"


def test_payment_methods_are_the_countrys(world):
    assert pay.payment_methods(None, CO) == ["POL", "PSE", "FACTURANET BANCOLOMBIA"]
    assert pay.payment_methods(["pse", " PSE", "facturanet  bancolombia"], CO) == [
        "PSE",
        "FACTURANET BANCOLOMBIA",
    ]
    with pytest.raises(InvalidParameter, match="paymentMethods"):
        pay.payment_methods(["BITCOIN"], CO)
    with pytest.raises(InvalidParameter, match="paymentMethods"):
        pay.payment_methods(["PSE", "TIGO MONEY"], CO)  # Guatemala's, not Colombia's


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
