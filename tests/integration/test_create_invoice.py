"""Partial-payment invoices: part of what is outstanding moves to a new invoice that the
list and the balance show; the total owed does not change."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.support.claims import claim

BASE = "/v1/tigo/home"


def owing(country: str):
    return claim(country, lambda c: any(not i["hasPayment"] for i in c["contracts"][0]["invoices"]))


def test_a_partial_invoice_appears_in_the_list_and_the_balance(client):
    customer = owing("co")
    contract = customer["contracts"][0]["contractId"]
    base = f"{BASE}/co/billing/contracts/{contract}"
    before = client.get(f"{base}/balance").get_json()
    amount = int(Decimal(str(before["dueAmount"])) // 3)
    created = client.post(
        f"{base}/invoices/", data=json.dumps({"amount": amount}), content_type="application/json"
    )
    assert created.status_code == 201
    invoice_id = created.get_json()["invoiceId"]
    assert invoice_id.startswith(f"{contract}-")
    newest = client.get(f"{base}/invoices").get_json()[0]
    assert newest["invoiceId"] == invoice_id and newest["dueAmount"] == amount
    assert newest["invoiceType"] == "Factura parcial" and newest["hasPayment"] is False
    after = client.get(f"{base}/balance").get_json()
    assert Decimal(str(after["dueAmount"])) == Decimal(str(before["dueAmount"]))
    assert after["lastUpdateDate"] == newest["creationDate"]
    assert client.get(f"{base}/invoices/{invoice_id}").status_code == 200


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({}, 400, "amount"),
        ({"amount": 0}, 400, "amount"),
        ({"amount": -5}, 400, "amount"),
        ({"amount": "100"}, 400, "amount"),
        ({"amount": 10.5}, 400, "amount"),  # COP has no decimals
        ({"amount": 10**12}, 400, "amount"),  # more than what is outstanding
    ],
)
def test_bad_amounts_are_refused_and_change_nothing(client, payload, status, field):
    customer = owing("co")
    base = f"{BASE}/co/billing/contracts/{customer['contracts'][0]['contractId']}"
    before = client.get(f"{base}/invoices?limit=5").get_json()
    response = client.post(
        f"{base}/invoices", data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == status and field in response.get_json()["message"]
    assert client.get(f"{base}/invoices?limit=5").get_json() == before


def test_usd_takes_cents_and_a_retry_with_the_same_key_creates_one_invoice(client):
    customer = owing("sv")
    base = f"{BASE}/sv/billing/contracts/{customer['contracts'][0]['contractId']}"
    headers = {"Idempotency-Key": "partial-1"}
    first = client.post(
        f"{base}/invoices",
        data='{"amount": 1.25}',
        content_type="application/json",
        headers=headers,
    )
    again = client.post(
        f"{base}/invoices",
        data='{"amount": 1.25}',
        content_type="application/json",
        headers=headers,
    )
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    listed = [
        i
        for i in client.get(f"{base}/invoices?limit=5").get_json()
        if i["invoiceType"] == "Factura parcial"
    ]
    assert len(listed) == 1 and listed[0]["invoiceAmount"] == 1.25
    assert (
        client.post(
            f"{base}/invoices", data='{"amount": 1.255}', content_type="application/json"
        ).status_code
        == 400
    )


def test_a_contract_owing_nothing_cannot_split_its_debt(client):
    customer = claim("gt", lambda c: all(i["hasPayment"] for i in c["contracts"][0]["invoices"]))
    base = f"{BASE}/gt/billing/contracts/{customer['contracts'][0]['contractId']}"
    response = client.post(
        f"{base}/invoices", data='{"amount": 10}', content_type="application/json"
    )
    assert response.status_code == 409 and response.get_json()["code"] == 409
