"""Every Swagger definition has a model with the contract's names, required list and types."""

from __future__ import annotations

import typing
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, RootModel

from selfcare.models import common, customer, portfolio
from tests.unit.selfcare.models.reference_contract import (
    ADDED,
    GROUPS,
    arrays,
    definitions,
    model,
    objects,
)

# `type: number` properties that are identifiers or counts: integers in the models.
INTEGER_NUMBERS = {
    ("Invoice", "billingId"),
    ("Invoice", "billingAccountId"),
    ("paperlessInvoiceInfo", "billingId"),
    ("paperlessInvoiceInfoRequest", "billingId"),
    ("paperlessInvoiceInfoRequest", "unsubscribeReasonId"),
    ("Product", "productId"),
    ("Product_Old_Please_Deleteme", "productId"),
    ("SimplifiedOffering", "productId"),
    ("Device", "deviceId"),
    ("Device", "modelId"),
    ("BundledItem", "bundledItemId"),
    ("BillingBalance", "dueInvoicesCount"),
}


def test_every_definition_has_a_model_in_its_group() -> None:
    grouped = set().union(*GROUPS.values())
    assert grouped == set(definitions())
    assert len(grouped) == 54
    for module, names in GROUPS.items():
        for name in names:
            assert hasattr(module, name), f"{module.__name__}.{name} missing"


@pytest.mark.parametrize("name", objects())
def test_object_models_carry_the_contract_properties(name: str) -> None:
    cls = model(name)
    declared = set(definitions()[name].get("properties", {}))
    assert set(cls.model_fields) == declared | set(ADDED.get(name, {}))


@pytest.mark.parametrize("name", objects())
def test_required_fields_are_the_contract_required_list(name: str) -> None:
    cls = model(name)
    required = {f for f, info in cls.model_fields.items() if info.is_required()}
    assert required == set(definitions()[name].get("required", []))


def _nonnull(schema: dict[str, Any]) -> dict[str, Any]:
    options = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    assert len(options) == 1, schema
    return options[0]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    # A $ref to an array definition (CustomerEmailList, DeviceList) stands for that array.
    if "$ref" in node:
        target = definitions()[node["$ref"].rsplit("/", 1)[1]]
        if target.get("type") == "array":
            return target
    return node


def _check_type(where: tuple[str, str], contract: dict[str, Any], ours: dict[str, Any]) -> None:
    contract, ours = _resolve(contract), _nonnull(ours)
    if "$ref" in contract:
        assert ours["$ref"].rsplit("/", 1)[1] == contract["$ref"].rsplit("/", 1)[1], where
        return
    kind = contract["type"]
    if kind == "array":
        assert ours["type"] == "array", where
        _check_type(where, contract["items"], ours["items"])
        return
    if kind == "number" and where in INTEGER_NUMBERS:
        kind = "integer"
    assert ours["type"] == kind, where
    if contract.get("format") == "date":
        assert ours.get("format") == "date", where


@pytest.mark.parametrize("name", objects())
def test_property_types_follow_the_contract(name: str) -> None:
    schema = model(name).model_json_schema()
    properties = dict(definitions()[name].get("properties", {}))
    properties.update({p: {"type": t} for p, t in ADDED.get(name, {}).items()})
    for prop, contract in properties.items():
        _check_type((name, prop), contract, schema["properties"][prop])


def test_numbers_other_than_identifiers_are_money_or_durations() -> None:
    numbers = {
        (name, prop)
        for name in objects()
        for prop, p in definitions()[name].get("properties", {}).items()
        if p.get("type") == "number"
    }
    assert numbers >= INTEGER_NUMBERS
    for name, prop in numbers:
        cls = model(name)
        instance = cls.model_construct()
        cls.__pydantic_validator__.validate_assignment(instance, prop, 12)
        value = getattr(instance, prop)
        if (name, prop) in INTEGER_NUMBERS:
            assert type(value) is int, (name, prop)
        elif (name, prop) == ("CallDetail", "duration"):
            assert type(value) is float
        else:
            assert type(value) is Decimal, (name, prop)


# The project's string length table, by property name; any other string: 100.
MAX_LENGTHS = {
    64: {"contractId", "invoiceId", "customerId", "billingId", "subscriptionNumber",
         "measuringElement", "offeringId", "promotionCode", "transactionId", "cardToken",
         "paymentToken", "checkOutId", "serviceRequestId", "serviceActionId", "serviceId",
         "externalId", "serviceAddressId", "paymentId", "technicianDocumentId"},
    254: {"email", "alternateEmail", "newEmail", "oldEmail"},
    20: {"phoneNumber", "phone", "newPhone", "oldPhone", "msisdn", "customerPhone", "origin",
         "destination"},
    200: {"streetAddress", "streetAddressLine2", "serviceAddress"},
    2048: {"URL", "returnUrl", "cancelUrl", "technicianPictureURL", "redirectUrl"},
    500: {"paymentDescription", "updateReason", "offeringDescription", "promotionDescription",
          "details", "subcriptionStatusMessage", "message", "response", "includedAssets"},
    45: {"customerIpAddress"},
    10: {"documentType"},
}  # fmt: skip


def _max_length(name: str, prop: str) -> int:
    if (name, prop) == ("ServiceRequest", "status"):
        return 500
    return next((n for n, props in MAX_LENGTHS.items() if prop in props), 100)


@pytest.mark.parametrize("name", objects())
def test_strings_follow_the_length_table(name: str) -> None:
    for prop, schema in model(name).model_json_schema()["properties"].items():
        schema = _nonnull(schema)
        schema = schema.get("items", schema)
        if schema.get("type") != "string" or "format" in schema or schema.get("writeOnly"):
            continue  # dates, card number and CVV (fixed by their patterns)
        assert schema.get("maxLength") == _max_length(name, prop), (name, prop)


@pytest.mark.parametrize("name", arrays())
def test_array_definitions_are_root_models_of_their_items(name: str) -> None:
    cls = model(name)
    assert issubclass(cls, RootModel)
    (item,) = typing.get_args(cls.model_fields["root"].annotation)
    items = definitions()[name]["items"]
    if "$ref" in items:
        assert isinstance(item, type)
        assert issubclass(item, BaseModel)
        assert item.__name__ == items["$ref"].rsplit("/", 1)[1]
    else:
        assert items == {"type": "string", "format": "date"}
        assert cls.model_validate(["2024-01-31"]).root == [date(2024, 1, 31)]


def test_doc_type_enum_has_the_contract_values() -> None:
    assert [m.value for m in common.docTypeEnum] == definitions()["docTypeEnum"]["enum"]


def test_field_named_like_a_class_keeps_its_type() -> None:
    # CustomerDetailInfo.Address and Product_Old_Please_Deleteme.DeviceList share class names.
    info = customer.CustomerDetailInfo.model_validate(
        {"customerId": "1", "Address": {"streetAddress": "10542 NW 51 ST"}}
    )
    assert isinstance(info.Address, customer.Address)
    old = portfolio.Product_Old_Please_Deleteme.model_validate(
        {"productId": 1, "productName": "TV", "offeringId": "o", "offeringName": "HD",
         "DeviceList": [[{"deviceId": 7, "serialNumber": "S1"}]]}
    )  # fmt: skip
    assert old.DeviceList is not None
    assert old.DeviceList[0][0].deviceId == 7
