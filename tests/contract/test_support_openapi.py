"""tests.support.openapi: the helper other tests use to hold real responses to the contract."""

from __future__ import annotations

import json

import pytest

from tests.support.openapi import ContractSpec

JSON = "application/json"
INVOICES = "/billing/contracts/123/invoices/"
PDF = "/billing/contracts/123/invoices/spool/987-00/pdf"
INVOICE = {
    "invoiceId": "987-00",
    "contractId": "123",
    "invoiceAmount": 119000,
    "currencyId": "COP",
    "creationDate": "2024-05-01",
    "dueDate": "2024-05-20",
    "hasPayment": False,
    "VIP": False,
}


@pytest.fixture(scope="module")
def spec() -> ContractSpec:
    return ContractSpec.load()


def test_load_is_cached(spec: ContractSpec) -> None:
    assert ContractSpec.load() is spec


@pytest.mark.parametrize("body", [[INVOICE], json.dumps([INVOICE]), json.dumps([INVOICE]).encode()])
def test_valid_invoice_list_passes(spec: ContractSpec, body: object) -> None:
    spec.validate_response("GET", INVOICES, 200, body, "application/json; charset=utf-8")


def test_invoice_without_invoice_id_fails_naming_it(spec: ContractSpec) -> None:
    invoice = {k: v for k, v in INVOICE.items() if k != "invoiceId"}
    with pytest.raises(AssertionError, match=r"\$\[0\]: 'invoiceId' is a required property"):
        spec.validate_response("GET", INVOICES, 200, [invoice], JSON)


def test_wrong_type_and_bad_date_are_both_reported(spec: ContractSpec) -> None:
    invoice = INVOICE | {"invoiceAmount": "119000", "dueDate": "2024-02-30"}
    with pytest.raises(AssertionError) as caught:
        spec.validate_response("GET", INVOICES, 200, [invoice], JSON)
    assert "$[0].invoiceAmount: '119000' is not of type 'number'" in str(caught.value)
    assert "$[0].dueDate: '2024-02-30' is not a 'date'" in str(caught.value)


def test_null_for_an_optional_field_fails(spec: ContractSpec) -> None:
    with pytest.raises(AssertionError, match=r"\$\[0\]\.contractId"):
        spec.validate_response("GET", INVOICES, 200, [INVOICE | {"contractId": None}], JSON)


def test_non_json_body_fails(spec: ContractSpec) -> None:
    with pytest.raises(AssertionError, match="not JSON"):
        spec.validate_response("GET", INVOICES, 200, b"<html>", JSON)


@pytest.mark.parametrize("status", [418, 201, 202])
def test_undeclared_status_fails_even_with_a_default_response(
    spec: ContractSpec, status: int
) -> None:
    with pytest.raises(AssertionError, match=f"status {status} not declared"):
        spec.validate_response("GET", INVOICES, status, {"code": status, "message": "x"}, JSON)


def test_error_body_must_carry_the_http_status(spec: ContractSpec) -> None:
    spec.validate_response("GET", INVOICES, 404, {"code": 404, "message": "not found"}, JSON)
    with pytest.raises(
        AssertionError, match=r"errorBody\.code is 500, expected the HTTP status 404"
    ):
        spec.validate_response("GET", INVOICES, 404, {"code": 500, "message": "oops"}, JSON)
    with pytest.raises(AssertionError, match="'message' is a required property"):
        spec.validate_response("GET", INVOICES, 404, {"code": 404}, JSON)


def test_payment_in_process_is_a_declared_202(spec: ContractSpec) -> None:
    path = "/billing/contracts/123/invoices/987-00/checkOut"
    spec.validate_response("GET", path, 202, {"code": 202, "message": "payment in process"}, JSON)


@pytest.mark.parametrize(
    ("path", "template"),
    [
        (
            "/billing/contracts/123/invoices/spool/billingDates/",
            "/billing/contracts/{contractId}/invoices/spool/billingDates/",
        ),
        (
            "/billing/contracts/123/invoices/spool",
            "/billing/contracts/{contractId}/invoices/{invoiceId}",
        ),
        (
            "/billing/contracts/123/invoices/987-00",
            "/billing/contracts/{contractId}/invoices/{invoiceId}",
        ),
        (
            "/billing/contracts/123/subscriptions/502/paperlessInvoiceInfo",
            "/billing/contracts/{contractId}/{idType}/{id}/paperlessInvoiceInfo",
        ),
    ],
)
def test_static_segments_win_over_templated_ones(
    spec: ContractSpec, path: str, template: str
) -> None:
    assert spec.match("GET", path)[0] == template


@pytest.mark.parametrize(
    "path",
    [
        "/billing/contracts/123/invoices",
        "/billing/contracts/123/invoices/",
        "/billing/contracts/123/invoices/?limit=3",
        "/v1/tigo/home/gt/billing/contracts/123/invoices",
    ],
)
def test_trailing_slash_query_and_base_path_are_tolerated(spec: ContractSpec, path: str) -> None:
    template, operation = spec.match("get", path)
    assert (template, operation["operationId"]) == (
        "/billing/contracts/{contractId}/invoices/",
        "GetInvoicesByContractId",
    )


def test_template_without_trailing_slash_matches_with_one(spec: ContractSpec) -> None:
    template, _ = spec.match("GET", "/billing/contracts/123/invoices/987-00/")
    assert template == "/billing/contracts/{contractId}/invoices/{invoiceId}"


def test_unknown_path_or_method_raises_key_error(spec: ContractSpec) -> None:
    with pytest.raises(KeyError, match="no path"):
        spec.match("GET", "/billing/nothing/here")
    with pytest.raises(KeyError, match="PATCH is not declared"):
        spec.match("PATCH", INVOICES)
    # The resource is resolved first: a static match without the method does not fall back.
    with pytest.raises(KeyError, match="DELETE is not declared"):
        spec.match("DELETE", "/billing/contracts/123/invoices/spool/billingDates/")


def test_pdf_must_start_with_the_pdf_header(spec: ContractSpec) -> None:
    spec.validate_response("GET", PDF, 200, b"%PDF-1.7\n...", "application/pdf")
    with pytest.raises(AssertionError, match="not a PDF"):
        spec.validate_response("GET", PDF, 200, b"<html>error</html>", "application/pdf")
    with pytest.raises(AssertionError, match="content type 'application/json' not declared"):
        spec.validate_response("GET", PDF, 200, {"URL": "x"}, JSON)
    with pytest.raises(AssertionError, match="content type 'application/pdf' not declared"):
        spec.validate_response("GET", INVOICES, 200, b"%PDF-1.7", "application/pdf")


def test_operations_list_every_operation_including_non_contract_ones(spec: ContractSpec) -> None:
    operations = spec.operations()
    assert len(operations) == 60
    assert ("GET", "/billing/spool/documents/{token}") in {(m, p) for m, p, _ in operations}
    assert sorted(op["operationId"] for *_, op in operations if op.get("x-non-contract")) == [
        "DecideSandboxGatewayPayment",
        "DownloadSpoolDocument",
        "GetPayuCheckoutPage",
        "GetSandboxGatewayPage",
        "ReceivePaymentNotification",
    ]
