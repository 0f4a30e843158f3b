"""Paying an invoice through the sandbox gateway: the attempt is recorded before money
moves, the outcome arrives signed (or is asked for), and an approval shows up everywhere,
once."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from tests.support.claims import claim
from tests.support.notifications import sandbox_gateway, signed_approval

BASE = "/v1/tigo/home"
RETURN = "https://mi.tigo.com.co/pagos/resultado"
CANCEL = "https://mi.tigo.com.co/pagos/cancelado"


def approval_in_gt(gateway, reference, invoice, transaction_id: str, notification_id: str):
    """Guatemala's sandbox gateway's signed approval of all the invoice owes, for the attempt
    `reference`: its headers and body."""
    amount = Decimal(str(invoice["dueAmount"]))
    stack = gateway.stacks["gt"]
    return signed_approval(stack, reference, amount, "GTQ", transaction_id, notification_id)


def owing(country: str):
    """A holder whose first contract's newest unpaid invoice can be paid in full."""
    return claim(country, lambda c: any(not i["hasPayment"] for i in c["contracts"][0]["invoices"]))


def unpaid(client, country: str, contract: str) -> dict:
    found = client.get(f"{BASE}/{country}/billing/contracts/{contract}/invoices?limit=5").get_json()
    return next(i for i in found if not i["hasPayment"] and i["dueAmount"] > 0)


def to_pay(client, country: str) -> tuple[str, dict]:
    """The first contract of a holder who owes (`owing`), and its invoice to pay."""
    contract = owing(country)["contracts"][0]["contractId"]
    return contract, unpaid(client, country, contract)


def checkout(client, country: str, contract: str, invoice: dict, **overrides):
    body = {
        "invoiceId": invoice["invoiceId"],
        "paymentAmount": invoice["dueAmount"],
        "customerInfo": {
            "customerId": "1",
            "name": "Ana",
            "lastName": "Pérez",
            "email": "ana@example.com",
        },
        "returnUrl": RETURN,
        "cancelUrl": CANCEL,
        **overrides,
    }
    body = {k: v for k, v in body.items() if v is not None}  # None: left out (null is a 400)
    path = f"{BASE}/{country}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}/checkOut"
    return path, client.post(path, data=json.dumps(body), content_type="application/json")


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_approve_on_the_hosted_page_pays_the_invoice_once(client):
    contract, invoice = to_pay(client, "co")
    balance = f"{BASE}/co/billing/contracts/{contract}/balance"
    before = client.get(balance).get_json()
    path, created = checkout(client, "co", contract, invoice)
    assert created.status_code == 201, created.get_json()
    reference = created.get_json()
    assert (
        set(reference) == {"paymentToken", "checkOutId", "redirectUrl"}
        and len(reference["paymentToken"]) >= 32
    )
    assert client.get(path).status_code == 202
    assert client.get(f"{path}/{reference['paymentToken']}").get_json()["code"] == 202
    page = client.get(local(reference["redirectUrl"]))
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    decided = client.post(
        local(reference["redirectUrl"]), data={"action": "pay", "cardNumber": "4111 1111 1111 1111"}
    )
    assert decided.status_code == 303
    back = urlsplit(decided.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == RETURN
    assert parse_qs(back.query) == {
        "paymentToken": [reference["paymentToken"]],
        "status": ["approved"],
    }
    info = client.get(path).get_json()
    assert info["paymentApproved"] is True and info["paymentStatus"] == 4
    assert (
        info["checkOutId"] == reference["checkOutId"] and info["invoiceId"] == invoice["invoiceId"]
    )
    paid = client.get(
        f"{BASE}/co/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    ).get_json()
    assert paid["hasPayment"] is True and paid["dueAmount"] == 0
    payment = client.get(
        f"{BASE}/co/billing/contracts/{contract}/invoices/{invoice['invoiceId']}/paymentInfo"
    ).get_json()
    assert payment["paymentAmount"] == invoice["dueAmount"] and payment["cardBrand"] == "VISA"
    assert payment["ExternalReference"].startswith("SBXTX-")
    after = client.get(balance).get_json()
    assert Decimal(str(after["dueAmount"])) == Decimal(str(before["dueAmount"])) - Decimal(
        str(invoice["dueAmount"])
    )
    assert after["dueInvoicesCount"] == before["dueInvoicesCount"] - 1
    again = client.post(
        local(reference["redirectUrl"]), data={"action": "pay", "cardNumber": "4111111111111111"}
    )
    assert again.status_code == 400  # the page was already decided
    assert client.get(balance).get_json() == after
    repeat = checkout(client, "co", contract, invoice)[1]
    assert repeat.status_code == 409  # already paid


def test_a_duplicated_notification_changes_nothing_and_forged_or_stale_ones_are_401(
    client, gateway
):
    from selfcare.payments import Outcome

    contract, invoice = to_pay(client, "gt")
    path, created = checkout(client, "gt", contract, invoice, returnUrl=None, cancelUrl=None)
    reference = created.get_json()
    sandbox = sandbox_gateway(gateway.stacks["gt"])
    headers, body = approval_in_gt(gateway, reference, invoice, "TX-1", "notif-1")
    notify = f"{BASE}/gt/payments/notifications/sandbox"
    forged = client.post(notify, data=body, headers={**headers, "X-Sandbox-Signature": "0" * 64})
    assert forged.status_code == 401 and client.get(path).status_code == 202
    unknown_headers, unknown_body = sandbox.sign(
        Outcome("no-such-attempt-123456", "approved", Decimal(1), "GTQ", notification_id="n-0"),
        "SBX-x",
    )
    assert client.post(notify, data=unknown_body, headers=unknown_headers).status_code == 404
    first = client.post(notify, data=body, headers=headers)
    assert first.status_code == 200
    balance = client.get(f"{BASE}/gt/billing/contracts/{contract}/balance").get_json()
    duplicate = client.post(notify, data=body, headers=headers)
    assert duplicate.status_code == 200 and "already" in duplicate.get_json()["message"]
    assert client.get(f"{BASE}/gt/billing/contracts/{contract}/balance").get_json() == balance
    late_decline = Outcome(
        reference["paymentToken"], "declined", Decimal(1), "GTQ", notification_id="notif-2"
    )
    h2, b2 = sandbox.sign(late_decline, reference["checkOutId"])
    assert client.post(notify, data=b2, headers=h2).status_code == 200
    assert client.get(path).get_json()["paymentApproved"] is True  # status only moves forward
    an_hour_ago = datetime.fromtimestamp(time.time() - 3600, UTC)
    old = Outcome(
        reference["paymentToken"],
        "approved",
        Decimal(1),
        "GTQ",
        notification_id="notif-3",
        at=an_hour_ago,
    )
    h3, b3 = sandbox.sign(old, reference["checkOutId"])
    stale = client.post(notify, data=b3, headers=h3)
    assert stale.status_code == 401 and "stale" in stale.get_json()["message"]


@pytest.mark.parametrize("amount", ["1e26", "NaN", "Infinity", "1e-30", "abc", "sNaN", 1e300, [1]])
def test_a_signed_notification_whose_amount_is_not_an_amount_is_400(client, gateway, amount):
    """However it was signed, an amount Decimal cannot take is a 400, never a 500."""
    import hashlib
    import hmac

    stack = gateway.stacks["gt"]
    secret = sandbox_gateway(stack).credentials.notification_secret.encode()
    _, body = signed_approval(stack, {"paymentToken": "tok-0", "checkOutId": "SBX-0"},
                              Decimal(1), "GTQ", "TX-0", "n-0")  # fmt: skip
    body = json.dumps({**json.loads(body), "amount": amount})
    signature = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
    answer = client.post(
        f"{BASE}/gt/payments/notifications/sandbox",
        data=body,
        headers={"X-Sandbox-Signature": signature, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and answer.get_json()["code"] == 400
    assert "amount" in answer.get_json()["message"]


def test_declined_and_cancelled_attempts_leave_the_invoice_unpaid(client):
    contract, invoice = to_pay(client, "sv")
    path, created = checkout(
        client,
        "sv",
        contract,
        invoice,
        returnUrl="https://mi.tigo.com.sv/ok",
        cancelUrl="https://mi.tigo.com.sv/no",
    )
    url = local(created.get_json()["redirectUrl"])
    declined = client.post(url, data={"action": "pay", "cardNumber": "4000000000000002"})
    assert declined.status_code == 303 and declined.headers["Location"].startswith(
        "https://mi.tigo.com.sv/no"
    )
    info = client.get(path).get_json()
    assert info["paymentApproved"] is False and info["paymentStatus"] == 6
    assert (
        client.get(
            f"{BASE}/sv/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
        ).get_json()["hasPayment"]
        is False
    )
    retry = checkout(client, "sv", contract, invoice, returnUrl=None, cancelUrl=None)[1]
    assert retry.status_code == 201  # a declined attempt does not block a new one
    cancelled = client.post(local(retry.get_json()["redirectUrl"]), data={"action": "cancel"})
    assert cancelled.status_code == 200 and "no aprobado" in cancelled.get_data(as_text=True)
    assert client.get(path).get_json()["paymentStatus"] == 6


def test_a_pending_payment_answers_202_and_an_abandoned_one_reads_expired(client, gateway):
    contract, invoice = to_pay(client, "co")
    path, created = checkout(client, "co", contract, invoice)
    token = created.get_json()["paymentToken"]
    pending = client.post(
        local(created.get_json()["redirectUrl"]),
        data={"action": "pay", "cardNumber": "4000000000000259"},
    )
    assert pending.status_code == 303 and "status=pending" in pending.headers["Location"]
    assert client.get(path).status_code == 202
    assert (
        checkout(client, "co", contract, invoice)[1].status_code == 409
    )  # one payment in process at a time
    table = gateway.stacks["co"].table_name("CheckoutTable")
    boto3.client("dynamodb").update_item(  # time passes: the attempt's deadline is behind us
        TableName=table,
        Key={
            "pk": {"S": f"INVOICE#{contract}#{invoice['invoiceId']}"},
            "sk": {"S": f"ATTEMPT#{token}"},
        },
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )
    expired = client.get(path)
    assert expired.status_code == 200 and expired.get_json()["paymentStatus"] == 5
    assert client.get(f"{path}/{token}").get_json()["paymentStatus"] == 5
    assert checkout(client, "co", contract, invoice)[1].status_code == 201


def test_a_late_notification_is_replaced_by_asking_the_gateway(client, gateway):
    contract, invoice = to_pay(client, "sv")
    path, created = checkout(client, "sv", contract, invoice)
    sandbox_gateway(gateway.stacks["sv"]).decide(
        created.get_json()["checkOutId"], "pay", "5555555555554444"
    )  # its notification is lost
    info = client.get(path).get_json()
    assert info["paymentApproved"] is True
    assert (
        client.get(
            f"{BASE}/sv/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
        ).get_json()["hasPayment"]
        is True
    )


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"paymentAmount": 0}, 400, "paymentAmount"),
        ({"paymentAmount": -1}, 400, "paymentAmount"),
        ({"paymentAmount": 10**12}, 400, "paymentAmount"),
        ({"paymentAmount": 100.5}, 400, "paymentAmount"),  # COP has no cents
        ({"paymentAmount": "100"}, 400, "paymentAmount"),
        ({"invoiceId": "another-1"}, 400, "invoiceId"),
        ({"returnUrl": "https://evil.example.com/"}, 400, "returnUrl"),
        ({"cancelUrl": "http://mi.tigo.com.co/x"}, 400, "cancelUrl"),
        ({"customerInfo": None}, 400, "customerInfo"),
        ({"paymentMethods": ["BITCOIN"]}, 400, "paymentMethods"),
        ({"paymentMethods": ["PSE", "TIGO MONEY"]}, 400, "paymentMethods"),  # not Colombia's
    ],
)
def test_bad_checkouts_are_refused_and_record_nothing(client, change, status, field):
    contract, invoice = to_pay(client, "co")
    path, response = checkout(client, "co", contract, invoice, **change)
    assert response.status_code == status and field in response.get_json()["message"]
    assert client.get(path).status_code in (404, 200)  # no new pending attempt
    assert client.get(path).status_code != 202


def test_partial_payment_needs_financing(client):
    customer = claim(
        "co",
        lambda c: (
            any(not i["hasPayment"] for i in c["contracts"][0]["invoices"])
            and not c["contracts"][0]["financing"]["isAvailable"]
        ),
    )
    contract = customer["contracts"][0]["contractId"]
    invoice = unpaid(client, "co", contract)
    _, response = checkout(
        client, "co", contract, invoice, paymentAmount=int(invoice["dueAmount"] // 2)
    )
    assert response.status_code == 400 and "whole amount" in response.get_json()["message"]


def test_a_retried_post_with_its_key_returns_the_same_attempt(client):
    contract, invoice = to_pay(client, "gt")
    body = {
        "invoiceId": invoice["invoiceId"],
        "paymentAmount": invoice["dueAmount"],
        "customerInfo": {"customerId": "1"},
    }
    path = f"{BASE}/gt/billing/contracts/{contract}/invoices/{invoice['invoiceId']}/checkOut"
    headers = {"Idempotency-Key": "pay-once-1"}
    first = client.post(
        path, data=json.dumps(body), content_type="application/json", headers=headers
    )
    second = client.post(
        path, data=json.dumps(body), content_type="application/json", headers=headers
    )
    assert first.status_code == second.status_code == 201 and first.get_json() == second.get_json()


def test_payment_methods_are_the_countrys_as_its_table_spells_them(client, gateway):
    contract, invoice = to_pay(client, "gt")
    _, created = checkout(
        client, "gt", contract, invoice, returnUrl=None, cancelUrl=None,
        paymentMethods=["visa", "Tigo  Money"],
    )  # fmt: skip
    assert created.status_code == 201, created.get_json()
    token = created.get_json()["paymentToken"]
    stored = attempt_item(gateway, "gt", contract, invoice, token)
    assert stored["paymentMethods"] == ["VISA", "TIGO MONEY"]


def gateway_table(gateway, country: str, name: str) -> str:
    return gateway.stacks[country].table_name(name)


def attempt_item(gateway, country: str, contract: str, invoice: dict, token: str) -> dict:
    from selfcare.adapters.items import DynamoItems

    found = DynamoItems(gateway_table(gateway, country, "CheckoutTable")).get(
        f"INVOICE#{contract}#{invoice['invoiceId']}", f"ATTEMPT#{token}"
    )
    assert found is not None
    return found


def past_expiry(gateway, country: str, contract: str, invoice: dict, reference: dict) -> None:
    """Time passes: the attempt's deadline, and its sandbox session's, are behind us."""
    past = {":past": {"N": str(int(time.time()) - 1)}}
    dynamodb = boto3.client("dynamodb")
    dynamodb.update_item(
        TableName=gateway_table(gateway, country, "CheckoutTable"),
        Key={
            "pk": {"S": f"INVOICE#{contract}#{invoice['invoiceId']}"},
            "sk": {"S": f"ATTEMPT#{reference['paymentToken']}"},
        },
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues=past,
    )
    dynamodb.update_item(
        TableName=gateway_table(gateway, country, "SandboxTable"),
        Key={"pk": {"S": f"GATEWAY#{reference['checkOutId']}"}, "sk": {"S": "#SESSION"}},
        UpdateExpression="SET expiresAt = :past",
        ExpressionAttributeValues=past,
    )


def test_an_expired_attempt_is_never_paid_once_another_one_is(client, gateway):
    """The audit's scenario: attempt A expires, B is created and paid, A's hosted page (still
    open in another tab) is used to pay: it refuses, the invoice is paid once, A never reads
    approved."""
    contract, invoice = to_pay(client, "co")
    balance = f"{BASE}/co/billing/contracts/{contract}/balance"
    before = client.get(balance).get_json()
    path, created = checkout(client, "co", contract, invoice)
    a = created.get_json()
    past_expiry(gateway, "co", contract, invoice, a)
    first = client.get(f"{path}/{a['paymentToken']}").get_json()
    assert first["paymentStatus"] == 5 and first["paymentApproved"] is False
    second = checkout(client, "co", contract, invoice)[1]
    assert second.status_code == 201, second.get_json()
    b = second.get_json()
    paid = client.post(
        local(b["redirectUrl"]), data={"action": "pay", "cardNumber": "4111111111111111"}
    )
    assert paid.status_code == 303 and "status=approved" in paid.headers["Location"]
    page = client.get(local(a["redirectUrl"]))
    assert page.status_code == 200 and "<form" not in page.get_data(as_text=True)
    late = client.post(
        local(a["redirectUrl"]), data={"action": "pay", "cardNumber": "5555 5555 5555 4444"}
    )
    assert late.status_code == 200 and "text/html" in late.headers["Content-Type"]
    assert "pago vencido" in late.get_data(as_text=True).lower()
    assert "Location" not in late.headers
    again = client.post(local(a["redirectUrl"]), data={"action": "cancel"})
    assert again.status_code == 200 and "pago vencido" in again.get_data(as_text=True).lower()
    one = f"{BASE}/co/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    assert client.get(one).get_json()["hasPayment"] is True
    assert client.get(one).get_json()["dueAmount"] == 0
    payment = client.get(f"{one}/paymentInfo").get_json()
    b_info = client.get(f"{path}/{b['paymentToken']}").get_json()
    assert b_info["paymentApproved"] is True and payment["cardBrand"] == "VISA"  # B's card
    after = client.get(balance).get_json()
    assert Decimal(str(after["dueAmount"])) == Decimal(str(before["dueAmount"])) - Decimal(
        str(invoice["dueAmount"])
    )  # lowered once
    a_info = client.get(f"{path}/{a['paymentToken']}").get_json()
    assert a_info["paymentStatus"] == 5 and a_info["paymentApproved"] is False
    stored = attempt_item(gateway, "co", contract, invoice, a["paymentToken"])
    assert stored["status"] == "expired" and not stored.get("lateApprovals")  # nothing taken
    assert client.get(path).get_json()["checkOutId"] == b["checkOutId"]  # the latest is B


def test_a_late_approval_is_kept_for_refund_and_the_gateway_hears_200(client, gateway, caplog):
    contract, invoice = to_pay(client, "gt")
    balance = f"{BASE}/gt/billing/contracts/{contract}/balance"
    path, created = checkout(client, "gt", contract, invoice, returnUrl=None, cancelUrl=None)
    reference = created.get_json()
    past_expiry(gateway, "gt", contract, invoice, reference)
    assert client.get(path).get_json()["paymentStatus"] == 5
    before = client.get(balance).get_json()
    headers, body = approval_in_gt(gateway, reference, invoice, "SBXTX-LATE0001", "late-approval-1")
    notify = f"{BASE}/gt/payments/notifications/sandbox"
    with caplog.at_level("WARNING"):
        heard = client.post(notify, data=body, headers=headers)
    assert heard.status_code == 200 and "refund" in heard.get_json()["message"]
    repeated = client.post(notify, data=body, headers=headers)
    assert repeated.status_code == 200  # the gateway stops retrying; nothing more happens
    info = client.get(path).get_json()
    assert info["paymentStatus"] == 5 and info["paymentApproved"] is False
    one = f"{BASE}/gt/billing/contracts/{contract}/invoices/{invoice['invoiceId']}"
    assert client.get(one).get_json()["hasPayment"] is False
    assert client.get(balance).get_json() == before
    stored = attempt_item(gateway, "gt", contract, invoice, reference["paymentToken"])
    assert stored["status"] == "expired" and stored["refundDue"] is True
    (kept,) = stored["lateApprovals"]
    assert kept["transactionId"] == "SBXTX-LATE0001"
    assert kept["amount"] == Decimal(str(invoice["dueAmount"])) and kept["currency"] == "GTQ"
    warnings = [r for r in caplog.records if "refund" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"
    assert warnings[0].invoiceId == invoice["invoiceId"]
    assert warnings[0].gatewayReference == "SBXTX-LATE0001"
    assert reference["paymentToken"] not in repr(warnings[0].__dict__)
