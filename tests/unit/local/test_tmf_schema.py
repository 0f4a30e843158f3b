"""The TMF v4 schema excerpts (api/reference/tmf/) and the validator over them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local import tmf_schema
from local.tmf_schema import (
    ROOT_DEFINITIONS,
    TMF_DIR,
    excerpt_path,
    extension_types,
    load,
    validate,
    validate_extension,
    validator,
)

EXCERPTS = sorted(TMF_DIR.glob("TMF*.json"))
ROOTS = [(api, name) for api, names in ROOT_DEFINITIONS.items() for name in names]


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _closure(definitions: dict[str, Any], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [ref.rsplit("/", 1)[1] for ref in _refs(definitions[name])]
    return seen


def _bill(**overrides: Any) -> dict[str, Any]:
    bill: dict[str, Any] = {
        "id": "INV-0001",
        "href": "/tmf-api/customerBillManagement/v4/customerBill/INV-0001",
        "billNo": "0001",
        "billDate": "2024-05-01T00:00:00Z",
        "paymentDueDate": "2024-05-20T00:00:00-05:00",
        "amountDue": {"unit": "COP", "value": 125000.0},
        "billingAccount": {"id": "BA-1", "@referredType": "BillingAccount"},
        "state": "new",
        "@type": "CustomerBill",
    }
    bill.update(overrides)
    return bill


def test_every_api_has_one_excerpt() -> None:
    assert sorted(p.name.split("-", 1)[0] for p in EXCERPTS) == sorted(ROOT_DEFINITIONS)
    for api in ROOT_DEFINITIONS:
        assert excerpt_path(api) in EXCERPTS


@pytest.mark.parametrize("path", EXCERPTS, ids=lambda p: p.name)
def test_excerpt_loads_and_every_ref_resolves(path: Path) -> None:
    with path.open(encoding="utf-8") as f:
        spec = json.load(f)
    assert spec["swagger"] == "2.0"
    assert spec["info"]["version"] == "4.0.0"
    assert spec["basePath"].startswith("/")
    assert set(spec["x-source"]) == {"repo", "path", "commit"}
    assert len(spec["x-source"]["commit"]) == 40
    definitions = spec["definitions"]
    for ref in _refs(spec):
        assert ref.startswith("#/definitions/"), ref
        assert ref.rsplit("/", 1)[1] in definitions, f"{path.name}: {ref} does not resolve"


@pytest.mark.parametrize("path", EXCERPTS, ids=lambda p: p.name)
def test_excerpt_is_exactly_the_closure_of_its_roots(path: Path) -> None:
    api = path.name.split("-", 1)[0]
    definitions = load(api)["definitions"]
    assert "Error" in definitions
    assert set(definitions) == _closure(definitions, [*ROOT_DEFINITIONS[api], "Error"])


@pytest.mark.parametrize(("api", "name"), ROOTS, ids=lambda v: str(v))
def test_root_definition_present_and_schema_valid(api: str, name: str) -> None:
    assert name in load(api)["definitions"]
    validator(api, name)  # Draft4Validator.check_schema passes


def test_minimal_customer_bill_passes() -> None:
    validate(_bill(), "TMF678", "CustomerBill")
    validate({}, "TMF678", "CustomerBill")  # CustomerBill has no required properties


def test_additional_properties_are_allowed() -> None:
    validate(
        _bill(localTaxId="900123456", **{"@type": "TigoCustomerBill"}), "TMF678", "CustomerBill"
    )


def test_amount_due_as_string_fails() -> None:
    with pytest.raises(AssertionError) as caught:
        validate(_bill(amountDue="125000"), "TMF678", "CustomerBill")
    message = str(caught.value)
    assert "TMF678 CustomerBill" in message
    assert "$.amountDue: type: expected 'object'" in message
    assert "125000" not in message  # the offending value is never shown


def test_nested_errors_are_all_listed_with_paths() -> None:
    bill = _bill(
        state="paid",  # not in stateValue
        billingAccount={"name": "no id"},  # BillingAccountRef requires id
        taxItem=[{"taxAmount": {"value": "19%"}}],
    )
    with pytest.raises(AssertionError) as caught:
        validate(bill, "TMF678", "CustomerBill")
    message = str(caught.value)
    assert "(3 error(s))" in message
    assert "$.state: enum: expected one of ['new', " in message
    assert "$.billingAccount: required: missing 'id'" in message
    assert "$.taxItem[0].taxAmount.value: type: expected 'number'" in message
    assert "paid" not in message and "19%" not in message and "no id" not in message


def test_date_time_is_checked_other_formats_are_not() -> None:
    with pytest.raises(AssertionError, match=r"\$\.billDate: format: expected 'date-time'$"):
        validate(_bill(billDate="2024-05-01"), "TMF678", "CustomerBill")
    # format: uri on @schemaLocation is not enforced
    validate(_bill(**{"@schemaLocation": "not a uri"}), "TMF678", "CustomerBill")


def test_create_definitions_carry_their_own_required() -> None:
    validate({"account": {"id": "A"}, "paymentMethod": {"id": "PM"}}, "TMF676", "Payment")
    with pytest.raises(AssertionError, match=r"\$: required: missing 'totalAmount'$"):
        validate(
            {"account": {"id": "A"}, "paymentMethod": {"id": "PM"}}, "TMF676", "Payment_Create"
        )


def test_unknown_definition_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no definition 'Invoice'"):
        validate({}, "TMF678", "Invoice")


def test_unknown_api_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="TMF999"):
        validate({}, "TMF999", "Anything")


def test_a_violation_names_its_path_and_keyword_never_the_value() -> None:
    """A card token sent as a number, an email where an object belongs: the message (which
    tools/tmf_check.py prints) says where and what was expected, not what was there."""
    token, email = 4111111111111111, "someone@example.com"
    method = {"id": "PM-1", "@type": "tokenizedCard", "token": token, "bank": [email]}
    with pytest.raises(AssertionError) as caught:
        validate_extension(method)
    message = str(caught.value)
    assert "$.token: type: expected 'string'" in message
    assert "$.bank: type: expected 'string'" in message
    assert str(token) not in message and email not in message


def test_a_type_that_is_not_a_name_is_none_of_ours() -> None:
    assert validate_extension({"@type": ["tokenizedCard"]}) is False
    assert validate_extension({"@type": {"x": 1}}) is False


def test_the_extension_folder_is_listed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    validate_extension({"@type": "TigoCustomerBill"})
    listed: list[str] = []
    glob = Path.glob

    def counting(self: Path, pattern: str) -> Any:
        listed.append(str(self))
        return glob(self, pattern)

    monkeypatch.setattr(Path, "glob", counting)
    for _ in range(3):
        validate_extension({"@type": "TigoCustomerBill"})
        validate_extension({"@type": "NotOurs"})
    assert "TigoCustomerBill" in extension_types()
    assert listed == []


def test_the_registry_holds_the_excerpts_load_parsed() -> None:
    registry = tmf_schema._registry()
    for api in ROOT_DEFINITIONS:
        assert registry.contents(tmf_schema._BASE + excerpt_path(api).name) is load(api)
