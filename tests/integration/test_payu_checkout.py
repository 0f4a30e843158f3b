"""Paying through PayU WebCheckout (Colombia's gateway), end to end against the local
stand-in of PayU: our page hands the signed form to PayU, PayU's signed confirmation comes
back to our notification route, and GET checkOut asks PayU when the confirmation is late."""

from __future__ import annotations

import html
import json
import os
import re

import boto3
import pytest

from local.payu_standin import PayuStandIn, wsgi_deliver
from tests.conftest import AS_OF
from tests.support.claims import claim

BASE = "/v1/tigo/home/co"


@pytest.fixture(scope="module")
def payu(embedded_aws, jwks):
    from local.gateway import Gateway
    from local.server import build, identity_parameters, local_function_env

    standin = PayuStandIn().start()
    stacks = build(("co",), AS_OF, identity_parameters(jwks.url), stage="payu")
    boto3.client("secretsmanager").put_secret_value(
        SecretId="home-self-care/co/payu/payment-gateway", SecretString=standin.secret()
    )
    saved = dict(os.environ)
    os.environ.update(standin.env())
    gateway = Gateway(stacks, "co", local_function_env())
    standin.deliver = wsgi_deliver(gateway)  # PayU's confirmations reach our route in process
    yield gateway, standin
    standin.stop()
    os.environ.clear()
    os.environ.update(saved)


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


def test_an_approval_after_a_decline_still_pays(payu, api):
    _, standin = payu
    customer = claim("co", owing)
    path, _, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    assert standin.decide(reference["paymentToken"], "declined") == 200
    assert api.get(path).get_json()["paymentStatus"] == 6
    assert standin.decide(reference["paymentToken"], "approved", method="PSE") == 200
    assert api.get(path).get_json()["paymentApproved"] is True


def test_a_late_confirmation_is_replaced_by_asking_payu(payu, api):
    _, standin = payu
    customer = claim("co", owing)
    path, _, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    standin.decide(reference["paymentToken"], "approved", deliver=False)
    assert api.get(path).get_json()["paymentApproved"] is True


def test_a_forged_confirmation_is_401_and_changes_nothing(payu, api):
    gateway, standin = payu
    customer = claim("co", owing)
    path, invoice, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    standin.decide(reference["paymentToken"], "approved", deliver=False)
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


@pytest.mark.parametrize(("fault", "status"), [("http500", 502), ("garbage", 502), ("slow", 504)])
def test_a_failing_gateway_answers_5xx_and_the_attempt_survives(payu, api, fault, status):
    _, standin = payu
    customer = claim("co", owing)
    path, _, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    standin.decide(reference["paymentToken"], "approved", deliver=False)
    standin.fault, standin.delay = fault, 7.0
    try:
        failed = api.get(path)
        assert failed.status_code == status and failed.get_json()["code"] == status
    finally:
        standin.fault = None
    assert api.get(path).get_json()["paymentApproved"] is True  # recovered, paid once
