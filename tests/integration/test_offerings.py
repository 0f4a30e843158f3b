"""Adding and removing offerings through the API (tables on moto): every read shows a change
at once, refusals change nothing, retries with an Idempotency-Key add once.

Each test changes its own contract (non-demo customers from the middle of the dataset on:
reads elsewhere pick the first ones, other change tests the last ones), so tests sharing
these tables keep seeing what they expect."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local import auth
from tests.conftest import AS_OF
from tests.support.claims import claim
from tests.support.openapi import ContractSpec

BASE = "/v1/tigo/home"
SPEC = ContractSpec.load()
Record = dict[str, Any]


_picked: dict[tuple[str, str], tuple] = {}


def pick(country: str, purpose: str, wanted=lambda contract, product, offers: True):
    """(customer, contract, product, its offers) for `purpose`: a customer claimed for it
    (no other test changes it), whose first product with offers `wanted` accepts (the
    routes act on the first product of an id)."""
    if (country, purpose) in _picked:
        return _picked[country, purpose]

    def suitable(customer: Record) -> tuple | None:
        for contract in customer["contracts"]:
            seen: set[int] = set()
            for product in contract["products"]:
                if product["productId"] in seen:
                    continue
                seen.add(product["productId"])
                offers = contract["availableOffers"].get(str(product["productId"]))
                if offers and wanted(contract, product, offers):
                    return customer, contract, product, offers
        return None

    customer = claim(country, lambda c: suitable(c) is not None)
    _picked[country, purpose] = suitable(customer)  # type: ignore[assignment]
    return _picked[country, purpose]


def call(client, method: str, country: str, path: str, body: Any = None, **kwargs):
    """(status, JSON answer), the answer checked against the contract."""
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
        kwargs["content_type"] = "application/json"
    url = f"{BASE}/{country}{path}"
    response = client.open(url, method=method, **kwargs)
    SPEC.validate_response(
        method, url, response.status_code, response.get_data(), response.content_type
    )
    return response.status_code, response.get_json()


def product_path(contract: Record, product: Record) -> str:
    return f"/portfolio/contracts/{contract['contractId']}/products/{product['productId']}"


def state(client, country: str, contract: Record, product: Record) -> tuple[Any, Any]:
    """What the household sees of the product and of its offers."""
    path = product_path(contract, product)
    return call(client, "GET", country, path)[1], call(
        client, "GET", country, f"{path}/availableoffers"
    )[1]


def active(product: Record, offering_id: str) -> list[Record]:
    return [
        o for o in product["offeringList"] if o["offeringId"] == offering_id and o.get("active")
    ]


@pytest.mark.parametrize("country", ["co", "gt", "sv"])
def test_an_added_then_removed_offering_shows_in_every_read_at_once(client, country):
    customer, contract, product, offers = pick(country, "round trip")
    offer = offers[0]
    path = product_path(contract, product)
    subscription = product["offeringList"][0]["subscriptionNumber"]
    by_customer = (
        f"/portfolio/doc-type/{customer['documentType'].lower()}/customers/{customer['customerId']}"
    )

    status, answer = call(client, "POST", country, path, {"offeringId": offer["offeringId"]})

    assert status == 201
    assert answer == {"response": "OK", "message": f"Offering {offer['offeringName']} added"}
    shown, left = state(client, country, contract, product)
    added = active(shown, offer["offeringId"])
    assert len(added) == 1 and added[0]["offeringType"] == "Adicional"
    assert added[0]["priceAmount"] == float(offer["amount"])
    assert offer["offeringId"] not in [o["offeringId"] for o in left]
    assert call(client, "GET", country, f"{path}/subscriptions/{subscription}")[1] == shown
    of_contract = f"/portfolio/contracts/{contract['contractId']}/products"
    assert shown in call(client, "GET", country, of_contract, query_string={"limit": 99})[1]
    assert shown in call(client, "GET", country, by_customer, query_string={"limit": 99})[1]

    status, answer = call(client, "DELETE", country, path, {"offeringId": offer["offeringId"]})

    assert status == 201
    assert answer == {"response": "OK", "message": f"Offering {offer['offeringName']} removed"}
    shown, back = state(client, country, contract, product)
    assert not active(shown, offer["offeringId"])
    assert [o["offeringId"] for o in back].count(offer["offeringId"]) == 1
    assert call(client, "GET", country, f"{path}/subscriptions/{subscription}")[1] == shown


def test_a_promotion_code_must_be_the_offers_and_gives_its_price(client):
    _, contract, product, offers = pick(
        "co", "promotion", lambda c, p, offers: any(o.get("promotionCode") for o in offers)
    )
    offer = next(o for o in offers if o.get("promotionCode"))
    path = product_path(contract, product)
    before = state(client, "co", contract, product)

    wrong = {"offeringId": offer["offeringId"], "promotionCode": offer["promotionCode"] + "X"}
    status, answer = call(client, "POST", "co", path, wrong)
    assert status == 400 and "promotionCode" in answer["message"]
    assert state(client, "co", contract, product) == before

    right = {"offeringId": offer["offeringId"], "promotionCode": offer["promotionCode"]}
    assert call(client, "POST", "co", path, right)[0] == 201
    added = active(state(client, "co", contract, product)[0], offer["offeringId"])
    assert [o["priceAmount"] for o in added] == [float(offer["promotionAmount"])]


def test_refusals_name_what_is_wrong_and_change_nothing(client):
    _, contract, product, offers = pick(
        "co", "refusals", lambda c, p, offers: len(p["offeringList"]) > 1
    )
    path = product_path(contract, product)
    base = product["offeringList"][0]["offeringId"]
    held = next(o["offeringId"] for o in product["offeringList"] if o.get("active"))
    missing = f"/portfolio/contracts/{contract['contractId']}/products/999"
    before = state(client, "co", contract, product)
    for method, where, offering_id, status, named in (
        ("POST", path, "99999", 404, "99999"),  # not among the product's offers
        ("POST", missing, offers[0]["offeringId"], 404, "product 999"),
        ("POST", path, held, 409, held),  # already on the product
        ("DELETE", path, base, 409, "base offering"),
        ("DELETE", path, "99999", 404, "99999"),
        ("DELETE", missing, base, 404, "product 999"),
    ):
        got, answer = call(client, method, "co", where, {"offeringId": offering_id})
        assert (got, named in answer["message"]) == (status, True), (method, offering_id, answer)
        assert state(client, "co", contract, product) == before


BAD_BODIES = [
    ({}, "offeringId"),
    ({"offeringId": 123}, "offeringId"),
    ({"offeringId": None}, "offeringId"),
    ({"offeringId": "9" * 65}, "offeringId"),
    ({"offeringId": ""}, "offeringId"),
    ({"offeringId": "1", "promotionCode": ["X"]}, "promotionCode"),
    ({"offeringId": "1", "promotionCode": None}, "promotionCode"),  # null: leave it out
    ({"offeringId": "1", "promotionCode": "P" * 65}, "promotionCode"),
    ('{"offeringId": ', "body"),
    ("", "body"),
    ("[]", "body"),
]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize(("body", "named"), BAD_BODIES)
def test_a_bad_body_is_400_naming_the_field_and_changes_nothing(client, method, body, named):
    _, contract, product, _ = pick("co", "bad bodies")
    path = product_path(contract, product)
    before = state(client, "co", contract, product)
    status, answer = call(client, method, "co", path, body)
    assert status == 400 and named in answer["message"], answer
    assert state(client, "co", contract, product) == before


def test_a_retry_with_the_same_idempotency_key_adds_once(client):
    _, contract, product, offers = pick("co", "idempotency", lambda c, p, offers: len(offers) >= 2)
    path = product_path(contract, product)
    body = {"offeringId": offers[0]["offeringId"]}
    key = {"Idempotency-Key": f"offering-{contract['contractId']}"}

    first = call(client, "POST", "co", path, body, headers=key)
    again = call(client, "POST", "co", path, body, headers=key)

    assert first[0] == 201 and again == first
    assert len(active(state(client, "co", contract, product)[0], body["offeringId"])) == 1
    assert call(client, "POST", "co", path, body)[0] == 409  # without the key: a second add
    other = {"offeringId": offers[1]["offeringId"]}
    status, answer = call(client, "POST", "co", path, other, headers=key)
    assert status == 409 and "Idempotency-Key" in answer["message"]
    assert not active(state(client, "co", contract, product)[0], other["offeringId"])


def test_the_owner_may_add_to_its_contract_but_not_without_the_write_scope(gateway):
    from werkzeug.test import Client

    customer, contract, product, offers = pick("gt", "owner")
    path = product_path(contract, product)
    owner = (customer["documentType"], customer["customerId"])
    reader = auth.customer_token(*owner, scopes=["selfcare.read"])
    writer = auth.customer_token(*owner)
    client = Client(gateway)
    body = {"offeringId": offers[0]["offeringId"]}

    def as_(token: str, method: str, **kwargs):
        return call(
            client, method, "gt", path, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )

    status, answer = as_(reader, "POST", body=body)
    assert status == 403 and "selfcare.write" in answer["message"]
    assert not active(as_(reader, "GET")[1], body["offeringId"])
    assert as_(writer, "POST", body=body)[0] == 201
    assert active(as_(reader, "GET")[1], body["offeringId"])


def test_the_next_monthly_invoice_bills_an_added_offering(client, stacks):
    """The sandbox's monthly run (python -m local.bill) issues later invoices from what the
    products cost then, so an offering added today is on the next one."""
    import json as _json
    from datetime import timedelta
    from decimal import Decimal

    from local import samples as _samples
    from selfcare.adapters.items import DynamoItems
    from selfcare.adapters.sandbox.backend import SandboxBackend
    from selfcare.countries import get_country
    from tests.support.claims import claim

    sample = _samples.BY_OPERATION["AddOfferingByContractIdAndProductId"]
    customer = claim("gt", sample.suits)
    values = sample.values("gt", customer)
    backend = SandboxBackend(DynamoItems(stacks["gt"].table_name("SandboxTable")))
    before = backend.monthly_charges(values["contractId"])
    added = client.post(
        f"/v1/tigo/home/gt/portfolio/contracts/{values['contractId']}/products/{values['productId']}",
        data=_json.dumps(sample.body("gt", customer)),
        content_type="application/json",
    )
    assert added.status_code == 201
    after = backend.monthly_charges(values["contractId"])
    assert after > before
    invoice = backend.issue_monthly_invoice(
        values["contractId"], AS_OF + timedelta(days=31), get_country("gt")
    )
    newest = client.get(
        f"/v1/tigo/home/gt/billing/contracts/{values['contractId']}/invoices"
    ).get_json()[0]
    assert newest["invoiceId"] == invoice["invoiceId"]
    assert Decimal(str(newest["invoiceAmount"])) == after
