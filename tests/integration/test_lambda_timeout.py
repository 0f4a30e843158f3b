"""A function that runs past its Timeout, through the runner as API Gateway serves it: the
caller gets API Gateway's answer to a Lambda timeout, the late invocation changes nothing,
and the next request is served by a fresh container."""

from __future__ import annotations

import json
import threading

from local import demo
from selfcare.adapters.items import DynamoItems
from tests.conftest import AS_OF
from tests.support.claims import claim

BASE = "/v1/tigo/home"


def test_a_timed_out_write_answers_502_changes_nothing_and_the_next_request_succeeds(
    client, gateway, monkeypatch
):
    customer = claim("co", lambda c: not any(k.get("paperless") for k in c["contracts"]))
    contract = customer["contracts"][0]["contractId"]
    path = f"{BASE}/co/billing/contracts/{contract}/paperlessInvoiceInfo"
    body = json.dumps({"email": "hogar@example.com", "registeringAppName": "MiTigoWeb"})
    host = gateway.hosts[("co", "BillingFunction")]
    host.handler()  # warm: the timeout below is the invocation's, not the cold start's
    release, blocked, wrote = threading.Event(), threading.Event(), []
    write = DynamoItems.write

    def hanging_write(self, *writes):  # DynamoDB that does not answer until released
        if not blocked.is_set():
            blocked.set()
            release.wait(30)
        write(self, *writes)
        wrote.append(writes)

    monkeypatch.setattr(DynamoItems, "write", hanging_write)
    monkeypatch.setattr(host, "timeout_s", 1.0)
    try:
        answer = client.post(path, data=body, content_type="application/json")
        late = [t for t in threading.enumerate() if t.name == f"lambda {host.name}"]
    finally:
        release.set()
    assert blocked.is_set()
    assert answer.status_code == 502
    assert answer.get_json() == {"code": 502, "message": "The service failed to answer"}
    assert answer.headers["Access-Control-Allow-Origin"]  # the gateway response's own headers
    for thread in late:
        thread.join(10)
    assert wrote == []  # Lambda stopped it at the deadline: its write never happened

    monkeypatch.setattr(host, "timeout_s", 10.0)
    assert client.get(path).status_code == 404
    created = client.post(path, data=body, content_type="application/json")
    assert created.status_code == 201, created.get_json()
    assert client.get(path).get_json()["email"] == "hogar@example.com"


def test_an_invocations_deadline_ends_with_it(client, gateway, stacks, monkeypatch):
    """The runner's process goes on calling DynamoDB between invocations (seeding a stack,
    rebuilding the stacks the embedded AWS lost): no invocation's deadline may outlive it."""
    from local.server import seeded
    from selfcare import budget

    customer = claim("co")
    balance = f"{BASE}/co/billing/contracts/{customer['contracts'][0]['contractId']}/balance"
    monkeypatch.setattr(budget, "MARGIN", 60.0)  # every call of the invocation: out of time
    assert client.get(balance).status_code == 504
    assert seeded(stacks["co"]) is not None  # as the runner checks, after that invocation


def test_a_crashed_function_answers_api_gateways_502_errorbody(client, gateway, monkeypatch):
    """An error the function does not handle (its runtime crashed, out of memory) is a
    function error as a timeout is: INTEGRATION_FAILURE's errorBody, no stack trace."""
    host = gateway.hosts[("co", "CasesFunction")]

    def crash(event):
        raise MemoryError("Runtime exited with error: signal: killed")

    monkeypatch.setattr(host, "invoke", crash)
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]["contractId"]
    answer = client.get(f"{BASE}/co/cases/contracts/{contract}/servicerequests")
    assert answer.status_code == 502
    assert answer.get_json() == {"code": 502, "message": "The service failed to answer"}
    assert answer.headers["Cache-Control"] == "no-store"
