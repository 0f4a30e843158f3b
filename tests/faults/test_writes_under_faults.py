"""Every change of the contract under every DynamoDB fault, through a fault proxy between
the functions and the embedded AWS (tests/support/faults.py).

For each write operation and each fault (throttle, 500 before and after applying, dropped
connection before and after applying, malformed 200 with and without its checksum, and a
call held past the invocation's budget before and after applying), on the operation's
first write to the service's data:

- the caller hears the operation's success, or for a call held past the budget a 504
  errorBody (never a 500, a 409 for its own change, or a success for a change not made);
- a retry with the same Idempotency-Key answers what a fault-free run of the request
  answers, and so does every later one;
- the data ends exactly as after that fault-free run: no change lost, none made twice,
  nothing else touched (every table, compared item by item, times and random ids aside).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import Client

from local import auth, demo, samples
from selfcare import budget
from selfcare.adapters import boto
from tests.support import claims
from tests.support.claims import claim
from tests.support.faults import Call, Fault
from tests.support.snapshots import Snapshot, changes, normalized

WRITES = frozenset({"PutItem", "DeleteItem", "UpdateItem", "TransactWriteItems", "BatchWriteItem"})
DATA_TABLES = ("SandboxTable", "PaperlessTable", "CheckoutTable")
ABSORBED = (  # a retry within the invocation gets through: the caller never notices
    Fault.THROTTLE,
    Fault.ERROR_BEFORE,
    Fault.ERROR_AFTER,
    Fault.DROP_BEFORE,
    Fault.DROP_AFTER,
    Fault.MALFORMED,
    Fault.MALFORMED_NO_CRC,
)
PAST_BUDGET = (Fault.HANG, Fault.HANG_AFTER)  # no time is left to retry: 504, retried later
# A hung call's scenario gives the functions a Timeout of a few times what the same request
# takes here and now, fault-free (a hung call then uses it all): short on a quiet machine,
# long enough on a busy one to reach the call the fault waits at. Beside it, the time a
# function keeps to answer and the connect time its AWS clients never start an attempt
# without (selfcare.budget.MARGIN, selfcare.adapters.boto.CONNECT_TIMEOUT).
BUDGET_TIMES, LONGEST_BUDGET = 5.0, 20.0
OPERATIONS = [sample.operation_id for sample in samples.SAMPLES]


def country_of(operation_id: str) -> str:
    """Colombia, but for the {idType} paperless routes (Guatemala subscribes by line)."""
    return "gt" if "{idType}" in samples.BY_OPERATION[operation_id].template else "co"


@dataclass
class Case:
    """One operation's request, for a customer of its own (claimed once per worker and
    backend; every scenario puts the data back)."""

    operation_id: str
    country: str
    method: str
    path: str
    body: dict[str, Any] | None
    token: str
    status: int


# By backend (claims.backend) too: tests/conformance/test_bss_writes_under_faults.py uses
# them on the tmf stacks' data, claimed apart from the sandbox's.
_cases: dict[tuple[str, str], Case] = {}  # (backend, operation)
_customers: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (backend, country): claimed


def customer_for(country: str, sample: samples.Sample) -> dict[str, Any]:
    """A customer the sample suits, shared by every scenario of this worker: each scenario
    puts the data back, so they never see each other's changes."""
    mine = _customers.setdefault((claims.backend, country), [])
    found = next((customer for customer in mine if sample.suits(customer)), None)
    if found is None:
        found = claim(country, sample.suits)
        mine.append(found)
    return found


def case_for(operation_id: str) -> Case:
    cached = (claims.backend, operation_id)
    if cached not in _cases:
        sample, country = samples.BY_OPERATION[operation_id], country_of(operation_id)
        customer = customer_for(country, sample)
        values = {
            **samples.customer_values(country, customer),
            **sample.values(country, customer),
        }
        _cases[cached] = Case(
            operation_id,
            country,
            sample.method,
            f"/v1/tigo/home/{country}" + demo.concrete(sample.template, values),
            sample.body(country, customer),
            auth.customer_token(customer["documentType"], customer["customerId"]),
            sample.status,
        )
    return _cases[cached]


@dataclass
class Answer:
    status: int
    body: Any


def send(gateway: Any, case: Case, key: str) -> Answer:
    response = Client(gateway).open(
        case.path,
        method=case.method,
        data=json.dumps(case.body) if case.body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {case.token}", "Idempotency-Key": key},
    )
    return Answer(response.status_code, response.get_json(silent=True))


def tokens_in(answer: Answer) -> list[str]:
    """The random ids a run made that its answer names (payment and card tokens)."""
    body = answer.body if isinstance(answer.body, dict) else {}
    return [str(body[k]) for k in ("paymentToken", "checkOutId", "cardToken") if body.get(k)]


@dataclass
class Clean:
    """A fault-free run of the operation: its answer, what it changed, and its calls."""

    answer: Answer
    changed: Any
    calls: list[Call]


_clean: dict[str, Clean] = {}


def clean_run(gateway: Any, fault_proxy: Any, case: Case, tables: list[str]) -> Clean:
    if case.operation_id not in _clean:
        before = Snapshot(tables)
        try:
            with fault_proxy.routed():
                answer = send(gateway, case, uuid.uuid4().hex)
            assert answer.status == case.status, answer
            changed = normalized(changes(before, Snapshot(tables)), tokens_in(answer))
            _clean[case.operation_id] = Clean(answer, changed, fault_proxy.calls)
        finally:
            before.restore()
            fault_proxy.clear()
    return _clean[case.operation_id]


Target = tuple[str, str, int]  # (operation, table, nth such call): where a fault lands


def writes(calls: list[Call], tables: set[str]) -> list[Target]:
    """Every write call to `tables`, in order, as a target."""
    found = []
    for index, call in enumerate(calls):
        table = next((t for t in call.tables if t in tables), None)
        if call.operation in WRITES and table is not None:
            nth = sum(
                1 for c in calls[:index] if c.operation == call.operation and table in c.tables
            )
            found.append((call.operation, table, nth + 1))
    return found


@pytest.fixture
def short_budget(gateway):
    """Sets every function's Timeout (seconds) for one request of the test."""
    hosts = list(gateway.hosts.values())
    saved = [host.timeout_s for host in hosts]

    def set_budget(seconds: float | None) -> None:
        """`seconds`, or None: each function's usual Timeout again."""
        for host, usual in zip(hosts, saved, strict=True):
            host.timeout_s = usual if seconds is None else seconds

    yield set_budget
    for host, timeout in zip(hosts, saved, strict=True):
        host.timeout_s = timeout


def budget_for(gateway, fault_proxy, case: Case, tables: list[str]) -> float:
    """BUDGET_TIMES what a fault-free run of `case` takes now (its changes put back)."""
    before = Snapshot(tables)
    try:
        started = time.perf_counter()
        with fault_proxy.routed():
            answer = send(gateway, case, uuid.uuid4().hex)
        took = time.perf_counter() - started
        assert answer.status == case.status, answer
    finally:
        before.restore()
        fault_proxy.clear()
    kept = budget.MARGIN + boto.CONNECT_TIMEOUT
    return min(kept + max(BUDGET_TIMES * took, 1.0), LONGEST_BUDGET)


def scenario(
    gateway,
    fault_proxy,
    operation_id: str,
    fault: Fault,
    write: int = 0,
    idempotency: bool = False,
    set_budget: Any = None,
) -> None:
    """`fault` on the request's `write`-th write (0: the first) to the service's data, or
    to its idempotency record with `idempotency`; `set_budget` for a call held past it."""
    case = case_for(operation_id)
    stack = gateway.stacks[case.country]
    data = [stack.table_name(name) for name in DATA_TABLES]
    clean = clean_run(gateway, fault_proxy, case, data)
    seconds = budget_for(gateway, fault_proxy, case, data) if fault in PAST_BUDGET else 0.0
    records = {stack.table_name("IdempotencyTable")}
    operation, table, nth = writes(clean.calls, records if idempotency else set(data))[write]
    before = Snapshot(data)
    try:
        while True:
            key = uuid.uuid4().hex
            fault_proxy.inject(fault, operation=operation, table=table, nth=nth)
            if seconds:
                set_budget(seconds)  # this request's functions only: retries get the usual
            try:
                with fault_proxy.routed():
                    first = send(gateway, case, key)
            finally:
                if seconds:
                    set_budget(None)
            fired = any(call.fault is fault for call in fault_proxy.calls)
            fault_proxy.release(go_on=False)
            fault_proxy.clear()
            if fired or not seconds or seconds >= LONGEST_BUDGET:
                break
            # The machine was too busy to reach the call before the budget ran out (a 504
            # too): again, on data as it was, with a new key and twice the time.
            assert first.status == 504, first
            before.restore()
            seconds = min(2 * seconds, LONGEST_BUDGET)
        assert fired, "the fault never fired"
        if fault in PAST_BUDGET:
            assert first.status == 504, first
            assert first.body["code"] == 504 and first.body["message"]
        else:
            assert first.status == case.status, first
        retried = send(gateway, case, key)
        again = send(gateway, case, key)
        assert retried.status == again.status == case.status, retried
        tokens = tokens_in(retried)
        expected = normalized_answer(clean.answer, tokens_in(clean.answer))
        assert normalized_answer(retried, tokens) == expected
        assert again.body == retried.body
        assert normalized(changes(before, Snapshot(data)), tokens) == clean.changed
    finally:
        before.restore()


def normalized_answer(answer: Answer, tokens: list[str]) -> Any:
    return normalized({"answer": {("", ""): {"body": answer.body}}}, tokens)


@pytest.mark.parametrize("fault", ABSORBED, ids=lambda f: f.name)
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_a_fault_a_retry_absorbs(gateway, fault_proxy, operation_id, fault):
    scenario(gateway, fault_proxy, operation_id, fault)


@pytest.mark.parametrize("fault", PAST_BUDGET, ids=lambda f: f.name)
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_a_call_held_past_the_budget(gateway, fault_proxy, short_budget, operation_id, fault):
    scenario(gateway, fault_proxy, operation_id, fault, set_budget=short_budget)


# Every write of the request that pays (the attempt, the gateway's session, its start), and
# the idempotency records (in progress, then the answer) of a change and of a payment.
AFTER = (Fault.ERROR_AFTER, Fault.DROP_AFTER, Fault.MALFORMED_NO_CRC)
CHECKOUT = "CreateCheckOutForContractIdAndInvoiceId"


@pytest.mark.parametrize("fault", AFTER, ids=lambda f: f.name)
@pytest.mark.parametrize("write", [1, 2])
def test_every_write_of_a_checkout(gateway, fault_proxy, write, fault):
    scenario(gateway, fault_proxy, CHECKOUT, fault, write=write)


@pytest.mark.parametrize("write", [1, 2])
def test_every_write_of_a_checkout_held_past_the_budget(gateway, fault_proxy, short_budget, write):
    scenario(gateway, fault_proxy, CHECKOUT, Fault.HANG_AFTER, write=write, set_budget=short_budget)


@pytest.mark.parametrize("fault", (*AFTER, Fault.MALFORMED, Fault.THROTTLE), ids=lambda f: f.name)
@pytest.mark.parametrize("write", [0, 1], ids=["in-progress", "answer"])
@pytest.mark.parametrize("operation_id", [CHECKOUT, "AddPhonesContactInformationByContractId"])
def test_idempotency_records(gateway, fault_proxy, operation_id, write, fault):
    scenario(gateway, fault_proxy, operation_id, fault, write=write, idempotency=True)


# The gateway's notification of an approval: the attempt moves on, the invoice takes the
# payment, the attempt says it is recorded, the notification is remembered. The gateway
# delivers it again until it hears 200.
NOTIFIED = (Fault.ERROR_AFTER, Fault.DROP_AFTER, Fault.MALFORMED_NO_CRC)


def notification_scenario(gateway, fault_proxy, fault: Fault, write: int) -> None:
    from decimal import Decimal

    from tests.support.notifications import signed_approval

    case = case_for(CHECKOUT)
    stack = gateway.stacks[case.country]
    data = [stack.table_name(name) for name in DATA_TABLES]
    start = Snapshot(data)
    try:
        paying = send(gateway, case, uuid.uuid4().hex)
        assert paying.status == 201, paying
        headers, body = signed_approval(
            stack, paying.body, Decimal(str(case.body["paymentAmount"])), "COP",
            f"SBXTX-{uuid.uuid4().hex[:12].upper()}", uuid.uuid4().hex,
        )  # fmt: skip
        path = f"/v1/tigo/home/{case.country}/payments/notifications/sandbox"

        def deliver() -> Any:
            return Client(gateway).post(path, data=body, headers=headers)

        paid = Snapshot(data)
        with fault_proxy.routed():
            assert deliver().status_code == 200
        clean = normalized(changes(paid, Snapshot(data)), tokens_in(paying))
        target = writes(fault_proxy.calls, set(data))[write]
        fault_proxy.clear()
        paid.restore()
        fault_proxy.inject(fault, operation=target[0], table=target[1], nth=target[2])
        with fault_proxy.routed():
            first = deliver()
        assert any(call.fault is fault for call in fault_proxy.calls), "the fault never fired"
        fault_proxy.clear()
        assert first.status_code == 200 or first.get_json()["code"] in (502, 503, 504)
        assert deliver().status_code == 200  # the gateway's next delivery
        assert normalized(changes(paid, Snapshot(data)), tokens_in(paying)) == clean
    finally:
        start.restore()


@pytest.mark.parametrize("fault", NOTIFIED, ids=lambda f: f.name)
@pytest.mark.parametrize("write", [0, 1, 2, 3], ids=["attempt", "invoice", "recorded", "seen"])
def test_a_payment_notification(gateway, fault_proxy, write, fault):
    notification_scenario(gateway, fault_proxy, fault, write)
