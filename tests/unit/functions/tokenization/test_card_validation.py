"""What the tokenization function accepts of a card before the gateway sees it: a 400
naming the field for each problem, and never the card number or CVV in the message."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from selfcare.body import parse
from selfcare.countries import get_country
from selfcare.errors import InvalidParameter
from selfcare.models.tokenization import CreateCardTokenizationRequest
from selfcare.payments import Card
from selfcare.ports import CustomerRef
from selfcare.redaction import luhn_valid
from tokenization import validation

CO = get_country("co")
CUSTOMER = CustomerRef("CC", "1020304050", ("100",))
TODAY = date(2026, 11, 26)
VISA, AMEX = "4111111111111111", "378282246310005"


def with_check_digit(body: str) -> str:
    """`body` plus the digit that makes it pass Luhn."""
    return body + luhn.calc_check_digit(body)


def body(**details: object) -> dict:
    card = {
        "cardNumber": VISA,
        "cardExpirationDate": "202812",
        "cardVerificationValue": "123",
        "cardBrand": "visa",
        "cardPrintedName": "ANA GOMEZ",
        **details,
    }
    return {"cardDetails": {k: v for k, v in card.items() if v is not None}}


def check(payload: dict) -> Card:
    """The body as the route sees it: parsed against the contract model, then checked."""
    request = parse({"body": json.dumps(payload)}, CreateCardTokenizationRequest)
    return validation.card(request, CUSTOMER, CO, TODAY)


def refusal(payload: dict) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as refused:
        check(payload)
    return refused.value


@given(st.text("0123456789", min_size=11, max_size=18))
def test_every_number_with_its_check_digit_passes_luhn(body):
    assert luhn_valid(with_check_digit(body))


@given(
    st.text("0123456789", min_size=11, max_size=18),
    st.data(),
)
def test_changing_any_single_digit_fails_luhn(body, data):
    number = with_check_digit(body)
    position = data.draw(st.integers(0, len(number) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    changed = number[:position] + digit + number[position + 1 :]
    assert not luhn_valid(changed)
    with pytest.raises(InvalidParameter) as refused:
        validation.check_number(changed)
    assert refused.value.parameter == "cardDetails.cardNumber"
    assert changed not in refused.value.message


def test_a_valid_card_becomes_the_card_the_gateway_gets():
    card = check(body())
    assert (card.number, card.expiration, card.cvv, card.brand) == (VISA, "202812", "123", "VISA")
    assert (card.document_type, card.customer_id, card.printed_name) == (
        "CC",
        "1020304050",
        "ANA GOMEZ",
    )
    assert VISA not in repr(card) and "123" not in repr(card)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4012888888881881", "VISA"),
        ("5555555555554444", "MASTERCARD"),
        ("5105105105105100", "MASTERCARD"),
        ("2221000000000009", "MASTERCARD"),
        (with_check_digit("272099999999999"), "MASTERCARD"),
        ("378282246310005", "AMEX"),
        ("371449635398431", "AMEX"),
        (with_check_digit("34000000000000"), "AMEX"),
        ("36227206271667", "DINERS"),
        ("30569309025904", "DINERS"),
        (with_check_digit("3800000000000"), "DINERS"),
    ],
)
def test_each_brand_is_recognised_by_its_prefix(number, brand):
    assert validation.brand_of(number) == brand
    assert validation.check_brand(brand.lower(), number) == brand


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("5555555555554444", "VISA"),
        (VISA, "MASTERCARD"),
        (with_check_digit("222099999999999"), "MASTERCARD"),  # just below 2221
        (with_check_digit("272100000000000"), "MASTERCARD"),  # just above 2720
        (with_check_digit("35000000000000"), "AMEX"),
        (with_check_digit("3060000000000"), "DINERS"),  # 306 is not Diners
        ("6011111111111117", "VISA"),  # Discover: no brand we take
    ],
)
def test_a_brand_that_does_not_match_the_prefix_is_refused(number, brand):
    with pytest.raises(InvalidParameter) as refused:
        validation.check_brand(brand, number)
    assert refused.value.parameter == "cardDetails.cardBrand"
    assert number not in refused.value.message


@pytest.mark.parametrize("brand", ["MAESTRO", "DISCOVER", "", "VISA ELECTRON"])
def test_a_brand_outside_the_four_is_refused(brand):
    error = refusal(body(cardBrand=brand))
    assert error.parameter == "cardDetails.cardBrand" and "VISA, MASTERCARD, AMEX, DINERS" in (
        error.message
    )


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"cardNumber": "4111111111111112"}, "cardDetails.cardNumber"),  # check digit
        ({"cardNumber": "4" * 11}, "cardDetails.cardNumber"),  # too short (the model's check)
        ({"cardNumber": "4" * 20}, "cardDetails.cardNumber"),  # too long
        ({"cardNumber": None}, "cardDetails.cardNumber"),
        ({"cardExpirationDate": "202610"}, "cardDetails.cardExpirationDate"),  # expired
        ({"cardExpirationDate": "205001"}, "cardDetails.cardExpirationDate"),  # too far
        ({"cardExpirationDate": None}, "cardDetails.cardExpirationDate"),
        ({"cardVerificationValue": "1234"}, "cardDetails.cardVerificationValue"),  # VISA: 3
        ({"cardVerificationValue": None}, "cardDetails.cardVerificationValue"),
        ({"cardBrand": None}, "cardDetails.cardBrand"),
        (
            {"cardNumber": AMEX, "cardBrand": "AMEX", "cardVerificationValue": "123"},
            "cardDetails.cardVerificationValue",
        ),  # AMEX: 4
    ],
)
def test_each_bad_field_is_named_and_its_value_never_quoted(details, field):
    error = refusal(body(**details))
    assert error.parameter == field
    for name in ("cardNumber", "cardVerificationValue", "cardExpirationDate"):
        if details.get(name):
            assert str(details[name]) not in error.message


@pytest.mark.parametrize(
    "name",
    [
        VISA,
        f"ANA {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}",
        "4111-1111-1111-1111 ANA",
        "4111.1111.1111.1111",
        "4111_1111_1111_1111",
        "4111/1111/1111/1111",
        "ANA 4111 1111 1111 1112",  # a mistyped card is still the payer's number
        "４１１１１１１１１１１１１１１１",  # fullwidth digits
    ],
)
def test_a_printed_name_holding_a_card_number_is_refused_without_quoting_it(name):
    error = refusal(body(cardPrintedName=name))
    assert error.parameter == "cardDetails.cardPrintedName"
    assert "1111" not in error.message and "１" not in error.message


@pytest.mark.parametrize("name", ["ANA GÓMEZ", "J0SÉ P3REZ", "PEREZ 2DO", "  ANA  "])
def test_printed_names_with_a_few_digits_are_kept(name):
    assert check(body(cardPrintedName=name)).printed_name == name.strip()


@pytest.mark.parametrize("month", ["202613", "202600", "2026-12", "26012"])
def test_an_expiry_must_be_a_real_month(month):
    with pytest.raises(InvalidParameter) as refused:
        validation.check_expiry(month, TODAY)
    assert refused.value.parameter == "cardDetails.cardExpirationDate"


def test_a_card_expiring_this_month_is_still_good_where_the_customer_is():
    assert validation.check_expiry("202611", TODAY) == "202611"
    with pytest.raises(InvalidParameter):
        validation.check_expiry("202611", date(2026, 12, 1))


def test_amex_takes_four_digit_cvvs_and_the_others_three():
    amex = body(cardNumber=AMEX, cardBrand="Amex", cardVerificationValue="1234")
    assert check(amex).cvv == "1234"
    assert validation.check_cvv("123", "DINERS") == "123"


def test_cardDetails_is_required():
    assert refusal({"transactionId": "t-1"}).parameter == "cardDetails"


@pytest.mark.parametrize(
    ("info", "refused"),
    [
        ({"customerId": "1020304050"}, False),
        ({"customerId": "1.020.304.050", "documentType": "cc"}, False),
        ({"customerId": "1020304051", "documentType": "CC"}, True),
        ({"customerId": "1020304050", "documentType": "CE"}, True),
        ({"customerId": "1020304050", "documentType": "XX"}, True),
    ],
)
def test_customerInfo_must_name_the_customer_of_the_path(info, refused):
    payload = {**body(), "customerInfo": info}
    if refused:
        assert refusal(payload).parameter == "customerInfo"
    else:
        assert check(payload).customer_id == "1020304050"


def test_a_bad_ip_address_is_refused():
    assert refusal({**body(), "customerIpAddress": "300.1.1.1"}).parameter == "customerIpAddress"
