"""Paying through PayU WebCheckout (Colombia's gateway), end to end against the local
stand-in of PayU: our page hands the signed form to PayU, PayU's signed confirmation comes
back to our notification route, and GET checkOut asks PayU when the confirmation is late."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock
from urllib.parse import urlencode

import boto3
import pytest
from werkzeug.test import Client

from local.payu_standin import PayuStandIn, wsgi_deliver
from tests.support.claims import claim
from tests.support.races import MeetAtRecord, failures, race

BASE = "/v1/tigo/home/co"


@pytest.fixture(scope="module")
def payu(build_stacks):
    from local.gateway import Gateway
    from local.server import local_function_env

    standin = PayuStandIn().start()
    stacks = build_stacks("payu")
    boto3.client("secretsmanager").put_secret_value(
        SecretId=stacks["co"].secret_name("GatewaySecret"), SecretString=standin.secret()
    )
    with mock.patch.dict(os.environ, standin.env()):
        gateway = Gateway(stacks, "co", local_function_env())
        standin.deliver = wsgi_deliver(gateway)  # PayU's confirmations reach our route in process
        yield gateway, standin
    standin.stop()


@pytest.fixture
def api(payu, agent_token):
    from tests.conftest import TokenClient

    return TokenClient(payu[0], agent_token)


def start(api, customer) -> tuple[str, dict, dict]:
    contract = customer["contracts"][0]["contractId"]
    invoices = api.get(f"{BASE}/billing/contracts/{contract}/invoices?limit=5").get_json()
    invoice = [i for i in invoices if not i["hasPayment"]][-1]
    path = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}/checkOut"
    body = {
        "invoiceId": invoice["invoiceId"],
        "paymentAmount": invoice["dueAmount"],
        "customerInfo": {"customerId": customer["customerId"], "email": "pago@example.com"},
        "returnUrl": "https://mi.tigo.com.co/pagos",
    }
    created = api.post(path, data=json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.get_json()
    return path, invoice, created.get_json()


def hand_to_payu(api, standin, reference: dict) -> None:
    """The payer's browser: our page, then its form posted to PayU."""
    page = api.get(reference["redirectUrl"].split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    fields = {
        k: html.unescape(v) for k, v in re.findall(r'name="([A-Za-z0-9]+)" value="([^"]*)"', text)
    }
    assert fields["referenceCode"] == reference["paymentToken"] and fields["signature"]
    status, _ = standin.submit(fields)
    assert status == 200  # PayU accepts our signature


def owing(customer) -> bool:
    return any(not i["hasPayment"] for i in customer["contracts"][0]["invoices"])


def approved_at_payu(api, standin) -> tuple[dict, str, dict, dict]:
    """An owing customer's checkout handed to PayU and approved there, its confirmation not
    delivered: the customer, the checkOut path, the invoice and the attempt."""
    customer = claim("co", owing)
    path, invoice, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    standin.decide(reference["paymentToken"], "approved", deliver=False)
    return customer, path, invoice, reference


def test_an_approved_confirmation_pays_the_invoice_once(payu, api):
    _, standin = payu
    customer = claim("co", owing)
    path, invoice, reference = start(api, customer)
    assert reference["redirectUrl"].endswith(f"/payments/payu/checkout/{reference['paymentToken']}")
    hand_to_payu(api, standin, reference)
    assert api.get(path).status_code == 202
    assert standin.decide(reference["paymentToken"], "approved", method="VISA") == 200
    info = api.get(path).get_json()
    assert info["paymentApproved"] is True and info["paymentStatus"] == 4
    contract = customer["contracts"][0]["contractId"]
    paid = api.get(
        f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}/paymentInfo"
    ).get_json()
    assert paid["paymentAmount"] == invoice["dueAmount"] and paid["ExternalReference"]
    balance = api.get(f"{BASE}/billing/contracts/{contract}/balance").get_json()
    assert standin.redeliver(reference["paymentToken"]) == 200  # PayU retries: nothing changes
    assert api.get(f"{BASE}/billing/contracts/{contract}/balance").get_json() == balance
    page = api.get(f"{BASE}/payments/payu/checkout/{reference['paymentToken']}")
    assert page.status_code == 404  # no form for a finished attempt


def test_the_payu_page_cannot_be_framed_and_may_only_post_to_payu(payu, api):
    """The page runs its one inline script (allowed by its hash, not 'unsafe-inline'), may
    post its form to PayU's checkout and nowhere else, and no site may frame it."""
    import base64
    import hashlib
    from urllib.parse import urlsplit

    _, _, reference = start(api, claim("co", owing))
    page = api.get(f"{BASE}/payments/payu/checkout/{reference['paymentToken']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["X-Content-Type-Options"] == "nosniff"
    directives = page.headers.get("Content-Security-Policy", "").split(";")
    csp = {name.lower(): set(rest) for name, *rest in (d.split() for d in directives) if name}
    (script,) = re.findall(r"<script>(.*?)</script>", text, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert csp.get("script-src") == {f"'sha256-{digest}'"}
    assert csp.get("frame-ancestors") == {"'none'"} and csp.get("default-src") == {"'none'"}
    (action,) = re.findall(r'<form [^>]*action="([^"]*)"', text)
    payu_checkout = urlsplit(html.unescape(action))
    assert csp.get("form-action") == {f"{payu_checkout.scheme}://{payu_checkout.netloc}"}
    assert all("unsafe" not in source for sources in csp.values() for source in sources)


def test_an_approval_after_a_decline_still_pays(payu, api):
    """PayU lets a payer whose card was declined retry on its page in the same session; the
    retry's approval (same reference, a new transaction) pays the invoice, once."""
    gateway, standin = payu
    customer = claim("co", owing)
    contract = customer["contracts"][0]["contractId"]
    balance = f"{BASE}/billing/contracts/{contract}/balance"
    before = api.get(balance).get_json()
    path, invoice, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    assert standin.decide(reference["paymentToken"], "declined") == 200
    assert api.get(path).get_json()["paymentStatus"] == 6
    assert standin.decide(reference["paymentToken"], "approved", method="PSE") == 200
    info = api.get(path).get_json()
    assert info["paymentApproved"] is True and info["paymentStatus"] == 4
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    paid = api.get(one).get_json()
    assert paid["hasPayment"] is True and paid["dueAmount"] == 0
    declined, retried = standin.orders[reference["paymentToken"]].transactions
    payment = api.get(f"{one}/paymentInfo").get_json()
    assert payment["ExternalReference"] == retried.id and payment["paymentMethod"] == "PSE"
    after = api.get(balance).get_json()
    assert Decimal(str(after["dueAmount"])) == Decimal(str(before["dueAmount"])) - Decimal(
        str(invoice["dueAmount"])
    )  # lowered once
    assert standin.redeliver(reference["paymentToken"]) == 200  # PayU retries: nothing changes
    assert api.get(balance).get_json() == after
    stored = attempt(gateway, contract, invoice, reference)
    assert stored["status"] == "approved" and stored["approvedAfterDecline"] is True
    assert stored["declinedTransactionId"] == declined.id
    assert stored["transactionId"] == retried.id and stored["paymentRecorded"] is True
    assert "refundDue" not in stored and "lateApprovals" not in stored


def attempt(gateway, contract: str, invoice: dict, reference: dict) -> dict:
    from selfcare.adapters.items import DynamoItems

    found = DynamoItems(gateway.stacks["co"].table_name("CheckoutTable")).get(
        f"INVOICE#{contract}#{invoice['invoiceId']}", f"ATTEMPT#{reference['paymentToken']}"
    )
    assert found is not None
    return found


def past_expiry(gateway, contract: str, invoice: dict, reference: dict) -> None:
    """Time passes: the attempt's deadline (CheckoutMinutes) is behind us."""
    boto3.client("dynamodb").update_item(
        TableName=gateway.stacks["co"].table_name("CheckoutTable"),
        Key={
            "pk": {"S": f"INVOICE#{contract}#{invoice['invoiceId']}"},
            "sk": {"S": f"ATTEMPT#{reference['paymentToken']}"},
        },
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )


def test_a_payment_approved_in_time_is_recorded_though_its_confirmation_never_came(payu, api):
    """Before an attempt still pending here is reported expired, PayU is asked once."""
    gateway, standin = payu
    customer, path, invoice, reference = approved_at_payu(api, standin)
    made = standin.orders[reference["paymentToken"]].transactions[-1]
    made.at = datetime.now(UTC) - timedelta(seconds=30)  # paid before the deadline
    contract = customer["contracts"][0]["contractId"]
    past_expiry(gateway, contract, invoice, reference)
    info = api.get(path).get_json()
    assert info["paymentApproved"] is True and info["paymentStatus"] == 4
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    assert api.get(one).get_json()["hasPayment"] is True


def test_a_payment_still_pending_at_payu_expires_and_its_late_approval_lands_nowhere(payu, api):
    """The audit's PayU case: pending at PayU past CheckoutMinutes, the attempt reads expired
    (PayU asked first), a new attempt pays the invoice, then PayU approves the first one:
    it is kept for a refund, not applied, and PayU hears 200."""
    gateway, standin = payu
    customer = claim("co", owing)
    path, invoice, first = start(api, customer)
    hand_to_payu(api, standin, first)
    standin.decide(first["paymentToken"], "pending", method="PSE")
    contract = customer["contracts"][0]["contractId"]
    assert api.get(path).status_code == 202
    past_expiry(gateway, contract, invoice, first)
    asked = len(standin.received)
    expired = api.get(f"{path}/{first['paymentToken']}").get_json()
    assert expired["paymentStatus"] == 5 and expired["paymentApproved"] is False
    assert [r.command for r in standin.received[asked:]] == ["ORDER_DETAIL_BY_REFERENCE_CODE"]
    api.get(f"{path}/{first['paymentToken']}")
    assert len(standin.received) == asked + 1  # asked once: now it is expired, kept so
    again = api.post(
        path,
        data=json.dumps(
            {
                "invoiceId": invoice["invoiceId"],
                "paymentAmount": invoice["dueAmount"],
                "customerInfo": {"customerId": customer["customerId"]},
            }
        ),
        content_type="application/json",
    )
    assert again.status_code == 201, again.get_json()
    second = again.get_json()
    hand_to_payu(api, standin, second)
    assert standin.decide(second["paymentToken"], "approved", method="VISA") == 200
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    paid = api.get(one).get_json()
    assert paid["hasPayment"] is True and paid["dueAmount"] == 0
    assert standin.decide(first["paymentToken"], "approved", method="PSE") == 200  # late
    late = api.get(f"{path}/{first['paymentToken']}").get_json()
    assert late["paymentStatus"] == 5 and late["paymentApproved"] is False
    assert api.get(one).get_json() == paid  # paid once, by the second attempt
    payment = api.get(f"{one}/paymentInfo").get_json()
    assert payment["paymentAmount"] == invoice["dueAmount"]
    stored = attempt(gateway, contract, invoice, first)
    assert stored["status"] == "expired" and stored["refundDue"] is True
    (kept,) = stored["lateApprovals"]
    assert kept["transactionId"]
    assert Decimal(str(kept["amount"])) == Decimal(str(invoice["dueAmount"]))


def test_a_late_confirmation_is_replaced_by_asking_payu(payu, api):
    _, standin = payu
    _, path, _, _ = approved_at_payu(api, standin)
    assert api.get(path).get_json()["paymentApproved"] is True


def test_a_forged_confirmation_is_401_and_changes_nothing(payu, api):
    gateway, standin = payu
    _, path, invoice, reference = approved_at_payu(api, standin)
    fields = standin.confirmation(reference["paymentToken"])
    fields["value"] = "1.00"  # someone tries to pay less
    forged = wsgi_deliver(gateway)(f"http://127.0.0.1{BASE}/payments/notifications/payu", fields)
    assert forged == 401
    fields = standin.confirmation(reference["paymentToken"])
    wrong_gateway = wsgi_deliver(gateway)(
        f"http://127.0.0.1{BASE}/payments/notifications/sandbox", fields
    )
    assert wrong_gateway == 404
    answer = api.get(path).get_json()  # PayU itself (asked) says approved, for the real amount
    assert answer["paymentApproved"] is True and answer["paymentAmount"] == invoice["dueAmount"]


NOTIFY = f"{BASE}/payments/notifications/payu"


def notify(gateway, fields: dict) -> tuple[int, str]:
    """POST a confirmation to our route: (status, the answer's message)."""
    answer = Client(gateway).post(NOTIFY, data=fields)
    return answer.status_code, answer.get_json()["message"]


def test_a_payer_who_paid_once_cannot_forge_late_approvals(payu, api, caplog):
    """The audit's case: PayU's `sign` does not cover transaction_id or transaction_date, so
    a payer could post confirmations of "new" approvals at will, each kept for a refund. Only
    what PayU's Queries API confirms counts now: forgeries are answered, and recorded nowhere."""
    gateway, standin = payu
    customer, path, invoice, reference = approved_at_payu(api, standin)
    token = reference["paymentToken"]
    assert notify(gateway, standin.confirmation(token)) == (
        200,
        "Notification applied: the payment is approved",
    )
    assert notify(gateway, standin.confirmation(token)) == (
        200,
        "Notification already known: nothing changed",
    )
    contract = customer["contracts"][0]["contractId"]
    paid = attempt(gateway, contract, invoice, reference)
    with caplog.at_level("WARNING"):
        for _ in range(3):
            assert notify(gateway, standin.forge(token)) == (
                200,
                "Notification ignored: PayU does not confirm it",
            )
    assert attempt(gateway, contract, invoice, reference) == paid  # no lateApprovals
    assert not [r for r in caplog.records if "refund" in r.getMessage()]
    info = api.get(path).get_json()
    assert info["paymentApproved"] is True and info["paymentStatus"] == 4


def test_a_forged_transaction_date_does_not_make_a_late_retry_pay(payu, api):
    """A retry PayU approved after the attempt's expiry is refunded; backdating its unsigned
    transaction_date does not make it pay: PayU's own date (its Queries API) counts."""
    gateway, standin = payu
    customer = claim("co", owing)
    _, invoice, reference = declined_on_payu(api, standin, customer)
    token = reference["paymentToken"]
    contract = customer["contracts"][0]["contractId"]
    past_expiry(gateway, contract, invoice, reference)
    standin.decide(token, "approved", method="PSE", deliver=False)
    backdated = standin.confirmation(token) | {"transaction_date": "2020-01-01 00:00:00"}
    assert notify(gateway, backdated) == (200, "Notification received: approval kept for refund")
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    assert api.get(one).get_json()["hasPayment"] is False
    stored = attempt(gateway, contract, invoice, reference)
    assert stored["status"] == "declined" and stored["refundDue"] is True
    (kept,) = stored["lateApprovals"]
    assert not kept["approvedAt"].startswith("2020")  # PayU's date, not the posted one


@pytest.mark.parametrize(("fault", "status"), [("http500", 502), ("garbage", 502), ("slow", 504)])
def test_a_confirmation_payu_cannot_confirm_now_is_5xx_and_is_applied_when_redelivered(
    payu, api, fault, status
):
    """PayU's Queries API failing: nothing is recorded and PayU hears a 5xx, so it retries."""
    gateway, standin = payu
    customer, path, invoice, reference = approved_at_payu(api, standin)
    token = reference["paymentToken"]
    contract = customer["contracts"][0]["contractId"]
    before = attempt(gateway, contract, invoice, reference)
    standin.fault, standin.delay = fault, 7.0
    try:
        assert standin.redeliver(token) == status
    finally:
        standin.fault = None
    assert attempt(gateway, contract, invoice, reference) == before
    assert standin.redeliver(token) == 200  # PayU's retry
    info = api.get(path).get_json()
    assert info["paymentApproved"] is True and info["paymentStatus"] == 4


def test_a_confirmation_whose_value_is_not_an_amount_is_400_and_changes_nothing(payu, api):
    """Unauthenticated callers reach this route: an amount Decimal cannot take (or one out of
    any invoice's range) is the caller's error, never a 500."""
    gateway, standin = payu
    customer, _, invoice, reference = approved_at_payu(api, standin)
    contract = customer["contracts"][0]["contractId"]
    before = attempt(gateway, contract, invoice, reference)
    for value in ("1e26", "NaN", "Infinity", "1e-30", "abc", "9e999999999", "sNaN"):
        fields = standin.confirmation(reference["paymentToken"]) | {"value": value}
        answer = Client(gateway).post(f"{BASE}/payments/notifications/payu", data=fields)
        assert answer.status_code == 400, (value, answer.get_data(as_text=True))
        assert answer.get_json()["code"] == 400 and "value" in answer.get_json()["message"]
    assert attempt(gateway, contract, invoice, reference) == before


@pytest.mark.parametrize(("fault", "status"), [("http500", 502), ("garbage", 502), ("slow", 504)])
def test_a_failing_gateway_answers_5xx_and_the_attempt_survives(payu, api, fault, status):
    _, standin = payu
    _, path, _, _ = approved_at_payu(api, standin)
    standin.fault, standin.delay = fault, 7.0
    try:
        failed = api.get(path)
        assert failed.status_code == status and failed.get_json()["code"] == status
    finally:
        standin.fault = None
    assert api.get(path).get_json()["paymentApproved"] is True  # recovered, paid once


def declined_on_payu(api, standin, customer) -> tuple[str, dict, dict]:
    """Attempt A: handed to PayU, the payer's card declined (PayU confirms it)."""
    path, invoice, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    assert standin.decide(reference["paymentToken"], "declined") == 200
    assert api.get(path).get_json()["paymentStatus"] == 6
    return path, invoice, reference


def test_a_retry_approved_after_the_expiry_is_kept_for_refund(payu, api, caplog):
    gateway, standin = payu
    customer = claim("co", owing)
    path, invoice, reference = declined_on_payu(api, standin, customer)
    contract = customer["contracts"][0]["contractId"]
    past_expiry(gateway, contract, invoice, reference)
    with caplog.at_level("WARNING"):
        assert standin.decide(reference["paymentToken"], "approved", method="PSE") == 200
    info = api.get(path).get_json()
    assert info["paymentStatus"] == 6 and info["paymentApproved"] is False
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    assert api.get(one).get_json()["hasPayment"] is False
    stored = attempt(gateway, contract, invoice, reference)
    assert stored["status"] == "declined" and stored["refundDue"] is True
    (kept,) = stored["lateApprovals"]
    retried = standin.orders[reference["paymentToken"]].transactions[-1]
    assert kept["transactionId"] == retried.id and "expiry" in kept["reason"]
    (warning,) = [r for r in caplog.records if "refund" in r.getMessage()]
    assert warning.gatewayReference == retried.id and "expiry" in warning.reason


def test_a_retry_approved_in_time_but_confirmed_after_the_expiry_pays(payu, api):
    gateway, standin = payu
    customer = claim("co", owing)
    path, invoice, reference = declined_on_payu(api, standin, customer)
    standin.decide(reference["paymentToken"], "approved", method="PSE", deliver=False)
    retried = standin.orders[reference["paymentToken"]].transactions[-1]
    retried.at = datetime.now(UTC) - timedelta(seconds=30)  # approved before the deadline
    contract = customer["contracts"][0]["contractId"]
    past_expiry(gateway, contract, invoice, reference)
    assert standin.redeliver(reference["paymentToken"]) == 200  # its confirmation, late
    info = api.get(path).get_json()
    assert info["paymentApproved"] is True and info["paymentStatus"] == 4
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    assert api.get(f"{one}/paymentInfo").get_json()["ExternalReference"] == retried.id


@pytest.mark.parametrize("first", ["retry", "newer"])
def test_a_retry_and_a_newer_attempt_pay_the_invoice_once_whichever_comes_first(payu, api, first):
    """A is declined; the payer starts B (a declined attempt does not block a new one), and
    also retries A on PayU's page: both approved. The first approval pays the invoice; the
    other is kept for a refund, and its attempt never reads approved."""
    gateway, standin = payu
    customer = claim("co", owing)
    contract = customer["contracts"][0]["contractId"]
    balance = f"{BASE}/billing/contracts/{contract}/balance"
    before = api.get(balance).get_json()
    path, invoice, a = declined_on_payu(api, standin, customer)
    _, again, b = start(api, customer)
    assert again["invoiceId"] == invoice["invoiceId"]
    hand_to_payu(api, standin, b)
    order = [a, b] if first == "retry" else [b, a]
    for reference in order:
        assert standin.decide(reference["paymentToken"], "approved", method="PSE") == 200
    winner, loser = order
    won = api.get(f"{path}/{winner['paymentToken']}").get_json()
    assert won["paymentApproved"] is True and won["paymentStatus"] == 4
    lost = api.get(f"{path}/{loser['paymentToken']}").get_json()
    assert lost["paymentApproved"] is False and lost["paymentStatus"] == 6
    latest = api.get(path).get_json()  # the latest attempt is B
    assert latest["paymentApproved"] is (first == "newer")
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    paid = api.get(one).get_json()
    assert paid["hasPayment"] is True and paid["dueAmount"] == 0
    winning = standin.orders[winner["paymentToken"]].transactions[-1]
    assert api.get(f"{one}/paymentInfo").get_json()["ExternalReference"] == winning.id
    after = api.get(balance).get_json()
    assert Decimal(str(after["dueAmount"])) == Decimal(str(before["dueAmount"])) - Decimal(
        str(invoice["dueAmount"])
    )  # lowered once
    stored = attempt(gateway, contract, invoice, loser)
    assert stored["refundDue"] is True and "paymentRecorded" not in stored
    (kept,) = stored["lateApprovals"]
    assert kept["transactionId"] == standin.orders[loser["paymentToken"]].transactions[-1].id
    if first == "retry":  # B approved at PayU, refused by the invoice: paid already
        assert stored["status"] == "approved" and stored["paymentRefused"] is True
        assert attempt(gateway, contract, invoice, a)["approvedAfterDecline"] is True
    else:  # A stays declined: its retry found the invoice paid
        assert stored["status"] == "declined" and "invoice" in kept["reason"]
    for reference in order:  # PayU retries both: nothing changes
        assert standin.redeliver(reference["paymentToken"]) == 200
    assert api.get(balance).get_json() == after
    assert attempt(gateway, contract, invoice, loser)["lateApprovals"] == [kept]


def test_a_retry_and_a_newer_attempts_approval_recorded_at_once_pay_the_invoice_once(payu, api):
    """The two confirmations raced for real on moto's tables, through the code the
    notification route runs (the local runner runs one request at a time)."""
    from billing import checkout as pay

    gateway, standin = payu
    host = gateway.hosts[("co", "BillingFunction")]
    host.handler()  # the billing function's cold start, as the runner does it
    billing = sys.modules[host.module_key]
    customer = claim("co", owing)
    contract = customer["contracts"][0]["contractId"]
    path, invoice, a = declined_on_payu(api, standin, customer)
    _, _, b = start(api, customer)
    hand_to_payu(api, standin, b)
    for reference in (a, b):
        standin.decide(reference["paymentToken"], "approved", method="PSE", deliver=False)
    bodies = [urlencode(standin.confirmation(r["paymentToken"])) for r in (a, b)]
    store, payu_gateway = billing.wiring.checkout, billing.wiring.gateway()
    log = logging.getLogger("billing.checkout")

    def deliver(n: int, barrier) -> dict:
        backend = MeetAtRecord(billing.api.backend, barrier)
        return pay.receive(store, payu_gateway, backend, {}, bodies[n], pay.Events(log=log))

    outcomes = race(2, deliver)
    assert failures(outcomes) == []
    heard = [o.value for o in outcomes]
    assert all(h["response"] == "OK" for h in heard)
    assert sorted("refund" in h["message"] for h in heard) == [False, True]
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    paid = api.get(one).get_json()
    assert paid["hasPayment"] is True and paid["dueAmount"] == 0
    external = api.get(f"{one}/paymentInfo").get_json()["ExternalReference"]
    tx = {r["paymentToken"]: standin.orders[r["paymentToken"]].transactions[-1].id for r in (a, b)}
    winner, loser = (a, b) if external == tx[a["paymentToken"]] else (b, a)
    assert external == tx[winner["paymentToken"]]
    won = api.get(f"{path}/{winner['paymentToken']}").get_json()
    assert won["paymentApproved"] is True and won["paymentStatus"] == 4
    lost = api.get(f"{path}/{loser['paymentToken']}").get_json()
    assert lost["paymentApproved"] is False and lost["paymentStatus"] == 6
    stored = attempt(gateway, contract, invoice, loser)
    assert stored["paymentRefused"] is True and stored["refundDue"] is True
    assert [k["transactionId"] for k in stored["lateApprovals"]] == [tx[loser["paymentToken"]]]


def test_a_newer_attempts_page_offers_nothing_once_a_retry_paid_the_invoice(payu, api):
    """A payer who reopens B's page after A's retry paid the invoice is told so, instead of
    being handed a form whose payment could only end in a refund."""
    _, standin = payu
    customer = claim("co", owing)
    path, invoice, a = declined_on_payu(api, standin, customer)
    _, again, b = start(api, customer)
    assert again["invoiceId"] == invoice["invoiceId"]
    assert standin.decide(a["paymentToken"], "approved", method="PSE") == 200
    assert api.get(f"{path}/{a['paymentToken']}").get_json()["paymentApproved"] is True
    page = api.get(b["redirectUrl"].split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 409
    assert "paid" in page.get_json()["message"] and "<form" not in page.get_data(as_text=True)
