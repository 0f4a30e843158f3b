"""PayU Latam signatures, amount formats and the confirmation page, worked out from PayU's
documented algorithms (developers.payulatam.com: WebCheckout, Confirmation page, Response
page). Literal digests were computed once, independently, and pinned."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from selfcare.adapters.payments import payu_signatures as sig
from selfcare.adapters.payments.payu import PayuGateway
from selfcare.errors import InvalidParameter, Unauthorized, Unavailable
from selfcare.payments import Credentials
from tests.support.payu import CheckoutPage
from tests.support.payu import checkout_start as start

# PayU's documentation example (WebCheckout, "Signature").
DOC_KEY, DOC_MERCHANT = "4Vj8eK4rloUd272L48hsrarnUA", "508029"


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - PayU's documented algorithm


def gateway(algorithm: str = "MD5", test: bool = True, **env: str) -> PayuGateway:
    credentials = Credentials(
        gateway="payu",
        merchant_id=DOC_MERCHANT,
        account_id="512321",
        api_key=DOC_KEY,
        api_login="login",
        signature_algorithm=algorithm,
        test=test,
    )
    return PayuGateway(credentials, env)


# --- digests ---------------------------------------------------------------------------------


def test_the_documentation_example_signs_as_payu_says():
    text = f"{DOC_KEY}~{DOC_MERCHANT}~TestPayU~3~USD"
    signature = sig.checkout_signature(DOC_KEY, DOC_MERCHANT, "TestPayU", "3", "USD", "MD5")
    assert signature == md5_hex(text)
    assert signature == "ba9ffa71559580175585e45ce70b6c37"


def test_sha256_signs_the_same_string():
    signature = sig.checkout_signature(DOC_KEY, DOC_MERCHANT, "TestPayU", "3", "USD", "SHA256")
    assert (
        signature == hashlib.sha256(f"{DOC_KEY}~{DOC_MERCHANT}~TestPayU~3~USD".encode()).hexdigest()
    )
    assert signature == "e43ad790765c4ef8d355dc40782241b76cbd57764b9ebb58d6241b88ff3f5164"


def test_an_unknown_algorithm_is_refused():
    with pytest.raises(ValueError):
        sig.digest("x", "SHA1")


def test_signatures_compare_ignoring_case_only():
    assert sig.matches("BA9FFA71559580175585E45CE70B6C37", "ba9ffa71559580175585e45ce70b6c37")
    assert not sig.matches("ba9ffa71559580175585e45ce70b6c3", "ba9ffa71559580175585e45ce70b6c37")
    assert not sig.matches("", "ba9ffa71559580175585e45ce70b6c37")


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "sent"),
    [
        ("89900", "COP", "89900"),
        ("89900.00", "COP", "89900"),
        ("89900.50", "COP", "89900.50"),  # cents are kept, never rounded away
        ("30.5", "USD", "30.50"),
        ("3", "USD", "3.00"),
        ("1234.56", "GTQ", "1234.56"),
        ("0", "USD", "0.00"),
    ],
)
def test_form_amounts_use_the_currency_minor_unit(amount, currency, sent):
    assert sig.form_amount(Decimal(amount), currency) == sent


@pytest.mark.parametrize("amount", ["10.001", "-1", "NaN", "Infinity"])
def test_amounts_payu_cannot_take_are_refused(amount):
    with pytest.raises(ValueError):
        sig.form_amount(Decimal(amount), "USD")


@pytest.mark.parametrize(
    ("value", "new_value"),
    [
        ("150.00", "150.0"),
        ("150.50", "150.5"),
        ("150.25", "150.25"),
        ("150.26", "150.26"),
        ("150.05", "150.05"),
        ("150", "150.0"),
        ("150.5", "150.5"),
        ("89900.00", "89900.0"),  # a COP confirmation: PayU posts two decimals anyway
        (".00", "0.0"),
    ],
)
def test_confirmation_new_value_keeps_one_decimal_when_the_second_is_zero(value, new_value):
    assert sig.confirmation_value(value) == new_value


@pytest.mark.parametrize("value", ["150.255", "abc", "", "1e3x", "1e26", "9e999999999", "sNaN"])
def test_confirmation_values_that_are_not_amounts_are_refused(value):
    with pytest.raises(ValueError):
        sig.confirmation_value(value)


@pytest.mark.parametrize(
    ("value", "new_value"),
    [("150.25", "150.2"), ("150.35", "150.4"), ("150.26", "150.3"), ("150.00", "150.0")],
)
def test_response_page_new_value_rounds_half_to_even(value, new_value):
    assert sig.response_value(value) == new_value


def test_confirmation_signatures_pinned():
    md5 = sig.confirmation_signature(DOC_KEY, DOC_MERCHANT, "TestPayU", "150.00", "USD", "4", "MD5")
    assert md5 == md5_hex(f"{DOC_KEY}~{DOC_MERCHANT}~TestPayU~150.0~USD~4")
    assert md5 == "bbf1e23c5c37adc48dde1d1e134f974a"
    assert (
        sig.confirmation_signature(DOC_KEY, DOC_MERCHANT, "TestPayU", "150.26", "USD", "6", "MD5")
        == "28e8363a9d723f4ad2d439040e70dff6"
    )
    assert (
        sig.confirmation_signature(
            DOC_KEY, DOC_MERCHANT, "TestPayU", "89900.00", "COP", "4", "SHA256"
        )
        == "663229ef81f71e596e97094f0a9dd858de5a304c205951d2acdf6717e583b5d8"
    )


# --- the checkout form -----------------------------------------------------------------------


def test_the_form_signs_the_amount_exactly_as_it_sends_it():
    action, fields = gateway().checkout_form(start())
    assert action == "https://sandbox.checkout.payulatam.com/ppp-web-gateway-payu/"
    assert fields["amount"] == "89900"
    assert fields["tax"] == "14354"
    assert fields["taxReturnBase"] == "75546"
    expected = md5_hex(f"{DOC_KEY}~{DOC_MERCHANT}~PT-7f3a9c~89900~COP")
    assert fields["signature"] == expected
    assert fields | {"signature": ""} == {
        "merchantId": DOC_MERCHANT,
        "accountId": "512321",
        "description": "Factura 84257928-20261101",
        "referenceCode": "PT-7f3a9c",
        "amount": "89900",
        "tax": "14354",
        "taxReturnBase": "75546",
        "currency": "COP",
        "signature": "",
        "test": "1",
        "lng": "es",
        "extra1": "84257928",
        "extra2": "84257928-20261101",
        "confirmationUrl": "https://api.example.co/v1/tigo/home/co/payments/payu/notifications",
        "buyerEmail": "ana@example.com",
        "buyerFullName": "Ana Gómez",
        "responseUrl": "https://mi.tigo.com.co/pagos/resultado",
    }
    assert DOC_KEY not in str(fields)


def test_usd_amounts_and_no_vat():
    _, fields = gateway().checkout_form(
        start(amount=Decimal("30.5"), tax=Decimal(0), currency="USD", buyer_name=None)
    )
    assert (fields["amount"], fields["tax"], fields["taxReturnBase"]) == ("30.50", "0.00", "0.00")
    assert fields["signature"] == sig.digest(f"{DOC_KEY}~{DOC_MERCHANT}~PT-7f3a9c~30.50~USD")
    assert "buyerFullName" not in fields


def test_sha256_merchants_say_so_in_the_form():
    _, fields = gateway("SHA256").checkout_form(start())
    assert fields["algorithmSignature"] == "SHA256"
    text = f"{DOC_KEY}~{DOC_MERCHANT}~PT-7f3a9c~89900~COP"
    assert fields["signature"] == hashlib.sha256(text.encode()).hexdigest()
    assert "algorithmSignature" not in gateway().checkout_form(start())[1]


def test_production_posts_to_payu_production_and_is_not_a_test():
    action, fields = gateway(test=False).checkout_form(start())
    assert action == "https://checkout.payulatam.com/ppp-web-gateway-payu/"
    assert fields["test"] == "0"


def test_amounts_payu_would_refuse_are_refused_before_the_payer_leaves():
    with pytest.raises(InvalidParameter):
        gateway().start_checkout(start(amount=Decimal("10.001"), currency="USD"))
    with pytest.raises(InvalidParameter):
        gateway().start_checkout(start(tax=Decimal("90000")))


def test_the_payer_is_sent_to_our_own_page():
    session = gateway().start_checkout(start())
    assert session.checkout_id == "PT-7f3a9c"
    assert session.redirect_url == (
        "https://api.example.co/v1/tigo/home/co/payments/payu/checkout/PT-7f3a9c"
    )


def test_the_page_carries_the_form_escaped_and_submits_itself():
    hostile = start(description='Factura "x"><script>alert(1)</script>', buyer_name="O'Brien & Co")
    page = gateway().checkout_page(hostile)
    parsed = CheckoutPage()
    parsed.feed(page)
    action, fields = gateway().checkout_form(hostile)
    assert parsed.action == action
    assert parsed.fields == fields  # every value survives the round trip
    assert "<script>alert" not in page
    assert parsed.scripts == 1 and "Continuar a PayU" in page  # no-JS browsers click
    assert DOC_KEY not in page


# --- the confirmation page -------------------------------------------------------------------


def confirmation(state: str = "4", value: str = "150.00", currency: str = "USD", **extra) -> dict:
    fields = {
        "merchant_id": DOC_MERCHANT,
        "state_pol": state,
        "risk": ".00",
        "response_code_pol": "1",
        "reference_sale": "TestPayU",
        "reference_pol": "844164756",
        "extra1": "84257928",
        "payment_method": "10",
        "payment_method_type": "2",
        "payment_method_name": "VISA",
        "installments_number": "1",
        "value": value,
        "tax": "0.00",
        "transaction_date": "2026-11-20 14:05:09",
        "currency": currency,
        "email_buyer": "ana@example.com",
        "cus": "",
        "pse_bank": "",
        "test": "1",
        "description": "Factura",
        "transaction_id": "7008bc34-8258-4857-b866-7d4d7982bd73",
        "cc_number": "************1111",
    }
    fields["sign"] = sig.confirmation_signature(
        DOC_KEY, DOC_MERCHANT, "TestPayU", value, currency, state, "MD5"
    )
    return fields | extra


def test_a_signed_confirmation_is_accepted():
    fields = confirmation()
    assert fields["sign"] == "bbf1e23c5c37adc48dde1d1e134f974a"
    outcome = gateway().verify_notification(
        {"Content-Type": "application/x-www-form-urlencoded"}, urlencode(fields)
    )
    assert outcome.payment_token == "TestPayU"
    assert outcome.status == "approved"
    assert outcome.amount == Decimal("150.00")
    assert outcome.currency == "USD"
    assert outcome.transaction_id == "7008bc34-8258-4857-b866-7d4d7982bd73"
    assert outcome.payment_method == "VISA"
    assert outcome.card_brand == "VISA"
    assert outcome.bank_name is None
    assert outcome.notification_id == "7008bc34-8258-4857-b866-7d4d7982bd73:4"
    assert outcome.at == datetime(2026, 11, 20, 14, 5, 9, tzinfo=timezone(timedelta(hours=-5)))


NOT_AMOUNTS = ["1e26", "NaN", "Infinity", "-Infinity", "1e-30", "abc", "9e999999999", "sNaN",
               "1E+2", "-150.00", "150.255", "150.001", "1" * 16, " 1 50", "0x10", "١٥٠"]  # fmt: skip


@pytest.mark.parametrize("value", NOT_AMOUNTS)
def test_a_confirmation_whose_value_is_not_an_amount_is_a_400(value):
    """Before its signature is even computed: a 400 naming the value, never a 500."""
    with pytest.raises(InvalidParameter, match="'value'") as raised:
        gateway().verify_notification({}, urlencode(confirmation() | {"value": value}))
    assert raised.value.status == 400


def test_a_pse_confirmation_names_the_bank():
    fields = confirmation(
        value="89900.00",
        currency="COP",
        payment_method_type="4",
        payment_method_name="PSE",
        pse_bank="BANCO UNION COLOMBIANO",
        cc_number="",
    )
    outcome = gateway().verify_notification({}, urlencode(fields))
    assert (outcome.payment_method, outcome.bank_name, outcome.card_brand) == (
        "PSE",
        "BANCO UNION COLOMBIANO",
        None,
    )
    assert outcome.amount == Decimal("89900.00")


def test_a_franchise_names_the_card_brand():
    fields = confirmation(franchise="MASTERCARD", payment_method_name="MASTERCARD")
    assert gateway().verify_notification({}, urlencode(fields)).card_brand == "MASTERCARD"


def test_sha256_merchants_verify_sha256_confirmations():
    fields = confirmation()
    fields["sign"] = hashlib.sha256(
        f"{DOC_KEY}~{DOC_MERCHANT}~TestPayU~150.0~USD~4".encode()
    ).hexdigest()
    assert gateway("SHA256").verify_notification({}, urlencode(fields)).status == "approved"
    with pytest.raises(Unauthorized):
        gateway("MD5").verify_notification({}, urlencode(fields))


@pytest.mark.parametrize(
    "tamper",
    [
        {"sign": "0" * 32},
        {"sign": ""},
        {"merchant_id": "508030"},
        {"value": "1.00"},
        {"state_pol": "6"},
        {"currency": "COP"},
        {"reference_sale": "OtherRef"},
    ],
    ids=[
        "wrong-sign",
        "empty-sign",
        "other-merchant",
        "value",
        "state",
        "currency",
        "reference",
    ],
)
def test_a_tampered_confirmation_is_refused(tamper):
    with pytest.raises(Unauthorized, match="Notification signature does not verify"):
        gateway().verify_notification({}, urlencode(confirmation() | tamper))


@pytest.mark.parametrize("missing", ["sign", "merchant_id", "value", "state_pol", "currency"])
def test_a_confirmation_missing_a_signed_field_is_refused(missing):
    fields = confirmation()
    del fields[missing]
    with pytest.raises(Unauthorized):
        gateway().verify_notification({}, urlencode(fields))


def test_a_repeated_signed_field_is_refused():
    body = urlencode(confirmation()) + "&state_pol=6"
    with pytest.raises(Unauthorized):
        gateway().verify_notification({}, body)


def test_a_confirmation_signed_with_another_key_is_refused():
    fields = confirmation()
    fields["sign"] = sig.confirmation_signature(
        "another-key", DOC_MERCHANT, "TestPayU", "150.00", "USD", "4", "MD5"
    )
    with pytest.raises(Unauthorized):
        gateway().verify_notification({}, urlencode(fields))


def test_production_refuses_a_test_transaction_but_takes_a_real_one():
    with pytest.raises(Unauthorized, match="test transaction"):
        gateway(test=False).verify_notification({}, urlencode(confirmation(test="1")))
    real = gateway(test=False).verify_notification({}, urlencode(confirmation(test="0")))
    assert real.status == "approved"


@pytest.mark.parametrize(
    ("state_pol", "status"),
    [("4", "approved"), ("6", "declined"), ("5", "expired"), ("7", "pending"),
     ("104", "declined"), ("99", "declined")],
)  # fmt: skip
def test_state_pol_maps_to_our_status(state_pol, status):
    outcome = gateway().verify_notification({}, urlencode(confirmation(state=state_pol)))
    assert outcome.status == status
    assert outcome.notification_id.endswith(f":{state_pol}")


# --- configuration ---------------------------------------------------------------------------


def test_endpoints_default_by_mode_and_follow_the_environment():
    test_mode = gateway()
    assert test_mode.reports_url == "https://sandbox.api.payulatam.com/reports-api/4.0/service.cgi"
    assert test_mode.payments_url == (
        "https://sandbox.api.payulatam.com/payments-api/4.0/service.cgi"
    )
    assert gateway(test=False).reports_url == (
        "https://api.payulatam.com/reports-api/4.0/service.cgi"
    )
    local = gateway(PAYU_REPORTS_URL="http://127.0.0.1:9/reports-api/4.0/service.cgi")
    assert local.reports_url == "http://127.0.0.1:9/reports-api/4.0/service.cgi"


@pytest.mark.parametrize(
    ("algorithm", "test", "env"),
    [
        ("SHA1", True, {}),
        (
            "MD5",
            False,
            {"PAYU_REPORTS_URL": "http://api.payulatam.com/reports-api/4.0/service.cgi"},
        ),
        ("MD5", True, {"PAYU_PAYMENTS_URL": "file:///etc/passwd"}),
        ("MD5", True, {"PAYU_TIMEOUT_SECONDS": "0"}),
        ("MD5", True, {"PAYU_TIMEOUT_SECONDS": "soon"}),
    ],
    ids=["algorithm", "plain-http-in-production", "file-url", "zero-timeout", "bad-timeout"],
)
def test_a_misconfigured_gateway_is_unavailable(algorithm, test, env):
    with pytest.raises(Unavailable):
        gateway(algorithm, test, **env)
