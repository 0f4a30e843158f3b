"""Races that really race: many threads released together against moto's server, below the
local runner's lock.

The runner (local/gateway.py) invokes every in-process handler under one lock
(`_invoking`): Powertools keeps the current event and Lambda context on class attributes
of its resolver (`BaseRouter.current_event`, `BaseRouter.lambda_context`), shared by every
resolver in the process, so two handlers cannot run at once in one process (Lambda gives
each invocation its own container). Requests fired from threads at the runner therefore
run one after another, and their "races" are decided by the reads a handler makes first.

These tests race where the decision is made instead: the stores' conditional writes and
Powertools idempotency's in-progress record, on the tables `template.yaml` defines (moto,
over HTTP, applying each request atomically as DynamoDB does). They call the code the
handlers call, with the same stores, settings and gateway the billing function builds,
taken from the billing function's own module as the runner imported it.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid
from typing import Any

import pytest

from selfcare.adapters.items import DynamoItems
from selfcare.errors import Conflict, ServiceError
from selfcare.stores.paperless import PaperlessStore, Target, key_of
from tests.support.claims import claim
from tests.support.races import MeetAtFirstRead, one_winner, race

N = 8  # racers
BASE = "/v1/tigo/home"


def billing_function(gateway, country: str) -> Any:
    """The billing function's module for a country's stack, imported (its cold start) by the
    runner under the function's environment, as every request to it uses it."""
    host = gateway.hosts[(country, "BillingFunction")]
    host.handler()
    return sys.modules[host.module_key]


def unsubscribed_holder(country: str) -> dict[str, Any]:
    return claim(country, lambda c: not any(k.get("paperless") for k in c["contracts"]))


def paperless_stage(gateway) -> tuple[Any, DynamoItems, str]:
    """sv's billing function, the items of its paperless table and a contract with no
    subscription yet."""
    billing = billing_function(gateway, "sv")
    items = DynamoItems(billing.api.settings.require("paperless_table"), "The paperless store")
    return billing, items, unsubscribed_holder("sv")["contracts"][0]["contractId"]


def subscription(billing: Any, contract_id: str, email: str) -> dict[str, Any]:
    """The paperlessInvoiceInfo a request for `email` makes, as the route builds it."""
    from billing import paperless
    from selfcare.models.billing import paperlessInvoiceInfoRequest

    contract = billing.api.directory.find_contract(contract_id)
    request = paperlessInvoiceInfoRequest.model_validate(
        {"email": email, "registeringAppName": "MiTigoWeb"}
    )
    return paperless.subscription(request, contract, billing.api.country)


def who(i: int) -> dict[str, Any]:
    return {"who": {"kind": "agent", "clientId": f"racer-{i}"}, "registeringAppName": "MiTigoWeb"}


# Paperless: created once -------------------------------------------------------------------
def test_concurrent_creates_of_one_subscription_have_one_winner_and_one_audit_record(gateway):
    billing, items, contract_id = paperless_stage(gateway)
    target = Target(contract_id)
    infos = [subscription(billing, contract_id, f"r{i}@example.com") for i in range(N)]
    store = PaperlessStore(items)
    assert store.read(target) is None and store.audit(contract_id) == []

    def create(i: int, barrier: threading.Barrier) -> int:
        barrier.wait()  # no read first: the conditional write (absent) decides alone
        return store.create([target], infos[i], who(i))

    won, lost = one_winner(race(N, create))
    assert won.value == 1
    for loser in lost:
        assert isinstance(loser.error, Conflict), repr(loser.error)
        assert loser.error.status == 409
        assert str(loser.error) == f"contract {contract_id} is already subscribed"
    assert store.read(target) == (infos[won.racer], 1)
    audit = store.audit(contract_id)
    assert [a["action"] for a in audit] == ["create"]
    assert audit[0]["after"] == infos[won.racer] and "before" not in audit[0]
    assert audit[0]["who"]["clientId"] == f"racer-{won.racer}"
    assert audit[0]["subscription"] == key_of(target)[1]


# Paperless: updates of one version ---------------------------------------------------------
def test_concurrent_updates_of_one_version_are_decided_by_the_conditional_write(gateway):
    billing, items, contract_id = paperless_stage(gateway)
    target = Target(contract_id)
    store = PaperlessStore(items)
    original = subscription(billing, contract_id, "hogar@example.com")
    assert store.create([target], original, who(-1)) == 1
    info, version = store.read(target)
    assert (info, version) == (original, 1)
    infos = [subscription(billing, contract_id, f"u{i}@example.com") for i in range(N)]

    def update(i: int, barrier: threading.Barrier) -> int:
        # Each racer has its own store whose first read (update's, of the current version)
        # waits for every other racer's: all read `version`, so every If-Match pre-check
        # (expected == version read) passes, and the versioned write alone decides.
        racer = PaperlessStore(MeetAtFirstRead(items, barrier))
        return racer.update([target], infos[i], {**who(i), "updateReason": f"r{i}"}, version)

    won, lost = one_winner(race(N, update))
    assert won.value == version + 1
    for loser in lost:
        assert isinstance(loser.error, Conflict), repr(loser.error)
        assert loser.error.status == 409
        # the conditional write's refusal, not the If-Match pre-check's ("since it was read")
        assert str(loser.error) == (
            f"contract {contract_id} changed meanwhile; read it again and retry"
        )
    assert store.read(target) == (infos[won.racer], version + 1)
    audit = store.audit(contract_id)
    assert [a["action"] for a in audit] == ["create", "update"]
    assert audit[1]["before"] == original and audit[1]["after"] == infos[won.racer]
    assert audit[1]["updateReason"] == f"r{won.racer}"
    assert audit[1]["who"]["clientId"] == f"racer-{won.racer}"
    # and the If-Match pre-check still refuses a writer that read the old version
    stale = PaperlessStore(items)
    with pytest.raises(Conflict, match="since it was read"):
        stale.update([target], original, who(-2), version)
    assert store.read(target) == (infos[won.racer], version + 1)


# Checkout: one Idempotency-Key -------------------------------------------------------------
def owing(country: str) -> dict[str, Any]:
    return claim(country, lambda c: any(not i["hasPayment"] for i in c["contracts"][0]["invoices"]))


def test_concurrent_checkouts_with_one_idempotency_key_create_one_attempt(gateway):
    """POST checkOut's path under an Idempotency-Key (billing app's
    create_checkout_for_contract_id_and_invoice_id -> Api.once -> idempotency.once ->
    checkout.create), raced at the idempotency layer: Api.once itself reads the resolver's
    class-level current event, which one process cannot hold for two requests at once."""
    from billing import checkout as pay
    from billing import invoices
    from local.gateway import LambdaContext
    from selfcare import idempotency
    from selfcare.api import dumps
    from selfcare.body import parse
    from selfcare.models.billing import CheckOutInfo, CheckOutReference
    from selfcare.stores.checkout import invoice_pk

    billing = billing_function(gateway, "co")
    api = billing.api
    function = gateway.hosts[("co", "BillingFunction")].function
    customer = owing("co")
    contract_id = customer["contracts"][0]["contractId"]
    contract = api.directory.find_contract(contract_id)
    invoice_id = next(
        i["invoiceId"]
        for i in invoices.by_contract(api.backend, contract, 5)
        if not i["hasPayment"] and i["dueAmount"] > 0
    )
    invoice = invoices.one(api.backend, contract, invoice_id)  # as the route reads it
    body = dumps(  # as an app sends it (JSON numbers)
        {
            "invoiceId": invoice_id,
            "paymentAmount": invoice["dueAmount"],
            "customerInfo": {"customerId": "1", "name": "Ana", "email": "ana@example.com"},
            "returnUrl": "https://mi.tigo.com.co/pagos/resultado",
            "cancelUrl": "https://mi.tigo.com.co/pagos/cancelado",
        }
    )
    request = parse({"body": body}, CheckOutInfo)
    path = f"{BASE}/co/billing/contracts/{contract_id}/invoices/{invoice_id}/checkOut"
    base = f"http://127.0.0.1:3000{BASE}/co"
    scope = f"call-centre|POST {path}"  # Api.once's: the caller, the method and the path
    table = api.settings.require("idempotency_table")
    store = billing.wiring.checkout
    pk = invoice_pk(contract_id, invoice_id)
    assert store.items.query(pk, prefix="ATTEMPT#") == []

    counted: list[str] = []
    produced: list[int] = []
    lock = threading.Lock()

    def count(metric: str, value: int = 1) -> None:
        with lock:
            counted.extend([metric] * value)

    def produce() -> tuple[Any, int]:  # the route's, with a thread-safe metric recorder
        with lock:
            produced.append(1)
        found = billing.wiring.gateway()
        urls = (f"{base}/payments/notifications/{found.name}", base)
        checkout = pay.Checkout(
            contract, invoice, request, api.country, urls, api.settings.checkout_minutes
        )
        created = pay.create(store, found, api.backend, checkout, pay.Events(count))
        return created, 201

    def context() -> LambdaContext:  # as the runner gives each invocation
        return LambdaContext(
            function.name, function.memory_mb, function.timeout_s, str(uuid.uuid4())
        )

    # A warm container, as Lambda reuses: the gateway's secret read and cached, and the
    # shared Powertools persistence layer configured by a first (unrelated) idempotent call.
    billing.wiring.gateway()
    warm = idempotency.once(
        table, scope, f"warm-{uuid.uuid4().hex}", "{}", lambda: ({}, 200), dumps, context()
    )
    assert warm == ("{}", 200, {})

    key = f"race-{uuid.uuid4().hex}"

    def post(i: int, barrier: threading.Barrier) -> tuple[int, Any]:
        barrier.wait()
        text, status, _ = idempotency.once(table, scope, key, body, produce, dumps, context())
        return status, json.loads(text)

    outcomes = race(N, post)
    answers = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if o.error is not None]
    assert answers, f"no racer got the attempt: {[repr(o.error) for o in refused]}"
    for refusal in refused:
        assert isinstance(refusal.error, ServiceError), repr(refusal.error)
        assert refusal.error.status == 409 and "in progress" in str(refusal.error), repr(
            refusal.error
        )
    references = {json.dumps(answer.value[1], sort_keys=True) for answer in answers}
    assert all(answer.value[0] == 201 for answer in answers)
    assert len(references) == 1, f"racers got different attempts: {references}"
    reference = CheckOutReference.model_validate(answers[0].value[1])
    assert produced == [1] and counted == ["CheckoutsCreated"]

    stored = store.items.query(pk, prefix="ATTEMPT#")
    assert len(stored) == 1, f"{len(stored)} attempts written for one Idempotency-Key"
    attempt = stored[0]
    assert attempt["paymentToken"] == reference.paymentToken
    assert attempt["checkOutId"] == reference.checkOutId and attempt["status"] == "pending"
    assert store.by_token(reference.paymentToken) == attempt
    # Once the first is done, a retry with the key replays the very same attempt
    replay = idempotency.once(table, scope, key, body, produce, dumps, context())
    assert replay[1] == 201 and json.loads(replay[0]) == answers[0].value[1]
    assert produced == [1] and store.items.query(pk, prefix="ATTEMPT#") == [attempt]
