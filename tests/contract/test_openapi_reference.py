"""api/openapi.yaml (OpenAPI 3.0.3) against the Swagger 2.0 reference, operation for operation."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator

from tests.support.openapi import ContractSpec

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_NAME = "home-self-care-api.swagger.yaml"

# Every way api/openapi.yaml may differ from the reference, and why. Anything else must match,
# and every entry must still be needed. Additions that cannot break a reference client (patterns,
# maxLength, enums on parameters that had none, descriptions, error responses) are not listed.
Difference = tuple[str, str, str]  # (kind, where, detail)
ALLOWED_DIFFERENCES: set[Difference] = {
    # `required` in the reference but never declared as properties: we declare them.
    ("added property", "ServiceRequest.duration", "number/float"),
    ("added property", "CustomerDetailInfo.customerId", "string"),
    # Swagger 2 leaves errorBody's type implicit; OpenAPI validators need it spelled out.
    ("added type", "errorBody", "object"),
    # Email addresses are validated as such.
    ("added format", "paperlessInvoiceInfo.email", "email"),
    ("added format", "paperlessInvoiceInfo.alternateEmail", "email"),
    ("added format", "paperlessInvoiceInfoRequest.email", "email"),
    ("added format", "paperlessInvoiceInfoRequest.alternateEmail", "email"),
    ("added format", "CustomerInfo.email", "email"),
    ("added format", "CustomerEmail.email", "email"),
    ("added format", "CustomerEmailUpdate.oldEmail", "email"),
    ("added format", "CustomerEmailUpdate.newEmail", "email"),
    # The contact POST/PUT/DELETE declare no body; they take the schema they answer with.
    ("added body", "AddPhonesContactInformationByContractId", "CustomerPhone"),
    ("added body", "RemovePhonesContactInformationByContractId", "CustomerPhone"),
    ("added body", "UpdatePhonesContactInformationByContractId", "CustomerPhoneUpdate"),
    ("added body", "AddEmailContactInformationByContractId", "CustomerEmail"),
    ("added body", "RemoveEmailContactInformationByContractId", "CustomerEmail"),
    ("added body", "UpdateEmailsContactInformationByContractId", "CustomerEmailUpdate"),
    # Create invoice's inline body and 201 schema became named components (same properties).
    ("named inline schema", "CreateInvoiceByContractId body", "CreateInvoiceRequest"),
    ("named inline schema", "CreateInvoiceByContractId 201", "CreateInvoiceResponse"),
    # Swagger 2 `type: file` is OpenAPI 3.0's binary string, served as application/pdf.
    ("file as pdf", "GetInvoicePDFByContractIdAndInvoiceId 200", "application/pdf"),
    ("file as pdf", "GetInvoicePDFByBillingAccountIdAndInvoiceId 200", "application/pdf"),
    # Rules the service enforces, declared so that clients validate as it does (400 otherwise).
    # What a contact change names, and the card a DELETE or a tokenization names.
    ("added required", "CustomerEmail", "email"),
    ("added required", "CustomerEmailUpdate", "newEmail oldEmail"),
    ("added required", "CustomerPhone", "phone"),
    ("added required", "CustomerPhoneUpdate", "newPhone oldPhone"),
    ("added required", "cardTokenizationRequest", "cardToken"),
    ("added required", "CreateCardTokenizationRequest", "cardDetails"),
    (
        "added required",
        "CardDetails",
        "cardBrand cardExpirationDate cardNumber cardVerificationValue",
    ),
    # Values the reference names only in descriptions, or that the service takes.
    ("added enum", "paperlessInvoiceInfoRequest.registeringAppName", "MiTigoWeb CanalesAlternos"),
    ("added enum", "RecurringBillingInfo.paymentMethod", "1 2"),
    ("added enum", "CardDetails.cardBrand", "VISA MASTERCARD AMEX DINERS"),
    (
        "added enum",
        "CheckOutInfo.paymentMethods",
        "POL PSE FACTURANET BANCOLOMBIA VISA MASTERCARD TIGO MONEY BANCO INDUSTRIAL BANCO AGRICOLA",
    ),
}

SCHEMA_KINDS = {"added property", "added type", "added format", "added required", "added enum"}
PARAM_KEYS = ("type", "format", "default", "minimum", "maximum")
PROPERTY_KEYS = ("type", "format", "enum", "$ref")
ERROR_CODES = {"400", "401", "403", "404", "429", "500", "502", "503", "504"}
WRITE_METHODS = {"post", "put", "delete"}
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
PATH_PATTERNS = {
    "contractId": ID_PATTERN,
    "invoiceId": ID_PATTERN,
    "subscriptionNumber": ID_PATTERN,
    "id": ID_PATTERN,
    "billingAccountId": ID_PATTERN,
    "customerId": ID_PATTERN,
    "productId": r"^[0-9]{1,12}$",
    "measuringElement": r"^\+?[0-9]{4,20}$",
    "paymentToken": r"^[A-Za-z0-9_-]{8,64}$",
    "docTypeId": r"^([Cc][CcEe]|[Nn][Ii][Tt]|[Nn][Ee]|[Pp][Aa][Ss]|[Dd][Pp][Ii]|[Dd][Uu][Ii])$",
    "token": r"^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$",
}


@cache
def reference() -> dict[str, Any]:
    path = ROOT / "api" / "reference" / REFERENCE_NAME  # the original Swagger, kept verbatim
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def ours() -> dict[str, Any]:
    return ContractSpec.load().document


def parameters(op: dict[str, Any]) -> list[dict[str, Any]]:
    """An operation's parameters, shared ones ($ref) resolved."""
    spec = ContractSpec.load()
    return [spec.resolve(p) if "$ref" in p else p for p in op.get("parameters", [])]


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    return ContractSpec.load().resolve(node)


def reference_operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {(p, m): op for p, item in reference()["paths"].items() for m, op in item.items()}


def contract_operations() -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (path, method.lower()): op
        for method, path, op in ContractSpec.load().operations()
        if not op.get("x-non-contract")
    }


def json_schema(content: dict[str, Any]) -> dict[str, Any] | None:
    return content["application/json"]["schema"] if list(content) == ["application/json"] else None


def same_properties(inline: dict[str, Any], component: dict[str, Any]) -> bool:
    keys = ("type", "format")
    return {k: {x: v.get(x) for x in keys} for k, v in inline["properties"].items()} == {
        k: {x: v.get(x) for x in keys} for k, v in component["properties"].items()
    }


def operation_differences() -> set[Difference]:
    found: set[Difference] = set()
    refs, mine = reference_operations(), contract_operations()
    for key in refs.keys() ^ mine.keys():
        found.add(("missing operation" if key in refs else "extra operation", " ".join(key), ""))
    schemas = ours()["components"]["schemas"]
    for key in refs.keys() & mine.keys():
        ref_op, op = refs[key], mine[key]
        name = ref_op["operationId"]
        for field in ("operationId", "summary"):
            if op.get(field) != ref_op.get(field):
                found.add((f"{field} differs", name, str(op.get(field))))
        if op.get("tags") != [key[0].strip("/").split("/")[0]]:
            found.add(("tag differs", name, str(op.get("tags"))))

        ref_params = {(p["name"], p["in"]): p for p in ref_op["parameters"] if p["in"] != "body"}
        params = {
            (p["name"], p["in"]): p
            for p in parameters(op)
            if p["in"] != "header" or p.get("required")  # optional headers cannot break a client
        }
        for pkey in ref_params.keys() ^ params.keys():
            found.add(("parameter set differs", f"{name} {pkey}", ""))
        for pkey in ref_params.keys() & params.keys():
            ref_p, p = ref_params[pkey], params[pkey]
            keys = (*PARAM_KEYS, "enum") if "enum" in ref_p else PARAM_KEYS
            wanted = {k: ref_p.get(k) for k in keys} | {"required": bool(ref_p.get("required"))}
            got = {k: p["schema"].get(k) for k in keys} | {"required": bool(p.get("required"))}
            if got != wanted:
                found.add(("parameter differs", f"{name} {pkey[0]}", f"{got} != {wanted}"))

        ref_body = next((p for p in ref_op["parameters"] if p["in"] == "body"), None)
        body = op.get("requestBody")
        schema = json_schema(body["content"]) if body else None
        if ref_body is None and body is not None:
            found.add(("added body", name, ref_name(schema["$ref"]) if schema else str(body)))
        elif ref_body is not None and (body is None or not body.get("required") or not schema):
            found.add(("body differs", name, str(body)))
        elif ref_body is not None and "$ref" in ref_body["schema"]:
            if ref_name(schema.get("$ref", "")) != ref_name(ref_body["schema"]["$ref"]):
                found.add(("body differs", name, str(schema)))
        elif ref_body is not None:
            component = schemas.get(ref_name(schema.get("$ref", "")), {})
            ok = "properties" in component and same_properties(ref_body["schema"], component)
            detail = ref_name(schema["$ref"]) if ok else f"inline differs: {schema}"
            found.add(("named inline schema", f"{name} body", detail))

        ref_ok = {str(c): r for c, r in ref_op["responses"].items() if str(c).startswith("2")}
        ok = {c: r for c, r in op["responses"].items() if c.startswith("2")}
        if ref_ok.keys() != ok.keys():
            found.add(("success codes differ", name, str(sorted(ok))))
        for code in ref_ok.keys() & ok.keys():
            ref_schema, content = ref_ok[code]["schema"], resolve(ok[code]).get("content", {})
            where = f"{name} {code}"
            if ref_schema.get("type") == "file":
                pdf = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
                detail = "application/pdf" if content == pdf else str(content)
                found.add(("file as pdf", where, detail))
                continue
            schema = json_schema(content) or {}
            if "$ref" in ref_schema:
                if ref_name(schema.get("$ref", "")) != ref_name(ref_schema["$ref"]):
                    found.add(("success schema differs", where, str(schema)))
                continue
            component = schemas.get(ref_name(schema.get("$ref", "")), {})
            ok_inline = "properties" in component and same_properties(ref_schema, component)
            detail = ref_name(schema["$ref"]) if ok_inline else f"inline differs: {schema}"
            found.add(("named inline schema", where, detail))
    return found


def describe(prop: dict[str, Any] | None) -> dict[str, Any] | None:
    """What must match in a property (or array items): type, format, enum, $ref, items."""
    if prop is None:
        return None
    out = {k: prop.get(k) for k in PROPERTY_KEYS} | {"items": describe(prop.get("items"))}
    out["$ref"] = out["$ref"] and ref_name(out["$ref"])  # definitions/X == components/schemas/X
    return out


def schema_differences() -> set[Difference]:
    found: set[Difference] = set()
    schemas = ours()["components"]["schemas"]
    for name, ref_def in reference()["definitions"].items():
        if name not in schemas:
            found.add(("missing schema", name, ""))
            continue
        mine = schemas[name]
        if mine.get("type") != ref_def.get("type"):
            kind = "added type" if "type" not in ref_def else "type differs"
            found.add((kind, name, str(mine.get("type"))))
        required, ref_required = mine.get("required", []), ref_def.get("required", [])
        if required[: len(ref_required)] != ref_required:
            found.add(("required differs", name, str(mine.get("required"))))
        elif len(required) > len(ref_required):  # more required than the reference says
            found.add(("added required", name, " ".join(sorted(required[len(ref_required) :]))))
        if describe(mine.get("items")) != describe(ref_def.get("items")):
            found.add(("items differ", name, str(mine.get("items"))))
        if mine.get("enum") != ref_def.get("enum"):
            found.add(("enum differs", name, str(mine.get("enum"))))
        ref_props, props = ref_def.get("properties", {}), mine.get("properties", {})
        for prop in props.keys() - ref_props.keys():
            p = props[prop]
            kind = "/".join(filter(None, (p.get("type"), p.get("format"))))
            found.add(("added property", f"{name}.{prop}", kind))
        for prop in ref_props.keys() - props.keys():
            found.add(("missing property", f"{name}.{prop}", ""))
        for prop in ref_props.keys() & props.keys():
            got, wanted = describe(props[prop]), describe(ref_props[prop])
            if got["format"] != wanted["format"] and wanted["format"] is None:
                found.add(("added format", f"{name}.{prop}", got["format"]))
                got["format"] = None
            for where in (got, got["items"]):  # an enum where the reference has none
                wanted_at = wanted if where is got else wanted["items"]
                if where and where["enum"] and wanted_at and wanted_at["enum"] is None:
                    found.add(("added enum", f"{name}.{prop}", " ".join(where["enum"])))
                    where["enum"] = None
            if got != wanted:
                found.add(("property differs", f"{name}.{prop}", f"{got} != {wanted}"))
    return found


def assert_only_allowed(found: set[Difference], allowed: set[Difference]) -> None:
    unexpected, stale = sorted(found - allowed), sorted(allowed - found)
    assert not unexpected, "not in ALLOWED_DIFFERENCES:\n" + "\n".join(map(str, unexpected))
    assert not stale, "ALLOWED_DIFFERENCES no longer true:\n" + "\n".join(map(str, stale))


def test_document_is_valid_openapi_3_0() -> None:
    errors = [e.message for e in OpenAPIV30SpecValidator(ours()).iter_errors()]
    assert ours()["openapi"] == "3.0.3"
    assert errors == []


def test_info_and_servers_carry_the_reference() -> None:
    info, ref_info = ours()["info"], reference()["info"]
    assert (info["title"], info["version"], info["license"]["name"]) == (
        ref_info["title"],
        ref_info["version"],
        "MIT",
    )
    assert info["contact"] == ref_info["contact"]
    for server in ours()["servers"]:
        assert server["url"].endswith(reference()["basePath"])
        assert server["variables"]["country"]["enum"] == ["co", "gt", "sv"]


def test_operations_match_the_reference() -> None:
    allowed = {d for d in ALLOWED_DIFFERENCES if d[0] not in SCHEMA_KINDS}
    assert_only_allowed(operation_differences(), allowed)


def test_schemas_match_the_reference() -> None:
    allowed = {d for d in ALLOWED_DIFFERENCES if d[0] in SCHEMA_KINDS}
    assert_only_allowed(schema_differences(), allowed)


def test_added_properties_are_required_as_the_reference_says() -> None:
    schemas = ours()["components"]["schemas"]
    assert "duration" in schemas["ServiceRequest"]["required"]
    assert "customerId" in schemas["CustomerDetailInfo"]["required"]


@pytest.mark.parametrize(
    ("method", "op"),
    [pytest.param(m, op, id=op["operationId"]) for m, _, op in ContractSpec.load().operations()],
)
def test_every_operation_declares_the_errors_the_service_returns(method: str, op: dict) -> None:
    expected = set(ERROR_CODES)
    if op.get("security") == []:
        expected.discard("401")  # nothing to authenticate
    if op.get("tags") == ["payments"]:  # the gateways' side: no bearer token, no ownership
        expected.discard("403")
        if op["operationId"] == "ReceivePaymentNotification":
            expected.add("401")  # a notification whose signature does not verify
    if method.lower() in WRITE_METHODS and op.get("tags") != ["payments"]:
        expected.add("409")
    if op.get("operationId") == "ReceivePaymentNotification":
        expected.add("409")  # an amount that is not the attempt's
    if "requestBody" in op:
        expected.add("413")
    errors = {c for c in op["responses"] if c[0] in "45"}
    assert errors == expected
    for code in (*expected, "default"):
        schema = json_schema(resolve(op["responses"][code])["content"])
        assert schema == {"$ref": "#/components/schemas/errorBody"}, code


def test_success_code_counts() -> None:
    tally: dict[tuple[str, ...], list[str]] = {}
    for op in contract_operations().values():
        codes = tuple(sorted(c for c in op["responses"] if c.startswith("2")))
        tally.setdefault(codes, []).append(op["operationId"])
    assert len(contract_operations()) == 55
    assert {codes: len(ops) for codes, ops in tally.items()} == {
        ("200",): 45,
        ("201",): 8,
        ("200", "202"): 2,
    }
    assert sorted(tally[("200", "202")]) == [
        "GetCheckOutByContractIdAndInvoiceId",
        "GetCheckOutByContractIdAndInvoiceIdAndPaymentToken",
    ]
    assert "DeleteOfferingByContractIdAndProductId" in tally[("201",)]


def test_path_parameters_are_constrained_the_same_everywhere() -> None:
    for method, path, op in ContractSpec.load().operations():
        for p in parameters(op):
            if p["in"] == "path" and p["name"] in PATH_PATTERNS:
                assert p["schema"].get("pattern") == PATH_PATTERNS[p["name"]], (method, path, p)
            elif p["name"] == "idType":
                assert p["schema"]["enum"] == ["subscriptions", "billingaccounts"]


def test_every_operation_declares_the_scope_the_service_enforces() -> None:
    from selfcare import scopes

    doc = ours()
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
    for flow in flows.values():
        assert set(flow["scopes"]) == set(scopes.ALL)
    public = set()
    for method, path, op in ContractSpec.load().operations():
        needed = scopes.required(method, scopes.BASE + path)
        if needed is None:
            public.add((method, path))
            assert op["security"] == [] and op.get("x-non-contract"), f"{method} {path}"
        else:
            assert op["security"] == [{"oauth2": [needed]}], f"{method} {path}"
    assert public == set(scopes.PUBLIC)


def test_download_link_serves_a_pdf() -> None:
    _, op = ContractSpec.load().match("GET", "/billing/spool/documents/x")
    assert op["tags"] == ["spool"]
    assert op["responses"]["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
    }
