"""Behaviour of the models: examples, dumps, strict request validation, safe errors, card data."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from selfcare.models import billing, cases, common, customer, portfolio, tokenization
from selfcare.models.common import safe_errors
from tests.unit.selfcare.models.reference_contract import ADDED, definitions, model, objects

FILLERS = {"string": "x", "number": 1, "integer": 1, "boolean": True}
CARD_NUMBER = "4111111111111111"
CVV = "987"


def validate(cls: type[BaseModel], body: Any, mode: str) -> BaseModel:
    """Validate like a handler would: from the raw JSON text, or from json.loads()."""
    if mode == "json":
        return cls.model_validate_json(json.dumps(body))
    return cls.model_validate(json.loads(json.dumps(body)))


def problems(cls: type[BaseModel], body: Any, mode: str = "python") -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate(cls, body, mode)
    return {e["field"]: e["problem"] for e in safe_errors(caught.value)}


def example_body(name: str) -> dict[str, Any]:
    """The contract's examples for `name`, plus fillers for required fields without one."""
    definition = definitions()[name]
    body = {p: s["example"] for p, s in definition.get("properties", {}).items() if "example" in s}
    body.update(definition.get("example", {}))
    for prop in definition.get("required", []):
        if prop not in body:
            kind = ADDED.get(name, {}).get(prop) or definition["properties"][prop]["type"]
            body[prop] = FILLERS[kind]
    return body


EXAMPLES = [
    n
    for n in objects()
    if "example" in definitions()[n]
    or any("example" in p for p in definitions()[n].get("properties", {}).values())
]


@pytest.mark.parametrize("mode", ["python", "json"])
@pytest.mark.parametrize(
    # CardDetails never dumps card data; RecurringBillingInfo's one example is a date-time
    # on a `format: date` field. Both have their own tests below.
    "name",
    [n for n in EXAMPLES if n not in {"CardDetails", "RecurringBillingInfo"}],
)
def test_contract_examples_round_trip(name: str, mode: str) -> None:
    body = example_body(name)
    dumped = validate(model(name), body, mode).model_dump(mode="json", exclude_none=True)
    assert dumped == body


def test_create_invoice_inline_examples_round_trip() -> None:
    request = billing.CreateInvoiceRequest.model_validate_json('{"amount": 100000}')
    assert request.model_dump_json(exclude_none=True) == '{"amount":100000}'
    response = billing.CreateInvoiceResponse(invoiceId="123456789-00")
    assert response.model_dump(mode="json", exclude_none=True) == {"invoiceId": "123456789-00"}


def test_card_details_example_is_accepted_but_never_dumped_in_clear() -> None:
    card = tokenization.CardDetails.model_validate(example_body("CardDetails"))
    assert card.cardNumber is not None
    assert card.cardVerificationValue is not None
    assert card.cardNumber.get_secret_value() == "4111111111111111"
    assert card.cardVerificationValue.get_secret_value() == "123"
    dumped = card.model_dump(mode="json", exclude_none=True)
    assert dumped["cardExpirationDate"] == "201803"
    assert "4111111111111111" not in json.dumps(dumped)
    assert '"123"' not in json.dumps(dumped)


def test_date_time_example_of_registration_date_is_rejected() -> None:
    body = {"registrationDate": "1985-04-12T23:20:50.52Z"}
    assert set(problems(billing.RecurringBillingInfo, body)) == {"registrationDate"}
    ok = billing.RecurringBillingInfo.model_validate({"registrationDate": "1985-04-12"})
    assert ok.registrationDate == date(1985, 4, 12)


def test_json_dump_omits_none_and_renders_money_as_numbers() -> None:
    invoice = billing.Invoice(
        invoiceId="INV-1",
        invoiceAmount=Decimal("100000"),
        dueAmount=Decimal("12.50"),
        dueDate=date(2024, 3, 5),
    )
    assert invoice.model_dump_json(exclude_none=True) == (
        '{"invoiceId":"INV-1","invoiceAmount":100000,"dueAmount":12.5,"dueDate":"2024-03-05"}'
    )
    as_json = invoice.model_dump(mode="json", exclude_none=True)
    assert type(as_json["invoiceAmount"]) is int
    assert type(as_json["dueAmount"]) is float
    as_python = invoice.model_dump(exclude_none=True)
    assert as_python["invoiceAmount"] == Decimal("100000")
    assert isinstance(as_python["dueAmount"], Decimal)
    assert as_python["dueDate"] == date(2024, 3, 5)
    assert set(as_python) == {"invoiceId", "invoiceAmount", "dueAmount", "dueDate"}


def test_list_models_dump_lists_without_none() -> None:
    invoices = billing.InvoiceList.model_validate([{"invoiceId": "A"}, {"invoiceId": "B"}])
    assert invoices.model_dump(mode="json", exclude_none=True) == [
        {"invoiceId": "A"},
        {"invoiceId": "B"},
    ]
    dates = billing.BillingDateList([date(2024, 1, 31)])
    assert dates.model_dump_json() == '["2024-01-31"]'


def test_numbers_from_dynamodb_are_accepted() -> None:
    # DynamoDB hands back every number as Decimal.
    balance = billing.BillingBalance.model_validate(
        {"dueAmount": Decimal("5.5"), "dueInvoicesCount": Decimal("2")}
    )
    assert balance.dueInvoicesCount == 2
    call = billing.CallDetail.model_validate({"destination": "3001234567", "duration": 3})
    assert call.duration == 3.0
    assert billing.CreateInvoiceRequest.model_validate({"amount": 12.5}).amount == Decimal("12.5")


EMAIL = "ana@example.com"
STRICTNESS = [
    # (model, body, field the 400 must name)
    (billing.paperlessInvoiceInfoRequest, {"email": EMAIL, "affectRelatedContracts": "true"},
     "affectRelatedContracts"),
    (billing.paperlessInvoiceInfoRequest, {"email": EMAIL, "unsubscribeReasonId": "12"},
     "unsubscribeReasonId"),
    (billing.paperlessInvoiceInfoRequest, {"email": EMAIL, "unsubscribeReasonId": True},
     "unsubscribeReasonId"),
    (billing.paperlessInvoiceInfoRequest, {"email": EMAIL, "billingId": 1.5}, "billingId"),
    (billing.paperlessInvoiceInfoRequest, {}, "email"),
    (billing.paperlessInvoiceInfoRequest, {"email": "ana"}, "email"),
    (billing.paperlessInvoiceInfoRequest, {"email": "ana@example"}, "email"),
    (billing.paperlessInvoiceInfoRequest, {"email": "ana maria@example.com"}, "email"),
    (billing.paperlessInvoiceInfoRequest, {"email": "ana@@example.com"}, "email"),
    (billing.paperlessInvoiceInfoRequest, {"email": EMAIL + "\n"}, "email"),
    (billing.paperlessInvoiceInfoRequest, {"email": EMAIL, "alternateEmail": "a@b..co"},
     "alternateEmail"),
    (billing.paperlessInvoiceInfoRequest, {"email": "a" * 243 + "@example.com"}, "email"),
    (billing.paperlessInvoiceInfoRequest, {"email": EMAIL, "customerIpAddress": "1" * 46},
     "customerIpAddress"),
    (billing.paperlessInvoiceInfoRequest, {"email": EMAIL, "updateReason": "r" * 501},
     "updateReason"),
    (billing.CreateInvoiceRequest, {"amount": "100000"}, "amount"),
    (billing.CreateInvoiceRequest, {"amount": 0}, "amount"),
    (billing.CreateInvoiceRequest, {"amount": -5}, "amount"),
    (billing.CheckOutInfo, {"invoiceId": "1", "paymentAmount": 10}, "customerInfo"),
    (billing.CheckOutInfo, {"invoiceId": "1", "paymentAmount": 0, "customerInfo": {
        "customerId": "1"}}, "paymentAmount"),
    (billing.CheckOutInfo, {"invoiceId": "1", "paymentAmount": 10, "customerInfo": {}},
     "customerInfo.customerId"),
    (billing.CheckOutInfo, {"invoiceId": "1", "paymentAmount": 10, "customerInfo": {
        "customerId": "1"}, "paymentMethods": ["PSE", 7]}, "paymentMethods.1"),
    (billing.CheckOutInfo, {"invoiceId": "1", "paymentAmount": 10, "customerInfo": {
        "customerId": "1"}, "returnUrl": "https://x/" + "a" * 2040}, "returnUrl"),
    (billing.RecurringBillingInfoRequest, {"recurringBillingInfo": {"registrationDate":
        20240101}}, "recurringBillingInfo.registrationDate"),
    (billing.RecurringBillingInfoRequest, {"cardToken": 49}, "cardToken"),
    (portfolio.OfferingRequest, {"offeringId": 12}, "offeringId"),
    (portfolio.OfferingRequest, {"offeringId": "o" * 65}, "offeringId"),
    (customer.CustomerPhoneUpdate, {"newPhone": "3" * 21}, "newPhone"),
    (customer.CustomerEmailUpdate, {"newEmail": "not an email"}, "newEmail"),
    (tokenization.cardTokenizationRequest, {"documentType": "CEDULA-LONG"}, "documentType"),
    (tokenization.CreateCardTokenizationRequest, {"address": {"streetAddress": "s" * 201}},
     "address.streetAddress"),
    (tokenization.CreateCardTokenizationRequest, {"customerInfo": {"customerId": "1",
        "name": "n" * 101}}, "customerInfo.name"),
    (tokenization.CreateCardTokenizationRequest, {"cardDetails": {
        "cardExpirationDate": "201813"}}, "cardDetails.cardExpirationDate"),
    (cases.ServiceAction, {"startDateTime": "2017-05-13T07:30:00"}, "startDateTime"),
    (billing.BillingBalance, {"dueAmount": 1, "dueDate": "2024-02-30"}, "dueDate"),
    (billing.BillingBalance, {"dueAmount": 1, "dueDate": "2024-02-03\n"}, "dueDate"),
    (billing.BillingBalance, {"dueAmount": 1, "dueDate": 1706918400}, "dueDate"),
    (billing.CallDetail, {"destination": "1", "duration": "3"}, "duration"),
    (common.errorBody, {"code": 2**31, "message": "m"}, "code"),
    (billing.InvoiceList, [{"invoiceId": "A"}, {"invoiceId": 7}], "1.invoiceId"),
    (billing.CreateInvoiceRequest, [], "body"),
]  # fmt: skip


@pytest.mark.parametrize("mode", ["python", "json"])
@pytest.mark.parametrize(("cls", "body", "field"), STRICTNESS)
def test_invalid_bodies_fail_naming_the_field(
    cls: type[BaseModel], body: Any, field: str, mode: str
) -> None:
    found = problems(cls, body, mode)
    assert field in found, found
    assert all(problem for problem in found.values())


def test_limits_are_inclusive() -> None:
    request = billing.paperlessInvoiceInfoRequest.model_validate(
        {"email": "a" * 242 + "@example.com", "customerId": "9" * 64, "phoneNumber": "3" * 20}
    )
    assert len(request.email) == 254
    assert portfolio.OfferingRequest.model_validate({"offeringId": "o" * 64}).offeringId


def test_safe_errors_reads_well_for_a_400() -> None:
    found = problems(billing.CreateInvoiceRequest, {"amount": 0})
    assert found == {"amount": "Input should be greater than 0"}
    found = problems(billing.CheckOutInfo, {"invoiceId": "1", "paymentAmount": 1})
    assert found == {"customerInfo": "Field required"}
    with pytest.raises(ValidationError) as caught:
        billing.CreateInvoiceRequest.model_validate_json("{not json")
    assert [e["field"] for e in safe_errors(caught.value)] == ["body"]


def test_unknown_fields_are_ignored_in_requests_and_refused_in_responses() -> None:
    request = portfolio.OfferingRequest.model_validate({"offeringId": "o", "extra": 1})
    assert request.model_dump(exclude_none=True) == {"offeringId": "o"}
    shared = customer.CustomerEmail.model_validate({"email": EMAIL, "extra": 1})
    assert shared.model_dump(exclude_none=True) == {"email": EMAIL}
    assert problems(common.errorBody, {"code": 404, "message": "m", "extra": 1}) == {
        "extra": "Extra inputs are not permitted"
    }
    assert "contract.extra" in problems(
        portfolio.Offering,
        {"subscriptionNumber": "s", "offeringId": "o", "offeringName": "n",
         "contract": {"contractId": "c", "extra": 1}},
    )  # fmt: skip


def test_doc_type_lookup_ignores_case() -> None:
    assert common.docTypeEnum("CC") is common.docTypeEnum.cc
    assert common.docTypeEnum("Nit") is common.docTypeEnum.nit
    with pytest.raises(ValueError, match="dni"):
        common.docTypeEnum("dni")


# --- card data -------------------------------------------------------------------------

CARD_LEAKS = [
    # a valid card number with another field wrong
    {"cardDetails": {"cardNumber": CARD_NUMBER, "cardVerificationValue": CVV,
                     "cardPrintedName": "n" * 101}},
    # the card number itself wrong (too long, letters, a JSON number)
    {"cardDetails": {"cardNumber": CARD_NUMBER + "4444", "cardVerificationValue": CVV}},
    {"cardDetails": {"cardNumber": CARD_NUMBER[:-1] + "x", "cardVerificationValue": CVV}},
    {"cardDetails": {"cardNumber": int(CARD_NUMBER), "cardVerificationValue": CVV}},
    {"cardDetails": {"cardNumber": CARD_NUMBER + "\n", "cardVerificationValue": CVV}},
    # the CVV wrong
    {"cardDetails": {"cardNumber": CARD_NUMBER, "cardVerificationValue": CVV + "45"}},
    {"cardDetails": {"cardNumber": CARD_NUMBER, "cardVerificationValue": int(CVV)}},
]  # fmt: skip


@pytest.mark.parametrize("mode", ["python", "json"])
@pytest.mark.parametrize("body", CARD_LEAKS)
def test_card_data_never_appears_in_errors(body: dict[str, Any], mode: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(tokenization.CreateCardTokenizationRequest, body, mode)
    error = caught.value
    secrets = [str(body["cardDetails"]["cardNumber"])[:12], str(body["cardDetails"][
        "cardVerificationValue"])]  # fmt: skip
    texts = [
        str(error),
        repr(error),
        str(error.errors(include_input=False)),
        error.json(include_input=False),
        str(safe_errors(error)),
    ]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert {e["field"] for e in safe_errors(error)} <= {
        "cardDetails.cardNumber",
        "cardDetails.cardVerificationValue",
        "cardDetails.cardPrintedName",
    }


def test_card_data_never_appears_in_repr_or_dumps() -> None:
    request = tokenization.CreateCardTokenizationRequest.model_validate(
        {"cardDetails": {"cardNumber": CARD_NUMBER, "cardVerificationValue": CVV,
                         "cardExpirationDate": "203012"}}
    )  # fmt: skip
    details = request.cardDetails
    assert details is not None
    assert details.cardNumber is not None
    assert details.cardVerificationValue is not None
    for text in (repr(request), str(request), request.model_dump_json(), str(request.model_dump())):
        assert CARD_NUMBER not in text
        assert CVV not in text
    # Only the gateway adapter asks for the digits.
    assert details.cardNumber.get_secret_value() == CARD_NUMBER
    assert details.cardVerificationValue.get_secret_value() == CVV
