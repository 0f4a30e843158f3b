"""Paperless invoice subscriptions: created once, updated with optimistic versioning,
removed, audited, across related contracts all or nothing, and reflected on invoices."""

from __future__ import annotations

import json

import pytest

from local import auth, demo
from tests.conftest import AS_OF
from tests.support.claims import claim
from tests.support.races import failures, raced

BASE = "/v1/tigo/home"


def unsubscribed_holder(country: str, contracts: int = 1):
    return claim(
        country,
        lambda c: (
            len(c["contracts"]) >= contracts and not any(k.get("paperless") for k in c["contracts"])
        ),
    )


def body(**fields) -> str:
    return json.dumps({"email": "hogar@example.com", "registeringAppName": "MiTigoWeb", **fields})


def test_create_once_update_and_delete_with_audit_and_invoice_flags(client, stacks):
    customer = unsubscribed_holder("co")
    contract = customer["contracts"][0]["contractId"]
    path = f"{BASE}/co/billing/contracts/{contract}/paperlessInvoiceInfo"
    invoices = f"{BASE}/co/billing/contracts/{contract}/invoices?limit=5"
    assert client.get(path).status_code == 404
    created = client.post(
        path, data=body(customerIpAddress="190.25.3.4"), content_type="application/json"
    )
    assert created.status_code == 201 and created.get_json()["response"] == "OK"
    info = client.get(path).get_json()
    assert info == {
        "email": "hogar@example.com",
        "customerId": customer["customerId"],
        "documentType": customer["documentType"],
        "subcriptionStatusId": 1,
        "subcriptionStatusMessage": "Suscrito",
    }
    assert all(i["hasPaperlessInvoice"] for i in client.get(invoices).get_json())
    again = client.post(path, data=body(), content_type="application/json")
    assert again.status_code == 409 and again.get_json()["code"] == 409
    updated = client.put(
        path,
        data=body(
            email="Nuevo@Example.com", alternateEmail="otro@example.com", updateReason="cambio"
        ),
        content_type="application/json",
    )
    assert updated.status_code == 200
    assert client.get(path).get_json()["email"] == "nuevo@example.com"
    removed = client.delete(path, data=body(unsubscribeReasonId=3), content_type="application/json")
    assert removed.status_code == 200 and client.get(path).status_code == 404
    assert not any(i["hasPaperlessInvoice"] for i in client.get(invoices).get_json())
    assert client.put(path, data=body(), content_type="application/json").status_code == 404
    assert client.delete(path, data=body(), content_type="application/json").status_code == 404
    from selfcare.adapters.items import DynamoItems
    from selfcare.stores.paperless import PaperlessStore

    audit = PaperlessStore(DynamoItems(stacks["co"].table_name("PaperlessTable"))).audit(contract)
    assert [a["action"] for a in audit] == ["create", "update", "delete"]
    assert (
        audit[0]["who"]["clientId"] == "call-centre"
        and audit[0]["customerIpAddress"] == "190.25.3.4"
    )
    assert audit[0]["registeringAppName"] == "MiTigoWeb" and audit[1]["updateReason"] == "cambio"
    assert (
        audit[1]["before"]["email"] == "hogar@example.com"
        and audit[1]["after"]["email"] == "nuevo@example.com"
    )
    assert audit[2]["unsubscribeReasonId"] == 3 and "after" not in audit[2]


def test_related_contracts_change_together_or_not_at_all(client):
    customer = unsubscribed_holder("gt", contracts=2)
    first, second = (c["contractId"] for c in customer["contracts"][:2])

    def path(contract_id: str) -> str:
        return f"{BASE}/gt/billing/contracts/{contract_id}/paperlessInvoiceInfo"

    assert (
        client.post(path(second), data=body(), content_type="application/json").status_code == 201
    )
    refused = client.post(
        path(first), data=body(affectRelatedContracts=True), content_type="application/json"
    )
    assert refused.status_code == 409 and second in refused.get_json()["message"]
    assert client.get(path(first)).status_code == 404  # nothing partial
    assert (
        client.delete(path(second), data=body(), content_type="application/json").status_code == 200
    )
    assert (
        client.post(
            path(first), data=body(affectRelatedContracts=True), content_type="application/json"
        ).status_code
        == 201
    )
    assert all(client.get(path(c["contractId"])).status_code == 200 for c in customer["contracts"])
    update = client.put(
        path(first),
        data=body(email="todos@example.com", affectRelatedContracts=True),
        content_type="application/json",
    )
    assert update.status_code == 200
    assert {
        client.get(path(c["contractId"])).get_json()["email"] for c in customer["contracts"]
    } == {"todos@example.com"}


@pytest.mark.parametrize(
    ("country", "id_type"), [("gt", "subscriptions"), ("sv", "billingaccounts")]
)
def test_id_type_subscriptions_have_their_own_lifecycle(client, country, id_type):
    customer = unsubscribed_holder(country)
    contract = customer["contracts"][0]
    own = (
        contract["subscriptionNumber"]
        if id_type == "subscriptions"
        else contract["billingAccountId"]
    )
    path = f"{BASE}/{country}/billing/contracts/{contract['contractId']}/{id_type}/{own}/paperlessInvoiceInfo"
    assert client.post(path, data=body(), content_type="application/json").status_code == 201
    assert client.get(path).get_json()["subcriptionStatusId"] == 1
    assert (
        client.get(
            f"{BASE}/{country}/billing/contracts/{contract['contractId']}/paperlessInvoiceInfo"
        ).status_code
        == 404
    )
    assert client.delete(path, data=body(), content_type="application/json").status_code == 200


def test_concurrent_creates_give_one_201_and_updates_of_one_version_one_winner(
    gateway, agent_token
):
    from tests.conftest import TokenClient

    customer = unsubscribed_holder("sv")
    path = (
        f"{BASE}/sv/billing/contracts/{customer['contracts'][0]['contractId']}/paperlessInvoiceInfo"
    )

    def fire(method: str, n: int, headers: dict[str, str]) -> list[int]:
        def one(i: int) -> int:
            response = TokenClient(gateway, agent_token).open(
                path,
                method=method,
                data=body(email=f"r{i}@example.com"),
                content_type="application/json",
                headers={"Authorization": f"Bearer {agent_token}", **headers},
            )
            return response.status_code

        outcomes = raced(n, one)
        assert failures(outcomes) == []
        return [o.value for o in outcomes]

    assert sorted(fire("POST", 8, {})) == [201] + [409] * 7
    read = TokenClient(gateway, agent_token).get(path)
    etag = read.headers["ETag"]
    assert etag == '"1"'
    assert sorted(fire("PUT", 8, {"If-Match": etag})) == [200] + [409] * 7
    after = TokenClient(gateway, agent_token).get(path)
    assert after.headers["ETag"] == '"2"' and after.get_json()["email"].startswith("r")
    stale = TokenClient(gateway, agent_token).delete(
        path, data=body(), content_type="application/json", headers={"If-Match": etag}
    )
    assert stale.status_code == 409 and "If-Match" in stale.get_json()["message"]
    bad = TokenClient(gateway, agent_token).put(
        path, data=body(), content_type="application/json", headers={"If-Match": "soon"}
    )
    assert bad.status_code == 400 and "If-Match" in bad.get_json()["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ("", "body"),
        ("{", "body"),
        ("[]", "body"),
        ('{"email": 5}', "email"),
        ('{"email": "no-at-sign"}', "email"),
        ('{"alternateEmail": "a@b.co"}', "email"),
        ('{"email": "a@b.co", "affectRelatedContracts": "yes"}', "affectRelatedContracts"),
        ('{"email": "a@b.co", "customerIpAddress": "999.1.1.1"}', "customerIpAddress"),
        ('{"email": "a@b.co", "customerId": "1"}', "customerId"),
        ('{"email": "a@b.co", "phoneNumber": "12"}', "phone"),
        ('{"email": "' + "a" * 250 + '@b.co"}', "email"),
        ('{"email": "a@b.co", "registeringAppName": "OtraApp"}', "registeringAppName"),
    ],
)
def test_bad_bodies_are_400_naming_the_field_and_change_nothing(client, payload, field):
    customer = unsubscribed_holder("co")
    path = (
        f"{BASE}/co/billing/contracts/{customer['contracts'][0]['contractId']}/paperlessInvoiceInfo"
    )
    response = client.post(path, data=payload, content_type="application/json")
    assert response.status_code == 400 and field in response.get_json()["message"]
    assert client.get(path).status_code == 404


def test_a_retried_create_with_the_same_key_changes_nothing_more(client):
    customer = unsubscribed_holder("gt")
    path = (
        f"{BASE}/gt/billing/contracts/{customer['contracts'][0]['contractId']}/paperlessInvoiceInfo"
    )
    headers = {"Idempotency-Key": "paperless-retry-1"}
    first = client.post(path, data=body(), content_type="application/json", headers=headers)
    second = client.post(path, data=body(), content_type="application/json", headers=headers)
    assert first.status_code == second.status_code == 201 and first.get_json() == second.get_json()
    other = client.post(
        path, data=body(email="x@example.com"), content_type="application/json", headers=headers
    )
    assert other.status_code == 409 and "Idempotency-Key" in other.get_json()["message"]
    assert client.get(path).get_json()["email"] == "hogar@example.com"
    client.delete(path, data=body(), content_type="application/json")


def test_the_owner_may_subscribe_and_others_may_not(gateway):
    from werkzeug.test import Client

    customer = unsubscribed_holder("sv")
    contract = customer["contracts"][0]["contractId"]
    path = f"{BASE}/sv/billing/contracts/{contract}/paperlessInvoiceInfo"
    owner = auth.customer_token(customer["documentType"], customer["customerId"])
    reader = auth.customer_token(
        customer["documentType"], customer["customerId"], scopes=["selfcare.read"]
    )
    other = demo.demo_customers("sv", AS_OF)[0]
    stranger = auth.customer_token(other["documentType"], other["customerId"])
    web = Client(gateway)

    def post(token: str):
        return web.post(
            path,
            data=body(),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    assert post(reader).status_code == 403
    assert post(stranger).status_code == 403
    assert post(owner).status_code == 201
    web.delete(
        path,
        data=body(),
        content_type="application/json",
        headers={"Authorization": f"Bearer {owner}"},
    )


def subscriptions_of(contract) -> list[str]:
    """The contract's subscription numbers, its own (first) one first."""
    numbers = [
        str(o["subscriptionNumber"]) for p in contract["products"] for o in p["offeringList"]
    ]
    return list(dict.fromkeys([str(contract["subscriptionNumber"]), *numbers]))


def test_every_subscription_of_a_guatemalan_contract_takes_paperless_invoices(client):
    """A contract holds one subscription per product (the README's gt demo: its Telefonía
    line too); each may subscribe by `subscriptions/{id}`, apart from the others."""
    customer = claim(
        "gt",
        lambda c: (
            not any(k.get("paperless") for k in c["contracts"])
            and len(subscriptions_of(c["contracts"][0])) > 1
        ),
    )
    contract = customer["contracts"][0]
    own, *others = subscriptions_of(contract)
    base = f"{BASE}/gt/billing/contracts/{contract['contractId']}"

    def path(number: str) -> str:
        return f"{base}/subscriptions/{number}/paperlessInvoiceInfo"

    assert client.get(path(others[-1])).status_code == 404
    created = client.post(path(others[-1]), data=body(), content_type="application/json")
    assert created.status_code == 201, created.get_json()
    assert others[-1] in created.get_json()["message"]
    assert client.get(path(others[-1])).get_json()["email"] == "hogar@example.com"
    updated = client.put(
        path(others[-1]), data=body(email="linea@example.com"), content_type="application/json"
    )
    assert updated.status_code == 200
    assert client.get(path(others[-1])).get_json()["email"] == "linea@example.com"
    assert client.get(path(own)).status_code == 404  # the others keep their own subscription
    removed = client.delete(path(others[-1]), data=body(), content_type="application/json")
    assert removed.status_code == 200 and client.get(path(others[-1])).status_code == 404


def test_a_subscription_of_no_product_of_the_contract_is_404_naming_the_contracts_own(client):
    customer = unsubscribed_holder("gt")
    contract = customer["contracts"][0]
    path = (
        f"{BASE}/gt/billing/contracts/{contract['contractId']}/subscriptions/99999999"
        "/paperlessInvoiceInfo"
    )
    refused = client.post(path, data=body(), content_type="application/json")
    assert refused.status_code == 404
    message = refused.get_json()["message"]
    assert "99999999" in message and contract["subscriptionNumber"] in message
