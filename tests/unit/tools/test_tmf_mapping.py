"""tools/tmf_mapping.py: docs/tmf-mapping.md and the extension schemas are what the code
writes, cover every record field and every operation, and the declared TMF calls agree with
the adapter's source."""

from __future__ import annotations

import inspect
import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from local.tmf_schema import extension_types, validate, validate_extension
from local.tmf_standin.resources import build
from local.tmf_standin.server import encode
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.adapters.tmf import apis, reads, shapes
from selfcare.adapters.tmf.backend import TmfBackend
from selfcare.adapters.tmf.codec import Shape
from selfcare.countries import get_country
from selfcare.storable import storable
from tools import tmf_mapping as mapping

ROOT = Path(__file__).resolve().parents[3]
CLIENT_VERB = re.compile(r"self\.client\.(get|list|post|patch|delete)\(")
HTTP = {"get": "GET", "list": "GET", "post": "POST", "patch": "PATCH", "delete": "DELETE"}


@cache
def doc() -> str:
    return mapping.DOC.read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """The document's record sections by shape name."""
    parts = re.split(r"^### `([A-Z_]+)` → .*$", doc(), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def all_shapes() -> dict[str, Shape]:
    return {name: v for name, v in vars(shapes).items() if isinstance(v, Shape)}


# The committed files ---------------------------------------------------------------------------
def test_the_committed_files_are_what_the_code_writes():
    assert mapping.stale() == [], "run: python -m tools.tmf_mapping"


def test_check_fails_on_a_stale_document(monkeypatch, tmp_path, capsys):
    stale = tmp_path / "tmf-mapping.md"
    stale.write_text(doc() + "hand edit\n", encoding="utf-8")
    monkeypatch.setattr(mapping, "DOC", stale)
    assert mapping.main(["--check"]) == 1
    assert capsys.readouterr().out == f"stale: {stale} (python -m tools.tmf_mapping)\n"


def test_every_field_of_every_shape_appears_in_its_section():
    found = sections()
    assert set(found) == set(all_shapes())
    for name, shape in all_shapes().items():
        for field in shape.fields:
            assert f"\n| `{field.name}` | " in found[name], f"{name}.{field.name}"


def test_every_contract_operation_appears_once():
    contract = [op for _, _, op in mapping.operations() if not op.get("x-non-contract")]
    assert len(contract) == 55
    for operation in contract:
        assert doc().count(f"| `{operation['operationId']}` |") == 1, operation["operationId"]


def test_every_extension_type_has_its_schema_and_is_in_the_document():
    types = extension_types()
    assert set(types) == set(mapping.extensions())
    assert set(types) >= {
        "TigoCustomerBill",
        "TigoPayment",
        "TigoProduct",
        "TigoContract",
        "TigoQualifiedOffering",
        "TigoServiceRequest",
        "TigoVisit",
        "TigoVoiceUsage",
        "TigoBillingAccount",
        "TigoContactMedium",
    }
    for name in types:
        assert f"(../api/reference/tmf/extensions/{name}.json)" in doc()


# The tables agree with the code -------------------------------------------------------------------
def test_the_tables_cover_every_port_method_and_every_operation():
    methods = [m for _, group in mapping.port_groups() for m in group]
    assert sorted(mapping.PORTS) == sorted(methods)
    assert sorted(mapping.OPERATIONS) == sorted(
        op["operationId"] for *_, op in mapping.operations()
    )
    for op in mapping.OPERATIONS.values():
        assert set(op.ports.split()) <= set(mapping.PORTS)
    for entry in mapping.PORTS.values():
        assert set(entry.uses) | set(entry.along) | set(entry.then) <= set(mapping.PORTS)


@pytest.mark.parametrize("port", sorted(mapping.PORTS))
def test_declared_calls_match_the_adapters_source(port):
    """The collections, HTTP verbs, filters and patch kinds a port method's source (and what
    it calls) uses are the ones the table declares for it and the port methods it uses."""
    text = mapping.closure(port)
    declared = mapping.expanded(port)
    assert mapping.resources_in(text) == {call.resource for _, call in declared}
    assert {HTTP[v] for v in CLIENT_VERB.findall(text)} == {call.method for _, call in declared}
    uses_json_patch = any(call.patch == mapping.JSON_PATCH for _, call in declared)
    assert uses_json_patch == ("JSON_PATCH_QUERY" in text)
    entry = mapping.PORTS[port]
    for used in (*entry.uses, *entry.along, *entry.then):
        # the port method itself, or the private helper that makes its reads (shared)
        shared = re.findall(r"self\.(_\w+)\(", inspect.getsource(getattr(TmfBackend, used)))
        assert any(f"self.{name}(" in text for name in (used, *shared)), f"{port} uses no {used}"
    if entry.concurrent:
        assert "self.client.concurrently(" in text
    for call in entry.calls:
        for pair in call.query:
            key, value = pair.split("=", 1)
            if key == "limit":
                assert f"limit={value}" in text
                continue
            assert f'"{key}"' in text, f"{port}: filter {key}"
            if "{" not in value:
                constants = [n for n, v in vars(apis).items() if v == value]
                assert f'"{value}"' in text or any(f"apis.{n}" in text for n in constants)
        for name in filter(None, call.fields.split(",")):
            assert f'"{name}"' in text or ("REF_FIELDS" in text and name in reads.REF_FIELDS)
    if entry.table:
        assert not declared and "self.vault." in text


@pytest.mark.parametrize("operation", sorted(mapping.OPERATIONS))
def test_each_operations_port_methods_are_called_by_its_function(operation):
    path = next(p for _, p, op in mapping.operations() if op["operationId"] == operation)
    group = {"payments": "billing"}.get(path.split("/")[1], path.split("/")[1])
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "functions" / group).rglob("*.py"))
    )
    for port in mapping.OPERATIONS[operation].ports.split():
        assert re.search(rf"\.{port}\(", source), f"{operation}: {port} in functions/{group}"


def test_homes_agree_with_the_shapes_and_the_contract():
    schemas = mapping.contract_schemas()
    for item in mapping.placed():
        fixed = item.shape.fixed
        if "@type" in fixed:
            assert item.types == (fixed["@type"],), item.name
        if "@baseType" in fixed:
            assert mapping._base(item) == fixed["@baseType"], item.name
        properties = schemas[item.record]["properties"]
        assert set(item.shape.names()) <= set(properties), item.name
    assert {p.name for p in mapping.placed()} == set(all_shapes())


def test_extra_extension_attributes_are_the_adapters():
    source = mapping.closure("calls") + "\n".join(
        mapping.closure(p) for p in ("available_offers", "set_invoice_flags", "create_invoice")
    )
    source += mapping.closure("enrol_recurring_billing") + mapping.closure("recurring_card_token")
    for attributes in mapping.EXTRAS.values():
        for name in attributes:
            assert f'"{name}"' in source, name


# The extension schemas hold what the stand-in serves ----------------------------------------------
@cache
def served(country: str) -> dict[str, dict[str, Any]]:
    dataset = storable(generate_dataset(country, date(2026, 12, 3), 40))
    return build(dataset, get_country(country).utc_offset)


def test_the_stand_ins_resources_validate_against_the_extension_schemas():
    seen: set[str] = set()
    for resources in served("co").values():
        for resource in resources.values():
            wire = json.loads(json.dumps(resource, default=encode))
            if validate_extension(wire):
                seen.add(wire["@type"])
    # contact media through their billing account; no bill on demand or debit in the dataset
    unseen = {"TigoContactMedium", "TigoCustomerBillOnDemand", "bankAccountDebit"}
    assert seen == set(extension_types()) - unseen


def test_an_extension_schema_refuses_a_wrong_attribute():
    bill = next(iter(served("co")[apis.CUSTOMER_BILL].values()))
    wire = json.loads(json.dumps(bill, default=encode))
    validate(wire, "TMF678", "CustomerBill")
    with pytest.raises(AssertionError, match=r"\$\.hasPayment"):
        validate_extension({**wire, "hasPayment": "yes"})
    account = json.loads(
        json.dumps(next(iter(served("co")[apis.BILLING_ACCOUNT].values())), default=encode)
    )
    account["contact"][0]["contactMedium"][0]["validated"] = "no"
    with pytest.raises(AssertionError, match=r"contactMedium\[0\]\.validated"):
        validate_extension(account)
