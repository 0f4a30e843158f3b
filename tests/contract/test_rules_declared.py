"""Every rule the API enforces on what a caller sends is declared in api/openapi.yaml, so a
client generated from it validates the same way: for each rule, a value the OpenAPI refuses
is answered 400 naming the parameter (or body field), and a value it accepts is not refused
for that parameter. Through the local runner, as an agent with every scope.

What one OpenAPI 3.0 document cannot say (one `{country}` path serves three countries) is in
descriptions and `x-` extensions, checked against the country table below: document types,
`idType`, phone numbers, currency decimals, payment methods. Rules that depend on stored
data (what is owed, which offers a product has, check digits, a card's Luhn digit) are
described; those answer 400, 404 or 409 as the descriptions say."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from local import demo, samples
from selfcare.countries import COUNTRIES
from tests.conftest import AS_OF
from tests.support.claims import claim
from tests.support.openapi import NO_BODY, ContractSpec

SPEC = ContractSpec.load()
MISSING = object()  # the field left out of the body
SAME = object()  # the field as the operation's sample request has it
BASE = "/v1/tigo/home"


@dataclass(frozen=True)
class Rule:
    operation: str  # a GET's path template, or a change's operationId (local.samples)
    field: str  # the parameter, or the body field as dotted path, the 400 names
    bad: Any  # the OpenAPI refuses it, the API answers 400 naming `field`
    good: Any  # the OpenAPI takes it, the API does not refuse `field`
    country: str = "co"
    query: bool = False

    def __str__(self) -> str:
        return f"{self.operation.rsplit('/', 1)[-1] or self.operation}-{self.field}-{self.country}"


CALLS = "/billing/contracts/{contractId}/measuringElement/{measuringElement}/calls/"
RULES = [
    # Paths: the id grammar of selfcare.params, document types, dates, idType, link tokens
    Rule(
        "/billing/doc-type/{docTypeId}/customers/{customerId}/contracts/", "docTypeId", "xx", "CC"
    ),
    Rule(
        "/billing/doc-type/{docTypeId}/customers/{customerId}/contracts/",
        "customerId",
        "-1",
        "12345",
    ),
    Rule("/billing/contracts/{contractId}/balance", "contractId", "abc$def", "84257928"),
    Rule("/billing/contracts/{contractId}/invoices/{invoiceId}", "invoiceId", "-x", "x-1"),
    Rule("/portfolio/contracts/{contractId}/products/{productId}", "productId", "abc", "999"),
    Rule(
        "/portfolio/contracts/{contractId}/products/{productId}/subscriptions/{subscriptionNumber}",
        "subscriptionNumber",
        ".x",
        "x.1",
    ),
    Rule(CALLS, "measuringElement", "phone", "+573001234567"),
    Rule(
        "/billing/contracts/{contractId}/invoices/spool/billingDates/{billingDate}/url",
        "billingDate",
        "2026-13-01",
        "2026-10-01",
    ),
    Rule(
        "/billing/contracts/{contractId}/invoices/{invoiceId}/checkOut/{paymentToken}",
        "paymentToken",
        "short",
        "abcdefgh-1234",
    ),
    Rule(
        "/billing/billingaccounts/{billingAccountId}/invoices/spool/{invoiceId}/pdf",
        "billingAccountId",
        "-1",
        "1",
    ),
    Rule("/billing/spool/documents/{token}", "token", "not-a-token", "a" * 20 + ".b"),
    Rule(
        "/billing/contracts/{contractId}/{idType}/{id}/paperlessInvoiceInfo",
        "idType",
        "accounts",
        "subscriptions",
        "gt",
    ),
    Rule(
        "/billing/contracts/{contractId}/{idType}/{id}/paperlessInvoiceInfo", "id", "-x", "x", "gt"
    ),
    # Queries: limits within their bounds (an empty one is no integer), required dates
    Rule("/billing/contracts/{contractId}/invoices/", "limit", "", "5", query=True),
    Rule("/billing/contracts/{contractId}/invoices/", "limit", "6", "1", query=True),
    Rule("/portfolio/contracts/{contractId}/products/", "limit", "100", "99", query=True),
    Rule(
        "/tokenization/doc-type/{docTypeId}/customers/{customerId}/cardtokens/",
        "limit",
        "0",
        "5",
        query=True,
    ),
    Rule(CALLS, "fromDate", "2026-13-01", "2026-10-01", query=True),
    Rule(CALLS, "fromDate", MISSING, "2026-10-01", query=True),
    # Bodies: required fields, types, lengths, patterns, enums, bounds; never null
    Rule("CreateInvoiceByContractId", "amount", 0, 1, "sv"),
    Rule("CreateInvoiceByContractId", "amount", MISSING, 1, "sv"),
    Rule("CreateInvoiceByContractId", "amount", "1", 1, "sv"),
    Rule("CreateCheckOutForContractIdAndInvoiceId", "paymentAmount", -1, SAME, "gt"),
    Rule("CreateCheckOutForContractIdAndInvoiceId", "customerInfo", MISSING, SAME, "gt"),
    Rule(
        "CreateCheckOutForContractIdAndInvoiceId",
        "returnUrl",
        "http://mi.tigo.com.gt/",
        "https://mi.tigo.com.gt/pago",
        "gt",
    ),
    Rule("CreateCheckOutForContractIdAndInvoiceId", "paymentMethods", ["CHEQUE"], ["VISA"], "gt"),
    Rule("CreatePaperlessInvoiceInfoByContractId", "email", MISSING, "a@example.com", "gt"),
    Rule("CreatePaperlessInvoiceInfoByContractId", "email", "no-at-sign", "a@b.co", "gt"),
    Rule(
        "CreatePaperlessInvoiceInfoByContractId",
        "registeringAppName",
        "OtraApp",
        "CanalesAlternos",
        "gt",
    ),
    Rule(
        "CreatePaperlessInvoiceInfoByContractId",
        "customerIpAddress",
        "999.1.1.1",
        "2001:db8::1",
        "gt",
    ),
    Rule("CreatePaperlessInvoiceInfoByContractId", "phoneNumber", "call me", "5555 4444", "gt"),
    Rule("CreatePaperlessInvoiceInfoByContractId", "billingId", 1.5, 7.0, "gt"),
    Rule("CreatePaperlessInvoiceInfoByContractId", "affectRelatedContracts", None, False, "gt"),
    Rule("UpdatePaperlessInvoiceInfoByContractId", "unsubscribeReasonId", "3", 3, "sv"),
    Rule("AddOfferingByContractIdAndProductId", "offeringId", "", SAME, "sv"),
    Rule("AddOfferingByContractIdAndProductId", "promotionCode", None, MISSING, "sv"),
    Rule("AddPhonesContactInformationByContractId", "phone", MISSING, "+503 7777 8881", "sv"),
    Rule("AddPhonesContactInformationByContractId", "phone", "call me", "(7777) 8882", "sv"),
    Rule("AddPhonesContactInformationByContractId", "phoneType", "  ", "Móvil", "sv"),
    Rule("UpdatePhonesContactInformationByContractId", "oldPhone", MISSING, SAME, "sv"),
    Rule("UpdatePhonesContactInformationByContractId", "newPhone", MISSING, "7777-8883", "sv"),
    Rule("AddEmailContactInformationByContractId", "email", MISSING, "otro@example.com", "sv"),
    Rule(
        "UpdateEmailsContactInformationByContractId", "newEmail", MISSING, "otro2@example.com", "sv"
    ),
    Rule("RemoveEmailContactInformationByContractId", "email", None, SAME, "sv"),
    Rule(
        "CreateRecurringBillingInfoByContractId",
        "recurringBillingInfo.paymentMethod",
        "3",
        "2",
        "sv",
    ),
    Rule(
        "CreateRecurringBillingInfoByContractId",
        "recurringBillingInfo.cardExpirationDate",
        "2030-12",
        "203012",
        "sv",
    ),
    Rule(
        "CreateRecurringBillingInfoByContractId",
        "recurringBillingInfo.customerIpAddress",
        "1.2.3",
        "10.0.0.1",
        "sv",
    ),
    Rule(
        "CreateRecurringBillingInfoByContractId",
        "recurringBillingInfo.cardIssuingBank",
        "4111-1111-1111-1111",
        "Banco Agrícola",
        "sv",
    ),
    Rule(
        "CreateRecurringBillingInfoByContractId",
        "recurringBillingInfo.phoneNumber",
        "call me",
        "7777 8884",
        "sv",
    ),
    Rule("DeleteRecurringBillingInfoByContractId", "cardToken", MISSING, SAME, "gt"),
    Rule("CreateCardTokenForCustomerId", "cardDetails", MISSING, SAME, "sv"),
    Rule("CreateCardTokenForCustomerId", "cardDetails.cardBrand", "MAESTRO", "VISA", "sv"),
    Rule("CreateCardTokenForCustomerId", "cardDetails.cardNumber", "41111", SAME, "sv"),
    Rule(
        "CreateCardTokenForCustomerId", "cardDetails.cardExpirationDate", "203013", "204001", "sv"
    ),
    Rule("CreateCardTokenForCustomerId", "cardDetails.cardVerificationValue", "12", SAME, "sv"),
    Rule("CreateCardTokenForCustomerId", "customerIpAddress", "localhost", "127.0.0.1", "sv"),
    Rule(
        "CreateCardTokenForCustomerId",
        "cardDetails.cardPrintedName",
        "4111 1111 1111 1111",
        "ANA 2DA",
        "sv",
    ),
    Rule("DeleteCardTokenByCustomerId", "cardToken", MISSING, SAME, "sv"),
]


# Changes sharing a claimed customer (one that suits them all), in Guatemala and El Salvador,
# so that the sandbox keeps customers for the other tests (most change Colombia's); none of
# a group's changes makes another's request a 400.
SHARED = [
    ("sv", ("CreateInvoiceByContractId", "UpdatePaperlessInvoiceInfoByContractId")),
    (
        "sv",
        (
            "CreateRecurringBillingInfoByContractId",
            "CreateCardTokenForCustomerId",
            "DeleteCardTokenByCustomerId",
        ),
    ),
    (
        "sv",
        (
            "AddOfferingByContractIdAndProductId",
            "AddPhonesContactInformationByContractId",
            "UpdatePhonesContactInformationByContractId",
            "AddEmailContactInformationByContractId",
            "UpdateEmailsContactInformationByContractId",
            "RemoveEmailContactInformationByContractId",
        ),
    ),
]


@cache
def customer_for(operation_id: str, country: str) -> dict[str, Any]:
    group = next(
        (ops for c, ops in SHARED if c == country and operation_id in ops), (operation_id,)
    )
    if group[0] != operation_id:
        return customer_for(group[0], country)
    suits = [samples.BY_OPERATION[op].suits for op in group]
    return claim(country, lambda customer: all(check(customer) for check in suits))


@cache
def change(operation_id: str, country: str) -> tuple[str, str, dict[str, Any]]:
    """(method, path, valid body) of a change, on a claimed customer (see SHARED)."""
    sample = samples.BY_OPERATION[operation_id]
    customer = customer_for(operation_id, country)
    values = {**samples.customer_values(country, customer), **sample.values(country, customer)}
    body = sample.body(country, customer) or {}
    return sample.method, demo.concrete(sample.template, values), body


def read(template: str, country: str) -> tuple[str, dict[str, str], dict[str, str]]:
    values = demo.path_values(country, AS_OF, template)
    return "GET", values, demo.query_for(template, AS_OF)


def with_value(body: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    *parents, name = field.split(".")
    node = changed
    for parent in parents:
        node = node.setdefault(parent, {})
    if value is MISSING:
        node.pop(name, None)
    elif value is not SAME:
        node[name] = value
    return changed


def request(rule: Rule, value: Any) -> tuple[str, str, dict[str, str], Any]:
    """(method, path, query, body) of the rule's operation with `value` in its place."""
    if rule.operation.startswith("/"):
        method, values, query = read(rule.operation, rule.country)
        if rule.query:
            query = with_value(query, rule.field, value)
        else:
            values = {**values, rule.field: value}
        return method, demo.concrete(rule.operation, values), query, NO_BODY
    method, path, body = change(rule.operation, rule.country)
    return method, path, {}, with_value(body, rule.field, value)


def call(client, rule: Rule, value: Any) -> tuple[list[str], int, str]:
    """What the OpenAPI says of the request (its errors) and what the API answers."""
    method, path, query, body = request(rule, value)
    errors = SPEC.request_errors(method, path, query, body)
    response = client.open(
        f"{BASE}/{rule.country}{path}",
        method=method,
        query_string=query,
        data=None if body is NO_BODY else json.dumps(body),
        content_type=None if body is NO_BODY else "application/json",
        headers={"Accept": "application/pdf"} if path.endswith("/pdf") else {},
    )
    answer = response.get_json(silent=True)
    message = answer.get("message", "") if isinstance(answer, dict) else ""
    return errors, response.status_code, str(message)


def names(message: str, field: str) -> bool:
    return f"'{field}'" in message


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_a_value_the_openapi_refuses_is_a_400_naming_it(client, rule):
    errors, status, message = call(client, rule, rule.bad)
    assert errors, f"the OpenAPI takes {rule.bad!r} for {rule.field}"
    assert status == 400 and names(message, rule.field), (status, message)


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_a_value_the_openapi_takes_is_not_refused_for_it(client, rule):
    errors, status, message = call(client, rule, rule.good)
    assert not errors, errors
    assert not (status == 400 and names(message, rule.field)), message


# --- what one document for three countries says in extensions ---------------------------------
def parameter(name: str) -> dict[str, Any]:
    found = [
        SPEC.resolve(p)
        for _, _, op in SPEC.operations()
        for p in op.get("parameters", [])
        if SPEC.resolve(p)["name"] == name
    ]
    assert found and all(p == found[0] for p in found), name  # declared the same everywhere
    return found[0]


def test_each_countrys_document_types_are_declared_and_taken_in_any_case(client):
    declared = parameter("docTypeId")
    assert declared["x-values-by-country"] == {
        code: list(country.documents) for code, country in COUNTRIES.items()
    }
    pattern = re.compile(declared["schema"]["pattern"])
    every = {t for country in COUNTRIES.values() for t in country.documents}
    for code, country in COUNTRIES.items():
        template = "/billing/doc-type/{docTypeId}/customers/{customerId}/contracts/"
        values = demo.path_values(code, AS_OF, template)
        for kind in every:
            for spelled in (kind, kind.upper()):
                assert pattern.fullmatch(spelled)
                path = demo.concrete(template, {**values, "docTypeId": spelled})
                response = client.get(f"{BASE}/{code}{path}")
                refused = (
                    response.status_code == 400 and "'docTypeId'" in response.get_json()["message"]
                )
                assert refused == (kind not in country.documents), (code, spelled)
    assert not pattern.fullmatch("cc ") and not pattern.fullmatch("dni")


def test_the_id_type_of_each_country_is_declared():
    declared = parameter("idType")
    assert declared["x-values-by-country"] == {
        code: [country.paperless_id_type] if country.paperless_id_type else []
        for code, country in COUNTRIES.items()
    }
    assert set(declared["schema"]["enum"]) == {
        c.paperless_id_type for c in COUNTRIES.values() if c.paperless_id_type
    }


def test_payment_methods_and_currency_decimals_of_each_country_are_declared():
    schemas = SPEC.document["components"]["schemas"]
    methods = schemas["CheckOutInfo"]["properties"]["paymentMethods"]
    assert methods["x-values-by-country"] == {
        code: list(country.payment_methods) for code, country in COUNTRIES.items()
    }
    assert methods["items"]["enum"] == list(
        dict.fromkeys(m for c in COUNTRIES.values() for m in c.payment_methods)
    )
    decimals = {code: country.currency_decimals for code, country in COUNTRIES.items()}
    assert schemas["CheckOutInfo"]["properties"]["paymentAmount"]["x-decimals-by-country"] == (
        decimals
    )
    assert schemas["CreateInvoiceRequest"]["properties"]["amount"]["x-decimals-by-country"] == (
        decimals
    )


def test_the_calls_date_range_is_declared_as_the_api_holds_it(client):
    """toDate on or after fromDate, at most 366 days after: one parameter cannot say it of
    another in OpenAPI 3.0, so its description and `x-range` do."""
    _, operation = SPEC.match("GET", CALLS)
    (to_date,) = [p for p in operation["parameters"] if p["name"] == "toDate"]
    assert to_date["x-range"] == {"notBefore": "fromDate", "maxDays": 366}
    values = demo.path_values("co", AS_OF, CALLS)
    path = f"{BASE}/co" + demo.concrete(CALLS, values)

    def status(start: str, end: str) -> tuple[int, str]:
        response = client.get(path, query_string={"fromDate": start, "toDate": end})
        answer = response.get_json()
        return response.status_code, answer.get("message", "") if isinstance(answer, dict) else ""

    before = status("2026-01-02", "2026-01-01")
    assert before[0] == 400 and "'toDate'" in before[1]
    too_long = status("2025-01-01", "2026-01-03")  # 367 days
    assert too_long[0] == 400 and "'toDate'" in too_long[1]
    assert status("2025-01-02", "2026-01-03")[0] == 200  # 366 days
