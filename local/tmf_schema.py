"""Hold TMF resources to the TM Forum Open API v4 schemas kept in api/reference/tmf/.

    validate(bill, "TMF678", "CustomerBill")

Each excerpt file holds a spec's `definitions` restricted to what its root definitions reach
(see api/reference/tmf/README.md). The validator is Draft 4 (Swagger 2.0 schemas are a Draft 4
subset) rooted at `{"$ref": "#/definitions/<definition>", "definitions": ...}`, so every `$ref`
resolves inside the file. Additional properties stay allowed, as in the specs (TMF extends
resources by `@type`/`@schemaLocation`). Of the formats only `date-time` is checked (RFC 3339):
Swagger's `float`, `int32`, `uri` and `base64` are left alone.

A failure raises AssertionError listing every violation by its JSON path, the keyword it fails
and what the schema expects there (a type, a format, one of an enum's values, a required
property), never the offending value: a resource may hold a card token, an email or a phone
number, and tools/tmf_check.py prints these lines. Used by the tests and by tools/tmf_check.py.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from selfcare.adapters.tmf import apis

ROOT = Path(__file__).resolve().parents[1]
TMF_DIR = ROOT / "api" / "reference" / "tmf"

# The TMF definition of each collection the adapter reads (selfcare.adapters.tmf.apis).
COLLECTIONS: dict[str, tuple[str, str]] = {
    apis.CUSTOMER: ("TMF629", "Customer"),
    apis.BILLING_ACCOUNT: ("TMF666", "BillingAccount"),
    apis.PRODUCT: ("TMF637", "Product"),
    apis.PRODUCT_OFFERING: ("TMF620", "ProductOffering"),
    apis.CUSTOMER_BILL: ("TMF678", "CustomerBill"),
    apis.PAYMENT: ("TMF676", "Payment"),
    apis.PAYMENT_METHOD: ("TMF670", "PaymentMethod"),
    apis.USAGE: ("TMF635", "Usage"),
    apis.TROUBLE_TICKET: ("TMF621", "TroubleTicket"),
    apis.APPOINTMENT: ("TMF646", "Appointment"),
}

# The root definitions each excerpt was cut around (everything they reach is kept, plus Error).
ROOT_DEFINITIONS: dict[str, tuple[str, ...]] = {
    "TMF620": ("ProductOffering",),
    "TMF621": ("TroubleTicket",),
    "TMF622": ("ProductOrder", "ProductOrder_Create"),
    "TMF629": ("Customer",),
    "TMF632": ("Individual", "Organization"),
    "TMF635": ("Usage",),
    "TMF637": ("Product",),
    "TMF646": ("Appointment",),
    "TMF666": ("BillingAccount",),
    "TMF670": ("PaymentMethod", "PaymentMethod_Create", "PaymentMethod_Update"),
    "TMF676": ("Payment", "Payment_Create"),
    "TMF678": ("CustomerBill", "CustomerBillOnDemand", "CustomerBillOnDemand_Create"),
}

_FORMATS = FormatChecker(formats=["date-time"])
_MAX_LISTED = 20


def excerpt_path(api: str) -> Path:
    """The excerpt file of `api` ("TMF678" -> api/reference/tmf/TMF678-CustomerBill-v4.0.0.json)."""
    matches = sorted(TMF_DIR.glob(f"{api}-*.json"))
    if len(matches) != 1:
        raise LookupError(f"expected one excerpt for {api} in {TMF_DIR}, found {len(matches)}")
    return matches[0]


@cache
def load(api: str) -> dict[str, Any]:
    """The parsed excerpt of `api` (read once per file)."""
    with excerpt_path(api).open(encoding="utf-8") as f:
        spec: dict[str, Any] = json.load(f)
    return spec


@cache
def validator(api: str, definition: str) -> Draft4Validator:
    definitions = load(api)["definitions"]
    if definition not in definitions:
        raise KeyError(f"{api} has no definition {definition!r}; it has {sorted(definitions)}")
    schema = {"$ref": f"#/definitions/{definition}", "definitions": definitions}
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=_FORMATS)


def _where(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate(resource: Any, api: str, definition: str) -> None:
    """Raise AssertionError unless `resource` is a valid `definition` of TMF `api`."""
    _raise(list(validator(api, definition).iter_errors(resource)), f"{api} {definition}")


def _expected(error: Any) -> str:
    """What `error`'s keyword asked for, from the schema only (never the instance's value)."""
    keyword, wanted = error.validator, error.validator_value
    if keyword == "required" and isinstance(wanted, list):  # one error per missing name
        present = error.instance if isinstance(error.instance, dict) else {}
        missing = [name for name in wanted if name not in present]
        named = [name for name in missing if str(error.message).startswith(repr(name))]
        return "missing " + ", ".join(repr(name) for name in named or missing)
    if keyword == "enum":
        return f"expected one of {wanted!r}"
    if isinstance(wanted, str | int | float | bool) or (
        isinstance(wanted, list) and all(isinstance(w, str | int | float | bool) for w in wanted)
    ):
        return f"expected {wanted!r}"
    return "not met"


def _raise(errors: list[Any], what: str) -> None:
    if not errors:
        return
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    lines = [
        f"{_where(e.absolute_path)}: {e.validator}: {_expected(e)}" for e in errors[:_MAX_LISTED]
    ]
    if len(errors) > _MAX_LISTED:
        lines.append(f"... and {len(errors) - _MAX_LISTED} more")
    raise AssertionError(f"not a valid {what} ({len(errors)} error(s)):\n  " + "\n  ".join(lines))


# Our extension @types (api/reference/tmf/extensions/, written by tools/tmf_mapping.py) ------------
EXTENSIONS_DIR = TMF_DIR / "extensions"
_BASE = "https://selfcare.invalid/api/reference/tmf/"  # where the files' relative $refs resolve


@cache
def _registry() -> Registry[Any]:
    """Every excerpt (as load() parsed and kept it) and every extension schema, by its URI."""
    found = [(_BASE + excerpt_path(api).name, load(api)) for api in ROOT_DEFINITIONS]
    for type_ in sorted(_types()):
        with (EXTENSIONS_DIR / f"{type_}.json").open(encoding="utf-8") as f:
            found.append((f"{_BASE}extensions/{type_}.json", json.load(f)))
    return Registry().with_resources(
        (uri, Resource.from_contents(contents, default_specification=DRAFT4))
        for uri, contents in found
    )


@cache
def _types() -> frozenset[str]:
    """Our extension @types: the files in EXTENSIONS_DIR (listed once per process)."""
    return frozenset(path.stem for path in EXTENSIONS_DIR.glob("*.json"))


def extension_types() -> list[str]:
    return sorted(_types())


@cache
def extension_validator(type_: str) -> Draft4Validator:
    schema = {"$ref": f"{_BASE}extensions/{type_}.json"}
    return Draft4Validator(schema, registry=_registry(), format_checker=_FORMATS)


def validate_extension(resource: Any, type_: str | None = None) -> bool:
    """Hold `resource` to the schema of its `@type` (or `type_`): False when that is none of
    ours; AssertionError listing the violations when it does not hold."""
    type_ = type_ or (resource.get("@type") if isinstance(resource, dict) else None)
    if not isinstance(type_, str) or type_ not in _types():
        return False
    _raise(list(extension_validator(type_).iter_errors(resource)), f"@type {type_}")
    return True
