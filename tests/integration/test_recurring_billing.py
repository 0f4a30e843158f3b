"""Recurring billing: enrol with a card the gateway tokenized (or, in Colombia, a bank
debit), update, end with the matching card token; invoices and balance show it."""

from __future__ import annotations

import json

from local import auth
from tests.support.claims import claim

BASE = "/v1/tigo/home"


def with_card(country: str):
    """A holder with a tokenized card and no recurring billing yet."""
    return claim(
        country,
        lambda c: (
            bool(c.get("cardTokens")) and not any(k.get("recurringBilling") for k in c["contracts"])
        ),
    )


def test_enrol_update_and_end_with_a_card_token(client):
    customer = with_card("gt")
    token = customer["cardTokens"][0]
    contract = customer["contracts"][0]["contractId"]
    path = f"{BASE}/gt/billing/contracts/{contract}/recurringBillingInfo"
    balance = f"{BASE}/gt/billing/contracts/{contract}/balance"
    invoices = f"{BASE}/gt/billing/contracts/{contract}/invoices?limit=5"
    assert client.get(path).status_code == 404
    assert client.get(balance).get_json()["hasRecurringBilling"] is False
    enrol = {
        "cardToken": token["cardToken"],
        "recurringBillingInfo": {
            "cardExpirationDate": "203012",
            "cardIssuingBank": "Banco Industrial",
            "customerIpAddress": "181.114.1.2",
        },
        "transactionId": "tx-1",
    }
    created = client.post(path, data=json.dumps(enrol), content_type="application/json")
    assert created.status_code == 201, created.get_json()
    info = client.get(path).get_json()
    assert info["cardInfo"] == token["cardInfo"] and "XXXXXX" in info["cardInfo"]
    assert info["cardBrand"] == token["cardBrand"] and info["paymentMethod"] == "2"
    assert info["contractId"] == contract and info["billingName"]
    assert "cardToken" not in info
    assert client.get(balance).get_json()["hasRecurringBilling"] is True
    assert all(i["hasRecurringBilling"] for i in client.get(invoices).get_json())
    assert (
        client.post(path, data=json.dumps(enrol), content_type="application/json").status_code
        == 409
    )
    enrol["recurringBillingInfo"]["cardIssuingBank"] = "Banrural"
    assert (
        client.put(path, data=json.dumps(enrol), content_type="application/json").status_code == 200
    )
    updated = client.get(path).get_json()
    assert (
        updated["cardIssuingBank"] == "Banrural"
        and updated["registrationDate"] == info["registrationDate"]
    )
    wrong = client.delete(
        path,
        data=json.dumps({"cardToken": "00000000-0000-4000-8000-000000000000"}),
        content_type="application/json",
    )
    assert wrong.status_code == 404 and client.get(path).status_code == 200
    ended = client.delete(
        path, data=json.dumps({"cardToken": token["cardToken"]}), content_type="application/json"
    )
    assert ended.status_code == 200 and client.get(path).status_code == 404
    assert client.get(balance).get_json()["hasRecurringBilling"] is False
    assert not any(i["hasRecurringBilling"] for i in client.get(invoices).get_json())


def test_colombia_may_enrol_a_bank_debit_and_others_need_a_card(client):
    customer = with_card("co")
    path = (
        f"{BASE}/co/billing/contracts/{customer['contracts'][0]['contractId']}/recurringBillingInfo"
    )
    debit = {
        "recurringBillingInfo": {
            "paymentMethod": "1",
            "cardInfo": "4321",
            "cardIssuingBank": "Bancolombia",
        }
    }
    assert (
        client.post(path, data=json.dumps(debit), content_type="application/json").status_code
        == 201
    )
    info = client.get(path).get_json()
    assert (info["paymentMethod"], info["cardInfo"]) == ("1", "4321")
    sv = with_card("sv")
    sv_path = f"{BASE}/sv/billing/contracts/{sv['contracts'][0]['contractId']}/recurringBillingInfo"
    refused = client.post(sv_path, data=json.dumps(debit), content_type="application/json")
    assert refused.status_code == 400 and "cardToken" in refused.get_json()["message"]


def test_bad_enrolments_are_400_naming_the_field_and_change_nothing(client):
    customer = with_card("sv")
    path = (
        f"{BASE}/sv/billing/contracts/{customer['contracts'][0]['contractId']}/recurringBillingInfo"
    )
    token = customer["cardTokens"][0]["cardToken"]
    for payload, field in (
        ({}, "cardToken"),
        ({"cardToken": "not-a-known-token"}, "cardToken"),
        (
            {"cardToken": token, "recurringBillingInfo": {"cardExpirationDate": "202001"}},
            "cardExpirationDate",
        ),
        (
            {"cardToken": token, "recurringBillingInfo": {"cardExpirationDate": "203013"}},
            "cardExpirationDate",
        ),
        (
            {"cardToken": token, "recurringBillingInfo": {"customerIpAddress": "300.1.1.1"}},
            "customerIpAddress",
        ),
        ({"cardToken": token, "recurringBillingInfo": {"phoneNumber": "123"}}, "phone"),
        ({"cardToken": 5}, "cardToken"),
        (
            {"cardToken": token, "recurringBillingInfo": {"paymentMethod": "3"}},
            "recurringBillingInfo.paymentMethod",
        ),
        (
            {"recurringBillingInfo": {"paymentMethod": "BITCOIN"}},
            "recurringBillingInfo.paymentMethod",
        ),
        ({"cardToken": token, "recurringBillingInfo": "x"}, "recurringBillingInfo"),
    ):
        response = client.post(path, data=json.dumps(payload), content_type="application/json")
        assert response.status_code == 400 and field in response.get_json()["message"], (
            payload,
            response.get_json(),
        )
    assert client.get(path).status_code == 404


def test_the_owner_enrols_its_own_contract(gateway):
    from werkzeug.test import Client

    customer = with_card("co")
    path = (
        f"{BASE}/co/billing/contracts/{customer['contracts'][0]['contractId']}/recurringBillingInfo"
    )
    owner = auth.customer_token(customer["documentType"], customer["customerId"])
    body = json.dumps({"cardToken": customer["cardTokens"][0]["cardToken"]})
    web = Client(gateway)
    response = web.post(
        path,
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {owner}"},
    )
    assert response.status_code == 201


def test_a_change_stands_and_answers_success_when_flagging_the_invoices_fails(client, monkeypatch):
    """The enrolment is kept with its newest invoice's flag in one transaction; flagging the
    other invoices afterwards fails here: the answer is still the success (logged, not 5xx),
    and a retry with the same Idempotency-Key replays it instead of answering 409."""
    from selfcare.adapters.sandbox.backend import SandboxBackend
    from selfcare.errors import Unavailable

    def fail(self, contract_id: str, **flags: bool) -> None:
        raise Unavailable("The backend is busy; retry shortly")

    monkeypatch.setattr(SandboxBackend, "set_invoice_flags", fail)
    customer = with_card("co")
    token = customer["cardTokens"][0]["cardToken"]
    contract = customer["contracts"][0]["contractId"]
    path = f"{BASE}/co/billing/contracts/{contract}/recurringBillingInfo"
    balance = f"{BASE}/co/billing/contracts/{contract}/balance"
    body = json.dumps({"cardToken": token})
    key = {"Idempotency-Key": f"enrol-{contract}"}
    first = client.post(path, data=body, content_type="application/json", headers=key)
    assert first.status_code == 201, first.get_json()
    retried = client.post(path, data=body, content_type="application/json", headers=key)
    assert retried.status_code == 201 and retried.get_json() == first.get_json()
    assert client.get(path).status_code == 200
    assert client.get(balance).get_json()["hasRecurringBilling"] is True
    ended = client.delete(path, data=body, content_type="application/json")
    assert ended.status_code == 200, ended.get_json()
    assert client.get(path).status_code == 404
    assert client.get(balance).get_json()["hasRecurringBilling"] is False
