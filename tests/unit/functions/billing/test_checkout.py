"""Checkout logic over in-memory stores: one attempt in process at a time, outcomes applied
once however many arrive at the same time, status only moving forward, and approvals that
come too late kept for a refund instead of paying an invoice twice."""

from __future__ import annotations

import logging
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
from selfcare.errors import (
    Conflict,
    InvalidParameter,
    Unavailable,
    UpstreamError,
    UpstreamTimeout,
)
from selfcare.models.customer import CustomerInfo
from selfcare.payments import Credentials, Outcome
from selfcare.ports import ContractRef
from selfcare.stores.checkout import OPEN, CheckoutStore
from tests.support.metrics import Counted
from tests.support.races import MeetAtFirstRead, MeetAtRecord, failures, one_winner, race

CO = get_country("co")


@pytest.fixture
def world():
    return build_world("sandbox")


@pytest.fixture
def payu_world():
    """As `world`, the attempt through PayU WebCheckout (whose page lets a declined payer
    retry in the same session)."""
    return build_world("payu")


def build_world(gateway: str):
    dataset = generate_dataset("co", date(2026, 11, 26), 10)
    backend = SandboxBackend(MemoryItems(layout.dataset_items(dataset)))
    store = CheckoutStore(MemoryItems())
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
            "gateway": gateway,
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


def racing(store: CheckoutStore, barrier) -> CheckoutStore:
    """The store as racers see it: each one's first read waits until every racer has read
    (tests/support/races.py), so all of them decide on the same version of the attempt."""
    return CheckoutStore(MeetAtFirstRead(store.items, barrier))


def settled_at_once(n: int, store, backend, attempt, outcome_of) -> tuple[list, list[str]]:
    """`n` deliveries, racer i's of outcome_of(i), settled at once through `racing`: their
    outcomes and the events they counted."""
    counted = Counted()

    def deliver(i: int, barrier) -> dict:
        return pay.settle(
            racing(store, barrier),
            backend,
            attempt,
            outcome_of(i),
            events=pay.Events(counted),
        )

    return race(n, deliver), counted


def test_simultaneous_notifications_record_one_payment(world):
    """Eight deliveries (two notifications of one approval, each delivered four times) all
    read the pending attempt before any writes: one moves it, every delivery answers the
    approved and recorded attempt, and the invoice is paid once."""
    backend, store, attempt, invoice = world
    outcomes, counted = settled_at_once(
        8, store, backend, attempt, lambda n: approved(invoice, f"n-{n % 2}")
    )
    assert failures(outcomes) == []  # no loser is told to retry: the outcome is known
    assert counted == ["PaymentsApproved"]  # one winner moved the attempt
    for answer in (o.value for o in outcomes):
        assert answer["status"] == "approved" and answer["paymentRecorded"] is True
        assert answer["transactionId"] == "TX-9"
    paid = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    assert paid["dueAmount"] == 0 and paid["hasPayment"] is True
    assert payments(backend, attempt) == ["TX-9"]
    assert backend.payment_info(attempt["contractId"], attempt["invoiceId"])["paymentId"] == "TX-9"
    current = store.get(attempt["contractId"], attempt["invoiceId"], "tok-12345678")
    assert current["status"] == "approved" and current["paymentRecorded"] is True
    pay.settle(store, backend, current, approved(invoice, "n-9"))  # later repeats: nothing moves
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["dueAmount"] == 0
    assert payments(backend, attempt) == ["TX-9"]


def current(store, attempt):
    return store.get(attempt["contractId"], attempt["invoiceId"], attempt["paymentToken"])


def test_status_only_moves_forward_and_an_approval_after_a_decline_is_kept_for_refund(
    world, caplog
):
    """Through the sandbox gateway, whose page is over once declined (no retry there)."""
    backend, store, attempt, invoice = world
    declined = Outcome("tok-12345678", "declined", notification_id="d-1")
    pay.settle(store, backend, attempt, declined)
    assert current(store, attempt)["status"] == "declined"
    with caplog.at_level("WARNING", logger="billing"):
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
    with caplog.at_level("WARNING", logger="billing"):
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

    def outcome(n: int) -> Outcome:
        if n % 2:
            return Outcome("tok-12345678", "declined", notification_id=f"d-{n}")
        return replace(approved(invoice, f"a-{n}"), transaction_id=f"TX-{n}")

    outcomes = race(8, lambda n, barrier: racing(store, barrier).advance(attempt, outcome(n)))
    assert failures(outcomes) == []
    (won,) = [outcome(o.racer).status for o in outcomes if o.value.moved]  # one winner
    assert current(store, attempt)["status"] == won
    for n in range(8):  # every delivery applied once more, as the gateway retries
        pay.settle(store, backend, attempt, outcome(n))
    final = current(store, attempt)
    assert final["status"] == won
    paid = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    kept = {k["transactionId"] for k in final.get("lateApprovals", [])}
    if won == "approved":
        assert paid["hasPayment"] is True and len(kept) == 3  # the other three approvals
        assert final["transactionId"] not in kept
    else:
        assert paid["hasPayment"] is False and kept == {"TX-0", "TX-2", "TX-4", "TX-6"}


def test_an_expiry_and_an_approval_at_the_same_time_end_one_way(world):
    backend, store, attempt, invoice = world
    expire(store, attempt, seconds_ago=0)
    in_time = replace(approved(invoice, "n-1"), at=datetime.now(UTC) - timedelta(minutes=1))

    def one(n: int, barrier) -> dict:
        racer = racing(store, barrier)  # both read the pending attempt before either writes
        if n == 0:
            return racer.expire(attempt, "not paid in time")
        return pay.settle(racer, backend, attempt, in_time)

    closed, settled = race(2, one)
    assert failures([closed, settled]) == []
    final = current(store, attempt)
    assert closed.value["status"] == settled.value["status"] == final["status"]  # one way
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
    answer = {"paymentToken": attempt["paymentToken"], "checkOutId": attempt["paymentToken"]}
    store.started(attempt, attempt["paymentToken"], "https://example.com/pay", answer)
    return store.current(attempt)


def started_and_expired(store, attempt):
    """The attempt handed to the gateway, then past its deadline: as it is kept now."""
    attempt = started(store, attempt)
    expire(store, attempt)
    return attempt


def approved_in_time(invoice) -> Outcome:
    """The gateway's answer, asked after the deadline: approved two minutes ago, in time."""
    return replace(approved(invoice, "q-1"), at=datetime.now(UTC) - timedelta(minutes=2))


def test_a_pending_attempt_past_its_expiry_asks_the_gateway_once_and_records_it_in_time(world):
    backend, store, attempt, invoice = world
    attempt = started_and_expired(store, attempt)
    gateway = AskedGateway(approved_in_time(invoice))
    answer, status = pay.answer(store, gateway, backend, current(store, attempt), "x")
    assert status == 200 and answer["paymentApproved"] is True and answer["paymentStatus"] == 4
    assert backend.invoice(attempt["contractId"], attempt["invoiceId"])["hasPayment"] is True
    pay.answer(store, gateway, backend, current(store, attempt), "x")
    assert gateway.asked == 1


def test_a_payment_still_pending_at_the_gateway_ends_expired_and_its_late_approval_is_kept(world):
    backend, store, attempt, invoice = world
    attempt = started_and_expired(store, attempt)
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
    attempt = started_and_expired(store, attempt)
    gateway = AskedGateway(approved_in_time(invoice))
    request = checkout_request(invoice)
    contract = ContractRef(attempt["contractId"], "CC", "1", "", "")
    fresh = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    with pytest.raises(Conflict, match="already paid"):  # it was paid in time after all
        pay.create(
            store, gateway, backend, pay.Checkout(contract, fresh, request, CO, ("", ""), 30)
        )
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
    store = CheckoutStore(MemoryItems())  # no attempt yet
    sandbox = SandboxGateway(Credentials("sandbox", notification_secret="x"), MemoryItems())
    contract = ContractRef(attempt["contractId"], "CC", "1", "", "")

    def start(n: int, barrier) -> dict:
        # every racer reads that no attempt is in process before any records one
        racer = CheckoutStore(MeetAtFirstRead(store.items, barrier, key=lambda pk, sk: sk == OPEN))
        return pay.create(
            racer,
            sandbox,
            backend,
            pay.Checkout(
                contract,
                invoice,
                checkout_request(invoice),
                CO,
                ("https://api/n", "https://api"),
                30,
            ),
        )

    winner, refused = one_winner(race(6, start))
    assert len(refused) == 5 and failures(refused, Conflict) == []
    assert all("in process" in str(o.error) for o in refused)
    created = [winner.value]
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


# PayU WebCheckout: a payer whose card was declined may retry on PayU's page in the same
# session; PayU then confirms the same reference again, a new transaction, approved.
A, B = "tok-12345678", "tok-newer-87654321"  # the attempts' payment tokens


def declined_by_payu(ref: str = A, tx: str = "TX-D1") -> Outcome:
    return Outcome(ref, "declined", transaction_id=tx, payment_method="VISA",
                   card_brand="VISA", notification_id=f"{tx}:6")  # fmt: skip


def approved_by_payu(invoice, tx: str, ref: str = A, at=None) -> Outcome:
    return Outcome(ref, "approved", Decimal(invoice["dueAmount"]), "COP", tx, "PSE",
                   "Bancolombia", None, f"{tx}:4", at)  # fmt: skip


def newer_attempt(store, attempt, ref: str = B):
    """Attempt B for the same invoice, started after A's decline (A does not block it)."""
    fields = ("gateway", "contractId", "invoiceId", "paymentAmount", "currencyId")
    return store.create({"paymentToken": ref, **{k: attempt[k] for k in fields}}, minutes=30)


def payments(backend, attempt) -> list[str]:
    """The ids of every payment the invoice took."""
    item = backend._invoice_item(attempt["contractId"], attempt["invoiceId"])
    return [p["paymentId"] for p in item.get("payments") or []]


def reads(store, backend, attempt) -> tuple[bool, int]:
    answer, status = pay.answer(store, None, backend, current(store, attempt), "x")
    assert status == 200
    return answer["paymentApproved"], answer["paymentStatus"]


def test_a_retry_approved_after_a_decline_pays_the_invoice_once(payu_world, caplog):
    backend, store, attempt, invoice = payu_world
    counted = Counted()
    pay.settle(store, backend, attempt, declined_by_payu(), events=pay.Events(counted))
    assert reads(store, backend, attempt) == (False, 6)
    retry = approved_by_payu(invoice, "TX-R1")
    with caplog.at_level("WARNING", logger="billing"):
        after = pay.settle(store, backend, attempt, retry, events=pay.Events(counted))
        pay.settle(store, backend, attempt, retry, events=pay.Events(counted))  # PayU retries it
        pay.settle(store, backend, attempt, declined_by_payu(), events=pay.Events(counted))  # late
    assert after["status"] == "approved" and after["paymentRecorded"] is True
    assert after["approvedAfterDecline"] is True and after["declinedTransactionId"] == "TX-D1"
    assert after["declinedAt"] and after["paymentDate"]
    # the retry's payment, not the declined card's
    assert (after["transactionId"], after["paymentMethod"], after["bankName"]) == (
        "TX-R1", "PSE", "Bancolombia")  # fmt: skip
    assert "cardBrand" not in after
    assert current(store, attempt) == after  # nothing moved since
    assert "refundDue" not in after and "lateApprovals" not in after
    assert counted == ["PaymentsDeclined", "PaymentsApproved"]
    paid = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    assert paid["hasPayment"] is True and paid["dueAmount"] == 0
    assert payments(backend, attempt) == ["TX-R1"]
    assert reads(store, backend, attempt) == (True, 4)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]  # nothing to refund


def test_a_retry_approved_after_the_expiry_is_kept_for_refund(payu_world, caplog):
    backend, store, attempt, invoice = payu_world
    pay.settle(store, backend, attempt, declined_by_payu())
    expire(store, attempt)
    with caplog.at_level("WARNING", logger="billing"):
        after = pay.settle(store, backend, attempt, approved_by_payu(invoice, "TX-R1"))
    assert after["status"] == "declined" and after["refundDue"] is True
    assert "approvedAfterDecline" not in after and after["transactionId"] == "TX-D1"
    (late,) = after["lateApprovals"]
    assert late["transactionId"] == "TX-R1" and "expiry" in late["reason"]
    assert payments(backend, attempt) == []
    assert reads(store, backend, attempt) == (False, 6)
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert warning.gatewayReference == "TX-R1" and "expiry" in warning.reason


def test_a_retry_decided_before_the_expiry_but_heard_after_it_pays(payu_world):
    backend, store, attempt, invoice = payu_world
    pay.settle(store, backend, attempt, declined_by_payu())
    expire(store, attempt, seconds_ago=60)
    in_time = approved_by_payu(invoice, "TX-R1", at=datetime.now(UTC) - timedelta(minutes=2))
    after = pay.settle(store, backend, attempt, in_time)
    assert after["status"] == "approved" and after["approvedAfterDecline"] is True
    assert payments(backend, attempt) == ["TX-R1"]
    assert reads(store, backend, attempt) == (True, 4)


def test_a_newer_attempt_paid_first_leaves_the_retry_to_refund(payu_world):
    backend, store, a, invoice = payu_world
    pay.settle(store, backend, a, declined_by_payu())
    b = newer_attempt(store, a)
    pay.settle(store, backend, b, approved_by_payu(invoice, "TX-B", ref=b["paymentToken"]))
    assert payments(backend, a) == ["TX-B"]
    after = pay.settle(store, backend, a, approved_by_payu(invoice, "TX-R1"))
    assert after["status"] == "declined" and "approvedAfterDecline" not in after
    (late,) = after["lateApprovals"]
    assert late["transactionId"] == "TX-R1" and "invoice" in late["reason"]
    assert after["refundDue"] is True
    assert payments(backend, a) == ["TX-B"]  # paid once, by B
    assert reads(store, backend, a) == (False, 6) and reads(store, backend, b) == (True, 4)


def test_a_retry_paid_first_leaves_the_newer_attempts_approval_to_refund(payu_world, caplog):
    backend, store, a, invoice = payu_world
    pay.settle(store, backend, a, declined_by_payu())
    b = newer_attempt(store, a)
    pay.settle(store, backend, a, approved_by_payu(invoice, "TX-R1"))
    assert payments(backend, a) == ["TX-R1"]
    assert reads(store, backend, a) == (True, 4)
    with caplog.at_level("WARNING", logger="billing"):
        after = pay.settle(
            store, backend, b, approved_by_payu(invoice, "TX-B", ref=b["paymentToken"])
        )
    assert after["paymentRefused"] is True and after["refundDue"] is True
    assert "paymentRecorded" not in after
    assert [k["transactionId"] for k in after["lateApprovals"]] == ["TX-B"]
    assert payments(backend, a) == ["TX-R1"]  # paid once, by A's retry
    assert reads(store, backend, b) == (False, 6)  # B's payment was not applied
    answer, _ = pay.answer(store, None, backend, current(store, b), "x")
    assert "paymentDate" not in answer
    assert reads(store, backend, a) == (True, 4)
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert warning.gatewayReference == "TX-B"


def test_a_retry_and_a_newer_attempts_approval_recorded_at_once_pay_the_invoice_once(
    payu_world,
):
    backend, store, a, invoice = payu_world
    pay.settle(store, backend, a, declined_by_payu())
    b = newer_attempt(store, a)
    counted = Counted()
    deliveries = [
        (a, approved_by_payu(invoice, "TX-R1")),
        (b, approved_by_payu(invoice, "TX-B", ref=b["paymentToken"])),
    ]

    def deliver(n: int, barrier) -> dict:
        meeting = MeetAtRecord(backend, barrier)
        return pay.settle(store, meeting, *deliveries[n], events=pay.Events(counted))

    outcomes = race(2, deliver)
    assert failures(outcomes) == []
    (paid,) = payments(backend, a)  # one of the two, never both
    winner, loser = (a, b) if paid == "TX-R1" else (b, a)
    heard = {o.value["paymentToken"]: o.value for o in outcomes}  # each its own answer
    assert heard[winner["paymentToken"]]["paymentRecorded"] is True
    assert heard[loser["paymentToken"]]["paymentRefused"] is True
    assert current(store, winner)["paymentRecorded"] is True
    lost = current(store, loser)
    assert lost["status"] == "approved" and lost["paymentRefused"] is True
    assert lost["refundDue"] is True and "paymentRecorded" not in lost
    assert [k["transactionId"] for k in lost["lateApprovals"]] == [lost["transactionId"]]
    assert reads(store, backend, winner) == (True, 4)
    assert reads(store, backend, loser) == (False, 6)
    assert sorted(counted) == ["PaymentsApproved", "PaymentsApproved", "PaymentsToRefund"]
    for attempt, outcome in deliveries:  # PayU retries both: nothing moves
        pay.settle(store, backend, attempt, outcome)
    assert payments(backend, a) == [paid]
    assert current(store, loser)["lateApprovals"] == lost["lateApprovals"]


def test_retries_approved_at_the_same_time_are_decided_by_the_conditional_write(payu_world):
    """Several approvals for one declined attempt at once (different transactions): one
    moves it declined -> approved and pays; the others are kept for a refund."""
    backend, store, attempt, invoice = payu_world
    pay.settle(store, backend, attempt, declined_by_payu())
    outcomes, counted = settled_at_once(
        6, store, backend, attempt, lambda n: approved_by_payu(invoice, f"TX-R{n}")
    )
    # A loser hears its approval is kept for a refund, or (the attempt kept changing under
    # it) a 409 to retry, as PayU does below; nothing else.
    assert failures(outcomes, Conflict) == []
    assert all("retry" in str(o.error) for o in outcomes if o.error is not None)
    assert counted.count("PaymentsApproved") == 1  # one winner
    (winner,) = [o for o in outcomes if o.value and o.value["transactionId"] == f"TX-R{o.racer}"]
    assert winner.value["status"] == "approved" and winner.value["paymentRecorded"] is True
    kept = [o for o in outcomes if o is not winner and o.error is None]
    assert counted.count("PaymentsToRefund") == len(kept)
    for loser in kept:  # told theirs is kept for a refund
        assert f"TX-R{loser.racer}" in {k["transactionId"] for k in loser.value["lateApprovals"]}
        assert loser.value["refundDue"] is True
    for n in range(6):  # every confirmation delivered once more, as PayU retries
        pay.settle(store, backend, attempt, approved_by_payu(invoice, f"TX-R{n}"))
    final = current(store, attempt)
    assert final["status"] == "approved" and final["approvedAfterDecline"] is True
    assert payments(backend, attempt) == [final["transactionId"]]
    kept = {k["transactionId"] for k in final["lateApprovals"]}
    assert kept == {f"TX-R{n}" for n in range(6)} - {final["transactionId"]}
    assert "paymentRefused" not in final and reads(store, backend, attempt) == (True, 4)


# Notifications: what a gateway notifies counts only as its own records confirm it.
class Notifying:
    """PayU as our route hears it: its (verified) confirmation says `outcome`; asked, its
    Queries API answers `confirmed` (None: it does not confirm it) or fails with `failure`."""

    name = "payu"

    def __init__(self, outcome: Outcome, confirmed: Outcome | None = None, failure=None):
        self.outcome, self.confirmed, self.failure = outcome, confirmed, failure
        self.asked = 0

    def verify_notification(self, headers, body) -> Outcome:
        return self.outcome

    def confirm(self, outcome: Outcome) -> Outcome | None:
        self.asked += 1
        if self.failure is not None:
            raise self.failure
        return self.confirmed


def hear(store, backend, gateway, counted=None) -> str:
    events = pay.Events(counted, logging.getLogger("billing"))
    answer = pay.receive(store, gateway, backend, {}, "", events)
    assert answer["response"] == "OK"
    return answer["message"]


def confirmed_as_notified(outcome: Outcome) -> Notifying:
    return Notifying(outcome, outcome)


def test_an_approval_the_gateway_does_not_confirm_is_recorded_nowhere(payu_world, caplog):
    """The audit's forged "late approval": a payer who paid once signs confirmations of
    approvals PayU never made; none is kept, logged as a refund or counted as one."""
    backend, store, attempt, invoice = payu_world
    paid = approved_by_payu(invoice, "TX-1")
    assert hear(store, backend, confirmed_as_notified(paid)) == (
        "Notification applied: the payment is approved"
    )
    before = current(store, attempt)
    counted = Counted()
    with caplog.at_level("WARNING", logger="billing"):
        for n in range(3):
            forged = Notifying(approved_by_payu(invoice, f"TX-FORGED-{n}"), confirmed=None)
            heard = hear(store, backend, forged, counted)
            assert heard == "Notification ignored: PayU does not confirm it"
            assert forged.asked == 1
    assert current(store, attempt) == before  # no lateApprovals, no refundDue
    assert payments(backend, attempt) == ["TX-1"]
    assert counted == ["NotificationsUnconfirmed"] * 3
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings and not [w for w in warnings if "refund" in w]
    assert all("tok-12345678" not in repr(r.__dict__) for r in caplog.records)


def test_an_unconfirmed_approval_leaves_a_pending_attempt_pending(payu_world):
    backend, store, attempt, invoice = payu_world
    forged = Notifying(approved_by_payu(invoice, "TX-FORGED"), confirmed=None)
    assert hear(store, backend, forged) == "Notification ignored: PayU does not confirm it"
    assert current(store, attempt)["status"] == "pending"
    assert payments(backend, attempt) == []


def test_only_what_the_gateway_confirms_is_recorded(payu_world):
    """Unsigned fields (the bank, the method, the date) come from the gateway's records."""
    backend, store, attempt, invoice = payu_world
    yesterday = datetime.now(UTC) - timedelta(days=1)
    notified = replace(approved_by_payu(invoice, "TX-9"), bank_name="Banco Inventado",
                       payment_method="AMEX", at=datetime(2020, 1, 1, tzinfo=UTC))  # fmt: skip
    confirmed = replace(approved_by_payu(invoice, "TX-9"), bank_name=None,
                        payment_method="PSE", at=yesterday)  # fmt: skip
    hear(store, backend, Notifying(notified, confirmed))
    after = current(store, attempt)
    assert (after["transactionId"], after["paymentMethod"]) == ("TX-9", "PSE")
    assert "bankName" not in after and after["paymentDate"] == yesterday.date().isoformat()


@pytest.mark.parametrize("failure", [UpstreamError("x"), Unavailable("x"), UpstreamTimeout("x")])
def test_a_gateway_that_cannot_confirm_now_hears_5xx_and_nothing_is_recorded(payu_world, failure):
    backend, store, attempt, invoice = payu_world
    notified = approved_by_payu(invoice, "TX-9")
    with pytest.raises(type(failure)) as raised:
        hear(store, backend, Notifying(notified, failure=failure))
    assert raised.value.status in (502, 503, 504)
    assert current(store, attempt)["version"] == attempt["version"]
    assert payments(backend, attempt) == []
    # the gateway retries it: not taken for a repeat, it is applied now
    assert hear(store, backend, confirmed_as_notified(notified)) == (
        "Notification applied: the payment is approved"
    )
    assert payments(backend, attempt) == ["TX-9"]


def test_the_answer_says_what_happened(payu_world):
    backend, store, attempt, invoice = payu_world
    declined = confirmed_as_notified(declined_by_payu())
    assert hear(store, backend, declined) == "Notification applied: the payment is declined"
    assert hear(store, backend, declined) == "Notification already known: nothing changed"
    retried = confirmed_as_notified(approved_by_payu(invoice, "TX-R1"))
    assert hear(store, backend, retried) == "Notification applied: the payment is approved"
    again = confirmed_as_notified(replace(approved_by_payu(invoice, "TX-R1"), notification_id="x"))
    assert hear(store, backend, again) == "Notification already known: nothing changed"
    assert again.asked == 0  # its own approval, recorded: nothing to confirm
    late_decline = confirmed_as_notified(declined_by_payu(tx="TX-D2"))
    assert hear(store, backend, late_decline) == "Notification already known: nothing changed"
    assert late_decline.asked == 0
    second = confirmed_as_notified(approved_by_payu(invoice, "TX-R2"))
    assert hear(store, backend, second) == "Notification received: approval kept for refund"
    assert [k["transactionId"] for k in current(store, attempt)["lateApprovals"]] == ["TX-R2"]
