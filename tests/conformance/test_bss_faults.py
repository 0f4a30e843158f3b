"""A failing BSS (issue 13): faults injected at the TMF stand-in give the right errorBody,
within the invocation's budget, without upstream text, and never a partial or doubled
write; a client retrying with the same Idempotency-Key gets the change made exactly once."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import TokenClient
from tests.support.claims import claim

BASE = "/v1/tigo/home/co"
LEAK = "injected fault"  # the stand-in's own words: never in our answers


@pytest.fixture
def bss(tmf_standin):
    tmf_standin.clear()
    yield tmf_standin
    tmf_standin.clear()


@pytest.fixture
def api(tmf_stacks, agent_token):
    """Fresh function containers (their own clients, breakers and tokens) on Backend tmf."""
    from local.gateway import Gateway
    from local.server import local_function_env

    gateway = Gateway(tmf_stacks, "co", local_function_env())
    yield TokenClient(gateway, agent_token)
    for host in gateway.hosts.values():
        host.stop()


def contract_of(customer: dict) -> dict:
    return customer["contracts"][0]


def invoices(api, contract: dict):
    return api.get(f"{BASE}/billing/contracts/{contract['contractId']}/invoices")


@pytest.fixture(scope="module")
def reader():
    return claim("co")


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ({"status": 500}, 502),
        ({"status": 503, "times": 10}, 503),
        ({"status": 429, "times": 10}, 503),
        ({"status": 400}, 502),
        ({"malformed": True}, 502),
        ({"drop": True, "times": 10}, 503),
    ],
    ids=["500", "503", "429", "400", "malformed", "dropped"],
)
def test_a_failing_bss_read_is_an_error_body_naming_no_upstream_text(
    api, bss, reader, fault, status
):
    bss.inject(path="customerBill", **fault)
    answer = invoices(api, contract_of(reader))
    body = answer.get_json()
    assert (answer.status_code, body["code"]) == (status, status), body
    assert LEAK not in answer.get_data(as_text=True)
    assert "customerBill" not in body["message"] and "127.0.0.1" not in body["message"]


def test_a_passing_blip_on_a_read_is_retried_unseen(api, bss, reader):
    expected = invoices(api, contract_of(reader)).get_json()
    bss.inject(path="customerBill", status=503, times=1)
    answer = invoices(api, contract_of(reader))
    assert (answer.status_code, answer.get_json()) == (200, expected)


def test_an_expired_bss_token_is_renewed_and_the_read_answers(api, bss, reader):
    expected = invoices(api, contract_of(reader)).get_json()
    bss.inject(path="customerBill", expire=True, times=1)
    answer = invoices(api, contract_of(reader))
    assert (answer.status_code, answer.get_json()) == (200, expected)


def test_a_bss_slower_than_every_attempt_is_a_504_within_the_budget(api, bss, reader):
    bss.inject(path="customerBill", delay=4.0, times=10)  # each attempt gives up at 3 s
    answer = invoices(api, contract_of(reader))
    assert (answer.status_code, answer.get_json()["code"]) == (504, 504)


def test_a_bss_failing_again_and_again_is_not_hammered(api, bss, reader):
    fault = bss.inject(path="customerBill", status=500, times=1000)
    for _ in range(5):
        assert invoices(api, contract_of(reader)).status_code == 502
    left = fault.times  # one less for each call that reached the BSS (and suffered the fault)
    assert left < 1000
    answer = invoices(api, contract_of(reader))
    assert (answer.status_code, answer.get_json()["code"]) == (503, 503)
    assert fault.times == left  # the breaker answered: no call reached the BSS


# Writes --------------------------------------------------------------------------------------
PHONE = {"phone": "+573104449988", "phoneType": "Casa"}


def phones(api, contract: dict) -> list[dict]:
    url = f"{BASE}/customer/contracts/{contract['contractId']}/contactinformation/phones/"
    answer = api.get(url)
    assert answer.status_code == 200
    return answer.get_json()


def add_phone(api, contract: dict, key: str):
    url = f"{BASE}/customer/contracts/{contract['contractId']}/contactinformation/phones/"
    return api.post(url, json=PHONE, headers={"Idempotency-Key": key, **api_auth(api)})


def api_auth(api) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token}"}


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ({"status": 500}, 502),
        ({"status": 503}, 503),
        ({"malformed": True}, 502),
        ({"status": 500, "after": True}, 502),  # made, then its answer lost as a 500
        ({"drop": True, "after": True}, 503),  # made, then the connection dropped
        ({"delay": 4.0, "after": True}, 504),  # made, then answered too late
    ],
    ids=["500", "503", "malformed", "500-after", "dropped-after", "late-after"],
)
def test_a_write_under_a_fault_is_made_exactly_once_by_its_retry(api, bss, fault, status):
    contract = contract_of(claim("co"))
    before = phones(api, contract)
    key = f"fault-{uuid.uuid4()}"
    bss.inject(path="billingAccount", method="PATCH", **fault)
    failed = add_phone(api, contract, key)
    assert (failed.status_code, failed.get_json()["code"]) == (status, status)
    assert LEAK not in failed.get_data(as_text=True)
    made = fault.get("after", False)
    assert len(phones(api, contract)) == len(before) + (1 if made else 0)

    bss.clear()
    retried = add_phone(api, contract, key)
    assert retried.status_code == 200, retried.get_json()
    after = phones(api, contract)
    assert len(after) == len(before) + 1  # once, whether the first attempt made it or not
    assert retried.get_json() == after[-1]
