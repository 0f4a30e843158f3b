"""Paying through PayU WebCheckout (Colombia's gateway), end to end against the local
stand-in of PayU: our page hands the signed form to PayU, PayU's signed confirmation comes
back to our notification route, and GET checkOut asks PayU when the confirmation is late."""

from __future__ import annotations

import html
import json
import os
import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

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


def test_an_approval_after_a_decline_is_kept_for_refund_not_paid(payu, api):
    """Status only moves forward: once declined, a new attempt may pay the invoice, so an
    approval PayU reports later for this one (the payer retried on PayU's page) is never
    applied; it is kept on the attempt for a refund, and PayU hears 200."""
    gateway, standin = payu
    customer = claim("co", owing)
    path, invoice, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    assert standin.decide(reference["paymentToken"], "declined") == 200
    assert api.get(path).get_json()["paymentStatus"] == 6
    assert standin.decide(reference["paymentToken"], "approved", method="PSE") == 200
    info = api.get(path).get_json()
    assert info["paymentStatus"] == 6 and info["paymentApproved"] is False
    contract = customer["contracts"][0]["contractId"]
    one = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    assert api.get(one).get_json()["hasPayment"] is False
    stored = attempt(gateway, contract, invoice, reference)
    assert stored["refundDue"] is True and len(stored["lateApprovals"]) == 1


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
    customer = claim("co", owing)
    path, invoice, reference = start(api, customer)
    hand_to_payu(api, standin, reference)
    standin.decide(reference["paymentToken"], "approved", deliver=False)
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
