"""Offering changes as the portfolio routes answer them, over the sandbox catalogue in memory."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import pytest

from portfolio import offerings, products
from selfcare.adapters.items import MemoryItems
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.errors import Conflict, InvalidParameter, NotFound
from selfcare.models.common import successBody
from selfcare.models.portfolio import OfferingRequest

AS_OF = date(2026, 10, 15)
Record = dict[str, Any]


@cache
def dataset() -> Record:
    return generate_dataset("co", AS_OF)


def setup(wanted=lambda contract, product: True) -> tuple[SandboxBackend, Any, Record, Record]:
    """(catalog, contract ref, contract, product): the first product with offers that
    `wanted` accepts, over a fresh copy of the dataset."""
    catalog = SandboxBackend(MemoryItems(layout.dataset_items(dataset())))
    for customer in dataset()["customers"]:
        for contract in customer["contracts"]:
            for product in contract["products"]:
                if contract["availableOffers"].get(str(product["productId"])) and wanted(
                    contract, product
                ):
                    ref = catalog.find_contract(contract["contractId"])
                    return catalog, ref, contract, product
    raise LookupError("no such product")


def offers(contract: Record, product: Record) -> list[Record]:
    return contract["availableOffers"][str(product["productId"])]


def request(offering_id: Any, promotion_code: Any = None) -> OfferingRequest:
    body = {"offeringId": offering_id}
    if promotion_code is not None:
        body["promotionCode"] = promotion_code
    return OfferingRequest.model_validate(body)


def test_adding_answers_a_success_body_naming_the_offering_and_every_read_shows_it():
    catalog, ref, contract, product = setup()
    offer = offers(contract, product)[0]
    pid = str(product["productId"])

    answer = offerings.add(catalog, ref, pid, request(offer["offeringId"]))

    assert answer == {"response": "OK", "message": f"Offering {offer['offeringName']} added"}
    successBody.model_validate(answer)
    shown = products.one(catalog, ref, pid)
    assert shown["offeringList"][-1]["offeringId"] == offer["offeringId"]
    assert shown in products.of_contract(catalog, ref, 99)
    customer = catalog.find_customer(ref.document_type, ref.customer_id)
    assert shown in products.of_customer(catalog, customer, 99)
    left = products.available_offers(catalog, ref, pid)
    assert offer["offeringId"] not in [o["offeringId"] for o in left]


def test_removing_answers_a_success_body_and_the_offer_comes_back():
    catalog, ref, contract, product = setup()
    offer = offers(contract, product)[0]
    pid = str(product["productId"])
    offerings.add(catalog, ref, pid, request(offer["offeringId"]))

    answer = offerings.remove(catalog, ref, pid, request(offer["offeringId"]))

    assert answer == {"response": "OK", "message": f"Offering {offer['offeringName']} removed"}
    back = products.available_offers(catalog, ref, pid)
    assert offer["offeringId"] in [o["offeringId"] for o in back]
    entry = [
        o
        for o in products.one(catalog, ref, pid)["offeringList"]
        if o["offeringId"] == offer["offeringId"]
    ]
    assert [o["status"] for o in entry] == ["Cancelado"]


@pytest.mark.parametrize("code", ["", "   "])
def test_an_empty_promotion_code_is_no_promotion(code):
    catalog, ref, contract, product = setup(
        lambda c, p: any(o.get("promotionCode") for o in offers(c, p))
    )
    offer = next(o for o in offers(contract, product) if o.get("promotionCode"))
    pid = str(product["productId"])
    offerings.add(catalog, ref, pid, request(offer["offeringId"], code))
    added = products.one(catalog, ref, pid)["offeringList"][-1]
    assert added["priceAmount"] == offer["amount"] != offer["promotionAmount"]


@pytest.mark.parametrize("operation", [offerings.add, offerings.remove])
@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_offering_id_is_400_naming_it_and_changes_nothing(operation, blank):
    catalog, ref, _, product = setup()
    pid = str(product["productId"])
    before = products.of_contract(catalog, ref, 99), products.available_offers(catalog, ref, pid)
    with pytest.raises(InvalidParameter) as refused:
        operation(catalog, ref, pid, request(blank))
    assert refused.value.parameter == "offeringId" and refused.value.status == 400
    after = products.of_contract(catalog, ref, 99), products.available_offers(catalog, ref, pid)
    assert after == before


def test_refusals_carry_their_status():
    catalog, ref, contract, product = setup(lambda c, p: len(p["offeringList"]) > 1)
    pid = str(product["productId"])
    base = product["offeringList"][0]["offeringId"]
    with pytest.raises(NotFound):
        offerings.add(catalog, ref, pid, request("00000"))
    with pytest.raises(NotFound):
        offerings.add(catalog, ref, "999", request(offers(contract, product)[0]["offeringId"]))
    with pytest.raises(Conflict):
        offerings.add(catalog, ref, pid, request(base))
    with pytest.raises(Conflict):
        offerings.remove(catalog, ref, pid, request(base))
    with pytest.raises(NotFound):
        offerings.remove(catalog, ref, pid, request("00000"))


def test_with_two_products_of_the_same_id_the_change_shows_on_the_one_get_answers():
    def wanted(contract: Record, product: Record) -> bool:
        same = [p for p in contract["products"] if p["productId"] == product["productId"]]
        return len(same) > 1 and same[0] is product

    catalog, ref, contract, product = setup(wanted)
    offer = offers(contract, product)[0]
    pid = str(product["productId"])
    offerings.add(catalog, ref, pid, request(offer["offeringId"]))
    changed = [
        p
        for p in products.of_contract(catalog, ref, 99)
        if any(o["offeringId"] == offer["offeringId"] for o in p["offeringList"])
    ]
    assert changed == [products.one(catalog, ref, pid)]
