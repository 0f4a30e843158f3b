"""The one country table: every per-country rule is data here, never an `if country == ...`."""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType

from selfcare import documents as doc
from selfcare.documents import DocumentType
from selfcare.errors import InvalidParameter

_PHONE_NOISE = re.compile(r"[\s().-]+")


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True, slots=True)
class PhonePlan:
    """National numbering plan: fixed length; a number must start with one of the prefixes."""

    length: int
    mobile: tuple[str, ...]
    landline: tuple[str, ...]
    hint: str  # the plan in words, for error messages

    def is_valid(self, national: str) -> bool:
        return (
            len(national) == self.length
            and national.isascii()
            and national.isdigit()
            and national.startswith(self.mobile + self.landline)
        )


def fixed_zone(offset: str) -> timezone:
    """ "-05:00" as a time zone (the countries served keep no daylight saving)."""
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset.lstrip("+-").split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    currency: str
    currency_decimals: int
    vat_rate: Decimal
    documents: Mapping[str, DocumentType] = field(hash=False)  # lower-case code -> type
    paperless_id_type: str | None  # `idType` of paperless calls
    local_calls: bool
    calling_code: str
    timezone: str
    utc_offset: str  # the time zone's only offset (no daylight saving): TMF date-times
    payment_methods: tuple[str, ...]
    phone_plan: PhonePlan

    @property
    def zone(self) -> tzinfo:
        """The country's time as a fixed offset (the TMF backend's date-times)."""
        return fixed_zone(self.utc_offset)

    def today(self) -> date:
        """Today where the country is (not where the function runs: UTC), by its fixed
        offset: no time zone database needed."""
        return datetime.now(self.zone).date()

    def document(self, doc_type: str) -> DocumentType:
        """The document type for a `docTypeId` in any case."""
        found = self.documents.get(doc_type.strip().lower())
        if found is None:
            raise InvalidParameter(
                "docTypeId",
                f"unknown document type '{_clip(doc_type)}' for {self.name};"
                f" expected one of {', '.join(self.documents)}",
            )
        return found

    def parse_document(self, doc_type: str, number: str) -> tuple[DocumentType, str]:
        """(type, canonical number); InvalidParameter on docTypeId or customerId."""
        found = self.document(doc_type)
        return found, found.normalize(number)

    def money(self, value: Decimal | int | float | str) -> Decimal:
        """`value` rounded half-up to the currency's decimals (float via its shortest repr)."""
        if isinstance(value, bool):
            raise TypeError("money amount must be a number, not bool")
        try:
            amount = Decimal(repr(value) if isinstance(value, float) else value)
        except InvalidOperation:
            raise ValueError(f"not a money amount: {_clip(str(value))!r}") from None
        if not amount.is_finite():
            raise ValueError(f"not a finite money amount: {amount}")
        try:
            rounded = amount.quantize(Decimal(1).scaleb(-self.currency_decimals), ROUND_HALF_UP)
        except InvalidOperation:
            raise ValueError(f"money amount too large: {_clip(str(amount))}") from None
        return rounded.copy_abs() if rounded.is_zero() else rounded  # no "-0"

    def vat_included(self, gross: Decimal) -> Decimal:
        """The VAT a price that includes it carries, in the currency's precision: the one
        formula (invoices' `taxAmount`, the gateway's `tax`), gross − gross / (1 + rate)."""
        return self.money(gross - gross / (1 + self.vat_rate))

    def has_valid_precision(self, value: Decimal) -> bool:
        """No more significant decimals than the currency has: 10.50 and 10.500 are USD."""
        if not value.is_finite():
            return False
        _, digits, exponent = value.as_tuple()
        if not isinstance(exponent, int):  # unreachable for finite values; narrows the type
            return False
        significant = "".join(map(str, digits)).rstrip("0")
        if not significant:
            return True
        return exponent + len(digits) - len(significant) >= -self.currency_decimals

    def normalize_phone(self, raw: str, field: str = "phone") -> str:
        """E.164 ("+573001234567") from a national or E.164 number of this country; a 400
        naming `field` otherwise."""
        text = _PHONE_NOISE.sub("", raw.strip()) if isinstance(raw, str) else ""
        prefix = "+" + self.calling_code
        national = text.removeprefix(prefix)  # anything else left with "+" fails the plan
        if not self.phone_plan.is_valid(national):
            raise InvalidParameter(
                field,
                f"expected a phone number of {self.name}: {self.phone_plan.hint},"
                f" optionally preceded by {prefix}",
            )
        return prefix + national

    def national_phone(self, e164: str, field: str = "phone") -> str:
        """The national number: "+573001234567" -> "3001234567"."""
        return self.normalize_phone(e164, field)[1 + len(self.calling_code) :]

    def generate_phone(self, rng: random.Random, mobile: bool) -> str:
        """A valid national number (sandbox data)."""
        plan = self.phone_plan
        prefix = rng.choice(plan.mobile if mobile else plan.landline)
        rest = plan.length - len(prefix)
        return prefix + "".join(rng.choice(string.digits) for _ in range(rest))


COUNTRIES: Mapping[str, Country] = MappingProxyType(
    {
        "co": Country(
            code="co",
            name="Colombia",
            currency="COP",
            currency_decimals=0,  # Tigo UNE bills whole pesos
            vat_rate=Decimal("0.19"),
            documents=MappingProxyType(
                {
                    "cc": doc.CO_CC,
                    "ce": doc.CO_CE,
                    "nit": doc.CO_NIT,
                    "pas": doc.PASSPORT,
                    "ne": doc.CO_NE,
                }
            ),
            paperless_id_type=None,
            local_calls=True,
            calling_code="57",
            timezone="America/Bogota",
            utc_offset="-05:00",
            payment_methods=("POL", "PSE", "FACTURANET BANCOLOMBIA"),  # from the contract
            # CRC Res. 5826/2019 (in force 2021): all numbers have 10 digits; mobiles 3xx,
            # landlines 60 + region (1 Bogotá, 2 Valle, 4 Antioquia, 5 Caribe, 6 Eje Cafetero,
            # 7 Santanderes, 8 Boyacá/Tolima/Huila/Llanos); 603 is unassigned.
            phone_plan=PhonePlan(
                10,
                mobile=("3",),
                landline=("601", "602", "604", "605", "606", "607", "608"),
                hint="10 digits, mobile 3XXXXXXXXX or landline 60XXXXXXXX",
            ),
        ),
        "gt": Country(
            code="gt",
            name="Guatemala",
            currency="GTQ",
            currency_decimals=2,
            vat_rate=Decimal("0.12"),
            documents=MappingProxyType({"dpi": doc.GT_DPI, "nit": doc.GT_NIT, "pas": doc.PASSPORT}),
            paperless_id_type="subscriptions",
            local_calls=False,
            calling_code="502",
            timezone="America/Guatemala",
            utc_offset="-06:00",
            payment_methods=("VISA", "MASTERCARD", "TIGO MONEY", "BANCO INDUSTRIAL"),
            # SIT numbering plan: 8 digits since 2004; landlines 2, 6, 7; mobiles 3, 4, 5.
            phone_plan=PhonePlan(
                8,
                mobile=("3", "4", "5"),
                landline=("2", "6", "7"),
                hint="8 digits starting with 2 to 7",
            ),
        ),
        "sv": Country(
            code="sv",
            name="El Salvador",
            currency="USD",
            currency_decimals=2,
            vat_rate=Decimal("0.13"),
            documents=MappingProxyType({"dui": doc.SV_DUI, "nit": doc.SV_NIT, "pas": doc.PASSPORT}),
            paperless_id_type="billingaccounts",
            local_calls=False,
            calling_code="503",
            timezone="America/El_Salvador",
            utc_offset="-06:00",
            payment_methods=("VISA", "MASTERCARD", "TIGO MONEY", "BANCO AGRICOLA"),
            # SIGET numbering plan: 8 digits since 2005; landlines 2, mobiles 6 and 7.
            phone_plan=PhonePlan(
                8,
                mobile=("6", "7"),
                landline=("2",),
                hint="8 digits, landline 2XXXXXXX or mobile 6XXXXXXX/7XXXXXXX",
            ),
        ),
    }
)


def get_country(code: str) -> Country:
    """The country for a path `{country}` in any case; KeyError if unknown."""
    return COUNTRIES[code.lower()]
