"""The stand-in serves the sandbox dataset as TM Forum resources that (1) validate against
the TMF v4 schemas kept under api/reference/tmf/ and (2) read back, through the adapter's
shapes, as exactly the records the sandbox backend answers."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from local.tmf_schema import COLLECTIONS, validate
from local.tmf_standin.resources import build
from local.tmf_standin.server import encode
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.adapters.tmf import shapes
from selfcare.countries import fixed_zone, get_country
from selfcare.storable import storable

AS_OF = date(2026, 12, 3)
COUNTRIES = ("co", "gt", "sv")
SCHEMAS = COLLECTIONS  # collection -> (TMF API, definition)


@cache
def dataset(country: str) -> dict[str, Any]:
    return storable(generate_dataset(country, AS_OF, 40))


@cache
def collections(country: str) -> dict[str, dict[str, Any]]:
    return build(dataset(country), get_country(country).utc_offset)


def wire(resource: Any) -> Any:
    """What the adapter reads: the resource as JSON, numbers as Decimal."""
    text = json.dumps(resource, default=encode)
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("collection", sorted(SCHEMAS))
def test_every_resource_validates_against_its_tmf_schema(country, collection):
    api, definition = SCHEMAS[collection]
    served = collections(country)[collection]
    assert served, f"the stand-in serves no {collection}"
    for resource in served.values():
        validate(json.loads(json.dumps(resource, default=encode)), api, definition)


def records(country: str):
    """(shape, record) for every record of the dataset the adapter reads through a shape."""
    for customer in dataset(country)["customers"]:
        yield shapes.CUSTOMER, customer["customer"]
        for contract in customer["contracts"]:
            yield shapes.CONTRACT, contract["contract"]
            yield shapes.CONTACT, contract["contactInformation"]
            for invoice in contract["invoices"]:
                yield shapes.INVOICE, {k: v for k, v in invoice.items() if k != "paymentInfo"}
                if invoice.get("paymentInfo"):
                    yield shapes.PAYMENT, invoice["paymentInfo"]
            for product in contract["products"]:
                yield shapes.PRODUCT, product
            for offers in contract["availableOffers"].values():
                for offer in offers:
                    yield shapes.OFFER, offer
            for request in contract["serviceRequests"]:
                yield shapes.SERVICE_REQUEST, request
            for call in contract["calls"]:
                yield shapes.CALL, {k: v for k, v in call.items() if k != "measuringElement"}
            if contract.get("recurringBilling"):
                yield shapes.RECURRING, contract["recurringBilling"]
        for visit in customer["scheduledVisits"]["scheduledVisitList"]:
            for action in visit["serviceActionList"]:
                yield shapes.VISIT_ACTION, action


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_record_reads_back_as_it_was_written(country):
    offset = get_country(country).utc_offset
    zone = fixed_zone(offset)
    checked = 0
    for shape, record in records(country):
        back = shape.from_tmf(wire(shape.to_tmf(record, offset)), zone)
        assert json.dumps(back, default=encode) == json.dumps(record, default=encode)
        checked += 1
    assert checked > 1000
