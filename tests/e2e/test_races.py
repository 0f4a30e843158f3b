"""Races over HTTP between two runner processes on one embedded AWS, as between two Lambda
containers: requests sent at once to both really run at once, and only the conditional
writes and idempotency records of the tables decide. Whatever the interleaving, a change
happens once, the others are refused (409), and nothing is half done."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import requests

from local import auth
from local.stack import Stack
from tests.support.claims import claim
from tests.support.races import failures, raced
from tests.support.runners import two_runners  # noqa: F401  (the fixture)

BASE = "/v1/tigo/home/co"
RACERS = 6  # split between the two runners
TIMEOUT = 120  # seconds per request: generous for two loaded cores


def race(urls: list[str], send: Callable[[str, int], requests.Response]) -> list[Any]:
    """send(base URL, racer) from RACERS threads released together, alternating runners:
    (status, JSON body) of each (tests/support/races.py)."""

    def one(racer: int) -> tuple[int, Any]:
        answer = send(urls[racer % len(urls)], racer)
        return answer.status_code, answer.json()

    outcomes = raced(RACERS, one, timeout=TIMEOUT)
    assert failures(outcomes) == []
    return [o.value for o in outcomes]


def headers(**more: str) -> dict[str, str]:
    token = auth.agent_token("call-centre")
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **more}


def table(logical_id: str) -> str:
    return Stack("co").table_name(logical_id)


def items(logical_id: str, pk: str) -> list[dict[str, Any]]:
    found = boto3.client("dynamodb").query(
        TableName=table(logical_id),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
        ConsistentRead=True,
    )
    return list(found["Items"])


def test_updates_of_one_version_from_both_runners_leave_one_winner(two_runners):  # noqa: F811
    customer = claim("co", lambda c: not any(k.get("paperless") for k in c["contracts"]))
    contract = customer["contracts"][0]["contractId"]
    path = f"{BASE}/billing/contracts/{contract}/paperlessInvoiceInfo"
    first = two_runners[0]
    created = requests.post(
        f"{first}{path}",
        data=json.dumps({"email": "hogar@example.com", "registeringAppName": "MiTigoWeb"}),
        headers=headers(),
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    etag = requests.get(f"{first}{path}", headers=headers(), timeout=TIMEOUT).headers["ETag"]

    def update(base: str, racer: int) -> requests.Response:
        body = {"email": f"racer{racer}@example.com", "registeringAppName": "MiTigoWeb"}
        return requests.put(
            f"{base}{path}", data=json.dumps(body), headers=headers(**{"If-Match": etag}),
            timeout=TIMEOUT,
        )  # fmt: skip

    answers = race(two_runners, update)
    won = [n for n, (status, _) in enumerate(answers) if status == 200]
    assert len(won) == 1, answers
    assert all(status == 409 for n, (status, _) in enumerate(answers) if n not in won), answers
    now = requests.get(f"{first}{path}", headers=headers(), timeout=TIMEOUT)
    assert now.json()["email"] == f"racer{won[0]}@example.com"
    audit = [i for i in items("PaperlessTable", f"CONTRACT#{contract}") if "AUDIT#" in i["sk"]["S"]]
    assert sorted(i["action"]["S"] for i in audit) == ["create", "update"]


def test_checkouts_of_one_invoice_from_both_runners_start_one_attempt(two_runners):  # noqa: F811
    customer = claim(
        "co", lambda c: any(not i["hasPayment"] for i in c["contracts"][0]["invoices"])
    )
    contract = customer["contracts"][0]["contractId"]
    listed = requests.get(
        f"{two_runners[0]}{BASE}/billing/contracts/{contract}/invoices?limit=5",
        headers=headers(),
        timeout=TIMEOUT,
    ).json()
    invoice = next(i for i in listed if not i["hasPayment"] and i["dueAmount"] > 0)
    path = f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}/checkOut"
    body = json.dumps(
        {
            "invoiceId": invoice["invoiceId"],
            "paymentAmount": invoice["dueAmount"],
            "customerInfo": {"customerId": customer["customerId"]},
        }
    )
    key = uuid.uuid4().hex

    def pay(base: str, racer: int) -> requests.Response:
        keyed = headers(**{"Idempotency-Key": key}) if racer % 2 else headers()
        return requests.post(f"{base}{path}", data=body, headers=keyed, timeout=TIMEOUT)

    answers = race(two_runners, pay)
    created = [answer for status, answer in answers if status == 201]
    assert created and all(status in (201, 409) for status, _ in answers), answers
    assert len({answer["paymentToken"] for answer in created}) == 1, answers  # one attempt
    pk = f"INVOICE#{contract}#{invoice['invoiceId']}"
    attempts = [i for i in items("CheckoutTable", pk) if i["sk"]["S"].startswith("ATTEMPT#")]
    assert len(attempts) == 1 and attempts[0]["paymentToken"]["S"] == created[0]["paymentToken"]


def test_the_same_phone_added_through_both_runners_is_added_once(two_runners):  # noqa: F811
    customer = claim("co", lambda c: len(c["contracts"][0]["contactInformation"].get(
        "customerPhoneList", [])) < 9)  # fmt: skip
    contract = customer["contracts"][0]["contractId"]
    path = f"{BASE}/customer/contracts/{contract}/contactinformation/phones/"
    phone = {"phone": "3209876543", "phoneType": "Casa"}

    def add(base: str, racer: int) -> requests.Response:
        return requests.post(
            f"{base}{path}", data=json.dumps(phone), headers=headers(), timeout=TIMEOUT
        )

    answers = race(two_runners, add)
    assert sorted(status for status, _ in answers) == [200] + [409] * (RACERS - 1), answers
    listed = requests.get(f"{two_runners[1]}{path}", headers=headers(), timeout=TIMEOUT).json()
    numbers = [p["phone"] for p in listed]
    assert numbers.count("3209876543") == 1
