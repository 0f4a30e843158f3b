"""Card details of a tokenization request, checked before the gateway sees them. Each
problem is a 400 naming the field; messages never quote the card number or the CVV."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from selfcare.countries import Country
from selfcare.errors import InvalidParameter
from selfcare.payments import Card
from selfcare.ports import CustomerRef
from selfcare.redaction import SHORTEST_PAN, holds_card_number, luhn_valid

if TYPE_CHECKING:
    from selfcare.models.tokenization import CreateCardTokenizationRequest

T = TypeVar("T")

NUMBER, EXPIRY, CVV, BRAND, NAME = (
    "cardDetails.cardNumber",
    "cardDetails.cardExpirationDate",
    "cardDetails.cardVerificationValue",
    "cardDetails.cardBrand",
    "cardDetails.cardPrintedName",
)
BRANDS = ("VISA", "MASTERCARD", "AMEX", "DINERS")
CVV_DIGITS = {"AMEX": 4}  # 3 for the others
YEARS_AHEAD = 20  # no card is issued for longer
DIGITS = re.compile(rf"[0-9]{{{SHORTEST_PAN},19}}")
YYYYMM = re.compile(r"([0-9]{4})(0[1-9]|1[0-2])")


def brand_of(number: str) -> str | None:
    """The brand a card number's prefix belongs to (None: not one we take)."""
    two, three, four = int(number[:2]), int(number[:3]), int(number[:4])
    if number.startswith("4"):
        return "VISA"
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "MASTERCARD"
    if two in (34, 37):
        return "AMEX"
    if two in (36, 38) or 300 <= three <= 305:
        return "DINERS"
    return None


def check_number(number: str) -> str:
    if not DIGITS.fullmatch(number):
        raise InvalidParameter(NUMBER, "expected 12 to 19 digits")
    if not luhn_valid(number):
        raise InvalidParameter(NUMBER, "not a valid card number (check digit)")
    return number


def check_brand(brand: str, number: str) -> str:
    """`brand` in upper case; it must be the brand of `number` (already checked)."""
    brand = brand.strip().upper()
    if brand not in BRANDS:
        raise InvalidParameter(BRAND, f"expected one of {', '.join(BRANDS)}")
    if brand_of(number) != brand:
        raise InvalidParameter(BRAND, "does not match the card number")
    return brand


def check_expiry(expiry: str, today: date) -> str:
    """YYYYMM, a real month from this one (where the customer is) to YEARS_AHEAD years on."""
    match = YYYYMM.fullmatch(expiry)
    if not match:
        raise InvalidParameter(EXPIRY, "expected YYYYMM")
    if expiry < f"{today:%Y%m}":
        raise InvalidParameter(EXPIRY, "the card has expired")
    if int(match[1]) > today.year + YEARS_AHEAD:
        raise InvalidParameter(EXPIRY, f"more than {YEARS_AHEAD} years ahead")
    return expiry


def check_cvv(cvv: str, brand: str) -> str:
    digits = CVV_DIGITS.get(brand, 3)
    if len(cvv) != digits or not cvv.isdigit() or not cvv.isascii():
        raise InvalidParameter(CVV, f"expected {digits} digits for {brand}")
    return cvv


def check_printed_name(name: str | None) -> str | None:
    """The name as embossed, or None. It is stored and echoed (TokenInfo), so one holding a
    card number (12 or more digits, separated by anything, Luhn-valid or mistyped) is refused:
    no printed name has that many digits."""
    name = (name or "").strip()
    if holds_card_number(name):
        raise InvalidParameter(NAME, "must not hold a card number")
    return name or None


def check_customer(
    document_type: str | None,
    customer_id: str | None,
    customer: CustomerRef,
    country: Country,
    field: str,
) -> None:
    """A body that names a customer must name the path's (another one is a 400)."""
    if customer_id is None and document_type is None:
        return
    try:
        document, number = country.parse_document(
            document_type or customer.document_type, customer_id or customer.customer_id
        )
    except InvalidParameter:
        raise InvalidParameter(field, "must name the customer of the path") from None
    if (document.code, number) != (customer.document_type.upper(), customer.customer_id):
        raise InvalidParameter(field, "must name the customer of the path")


def check_ip(address: str | None) -> None:
    if address is None:
        return
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise InvalidParameter("customerIpAddress", "not an IP address") from None


def card(
    request: CreateCardTokenizationRequest, customer: CustomerRef, country: Country, today: date
) -> Card:
    """The Card of a tokenization request, every field checked."""
    info = request.customerInfo
    if info is not None:
        check_customer(info.documentType, info.customerId, customer, country, "customerInfo")
    check_ip(request.customerIpAddress)
    details = _required(request.cardDetails, "cardDetails")
    number = check_number(_required(details.cardNumber, NUMBER).get_secret_value())
    brand = check_brand(_required(details.cardBrand, BRAND), number)
    return Card(
        number=number,
        expiration=check_expiry(_required(details.cardExpirationDate, EXPIRY), today),
        cvv=check_cvv(_required(details.cardVerificationValue, CVV).get_secret_value(), brand),
        brand=brand,
        printed_name=check_printed_name(details.cardPrintedName),
        document_type=customer.document_type,
        customer_id=customer.customer_id,
        email=info.email if info is not None else None,
    )


def _required(value: T | None, name: str) -> T:
    if value is None:
        raise InvalidParameter(name, "required")
    return value
