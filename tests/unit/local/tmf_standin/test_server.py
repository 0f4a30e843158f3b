"""The stand-in's HTTP side: a write whose body is not what the collection takes is a 400 TMF
Error; anything else that fails inside the stand-in is a 500 TMF Error naming the error's type
(never a dropped connection); a reader slow to take its answer holds up no other request."""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from local.tmf_standin import standin, writes
from local.tmf_standin.server import CLIENT_ID, CLIENT_SECRET, TmfStandIn
from selfcare.adapters.tmf import apis

AS_OF = date(2026, 12, 3)


@pytest.fixture(scope="module")
def bss() -> Iterator[TmfStandIn]:
    server = standin(AS_OF, 5, countries=("co",)).start()
    yield server
    server.stop()


def call(
    bss: TmfStandIn,
    method: str,
    path: str,
    body: Any = None,
    content_type: str = "application/json",
    timeout: float = 10,
) -> tuple[int, Any, dict[str, str]]:
    """(status, decoded JSON body, headers); a dropped connection raises."""
    connection = http.client.HTTPConnection("127.0.0.1", bss.port, timeout=timeout)
    try:
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        connection.request(
            "POST",
            "/oauth2/token",
            "grant_type=client_credentials",
            {"Authorization": f"Basic {basic}"},
        )
        token = json.loads(connection.getresponse().read())["access_token"]
        raw = body if isinstance(body, bytes) else None if body is None else json.dumps(body)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
        connection.request(method, f"/co/tmf-api/{path}", raw, headers)
        answer = connection.getresponse()
        text = answer.read()
        return answer.status, json.loads(text) if text else None, dict(answer.getheaders())
    finally:
        connection.close()


def account_of(bss: TmfStandIn) -> dict[str, Any]:
    accounts = bss.countries["co"].collections[apis.BILLING_ACCOUNT]
    return next(iter(accounts.values()))


def order(relationships: list[Any]) -> dict[str, Any]:
    return {
        "productOrderItem": [
            {
                "action": "add",
                "productOffering": {"id": "1"},
                "product": {
                    "productSpecification": {"id": "1"},
                    "productRelationship": relationships,
                },
            }
        ]
    }


def assert_error(answer: tuple[int, Any, dict[str, str]], status: int, reason: str) -> None:
    got, body, _ = answer
    assert got == status, body
    assert body["@type"] == "Error" and body["code"] == str(status)
    assert reason in body["reason"], body


def test_a_product_order_without_its_contract_is_a_400(bss):
    answer = call(bss, "POST", apis.PRODUCT_ORDER, order([]))
    assert_error(answer, 400, "productRelationship")
    other = [{"relationshipType": "bundles", "product": {"id": "1"}}]
    assert_error(call(bss, "POST", apis.PRODUCT_ORDER, order(other)), 400, "isBundledBy")


@pytest.mark.parametrize("body", [[1], "text", 7, {"invoiceFlags": [1]}])
def test_a_merge_patch_that_is_not_an_object_is_a_400(bss, body):
    account = account_of(bss)
    path = f"{apis.BILLING_ACCOUNT}/{account['id']}"
    answer = call(bss, "PATCH", path, body, "application/merge-patch+json")
    assert_error(answer, 400, "Invalid parameter")


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", True, None, {"x": 1}])
def test_a_bill_on_demand_amount_that_is_not_a_number_is_a_400(bss, value):
    account = account_of(bss)
    body = {
        "billingAccount": {"id": account["id"]},
        "amount": {"value": value, "unit": "COP"},
        "billDate": AS_OF.isoformat(),
    }
    answer = call(bss, "POST", apis.BILL_ON_DEMAND, body)
    assert_error(answer, 400, "amount.value")


@pytest.mark.parametrize(
    "body",
    [
        {"productOrderItem": ["not an item"]},  # AttributeError
        {"productOrderItem": [{"product": {"productRelationship": [7]}}]},
        {"account": "A", "paymentItem": [{}]},
    ],
)
def test_any_other_malformed_write_is_a_400_not_a_dropped_connection(bss, body):
    path = apis.PRODUCT_ORDER if "productOrderItem" in body else apis.PAYMENT
    assert_error(call(bss, "POST", path, body), 400, "malformed request")


def test_a_failure_inside_the_stand_in_is_a_500_error_body(bss, monkeypatch):
    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("4111111111111111 internal detail")

    monkeypatch.setattr(writes, "_dispatch", broken)
    answer = call(bss, "POST", apis.PAYMENT, {"account": {"id": "1"}})
    assert_error(answer, 500, "the stand-in failed: RuntimeError")
    assert "4111111111111111" not in json.dumps(answer[1])
    monkeypatch.undo()
    account = account_of(bss)  # and it goes on answering
    status, found, _ = call(bss, "GET", f"{apis.BILLING_ACCOUNT}/{account['id']}")
    assert (status, found["id"]) == (200, account["id"])


def test_a_read_that_fails_inside_the_stand_in_is_a_500_error_body(bss, monkeypatch):
    from local.tmf_standin import query

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(query, "run", broken)
    answer = call(bss, "GET", apis.CUSTOMER_BILL)
    assert_error(answer, 500, "the stand-in failed: RuntimeError")


def test_a_single_resource_read_carries_no_etag(bss):
    account = account_of(bss)
    status, _, headers = call(bss, "GET", f"{apis.BILLING_ACCOUNT}/{account['id']}")
    assert status == 200
    assert "ETag" not in headers


def test_a_slow_reader_does_not_hold_up_other_requests(bss, monkeypatch):
    """The first read's answer is held at the socket; another read still answers meanwhile."""
    handler = bss._http.RequestHandlerClass
    send_response = handler.send_response
    held, release = threading.Event(), threading.Event()

    def slow(self: Any, code: int, message: str | None = None) -> None:
        if apis.CUSTOMER_BILL in self.path:
            held.set()
            release.wait(10)
        send_response(self, code, message)

    monkeypatch.setattr(handler, "send_response", slow)
    first: list[Any] = []
    reader = threading.Thread(target=lambda: first.append(call(bss, "GET", apis.CUSTOMER_BILL)))
    reader.start()
    try:
        assert held.wait(10)
        account = account_of(bss)
        status, found, _ = call(bss, "GET", f"{apis.BILLING_ACCOUNT}/{account['id']}", timeout=3)
        assert (status, found["id"]) == (200, account["id"])
        assert not first  # the slow one is still being sent
    finally:
        release.set()
        reader.join(10)
    assert first[0][0] == 200 and first[0][1]
