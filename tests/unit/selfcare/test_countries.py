"""The country table: documents, money and phone numbers per country."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfcare import documents as d
from selfcare.countries import COUNTRIES, Country, get_country
from selfcare.errors import InvalidParameter
from tests.support.phones import WRITTEN

CO, GT, SV = get_country("co"), get_country("gt"), get_country("sv")


def test_countries_and_lookup() -> None:
    assert list(COUNTRIES) == ["co", "gt", "sv"]
    assert get_country("GT") is GT
    with pytest.raises(KeyError):
        get_country("hn")


@pytest.mark.parametrize(
    ("country", "currency", "vat", "id_type", "local_calls", "zone"),
    [
        (CO, "COP", "0.19", None, True, "America/Bogota"),
        (GT, "GTQ", "0.12", "subscriptions", False, "America/Guatemala"),
        (SV, "USD", "0.13", "billingaccounts", False, "America/El_Salvador"),
    ],
)
def test_contract_facts(
    country: Country, currency: str, vat: str, id_type: str | None, local_calls: bool, zone: str
) -> None:
    assert country.currency == currency
    assert country.vat_rate == Decimal(vat)
    assert country.paperless_id_type == id_type
    assert country.local_calls is local_calls
    assert country.timezone == zone


@pytest.mark.parametrize(
    ("country", "gross", "vat"),
    [(CO, "119000", "19000"), (CO, "100", "16"), (GT, "112.00", "12.00"), (GT, "10.00", "1.07"),
     (SV, "113.00", "13.00"), (SV, "0.01", "0.00")],
)  # fmt: skip
def test_vat_included_in_a_price(country: Country, gross: str, vat: str) -> None:
    assert country.vat_included(Decimal(gross)) == Decimal(vat)


# --- Documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "documents"),
    [("co", ["cc", "ce", "nit", "pas", "ne"]), ("gt", ["dpi", "nit", "pas"]),
     ("sv", ["dui", "nit", "pas"])],
)  # fmt: skip
def test_each_country_lists_exactly_its_documents(code: str, documents: list[str]) -> None:
    country = COUNTRIES[code]
    assert list(country.documents) == documents
    assert [t.code for t in country.documents.values()] == [k.upper() for k in documents]


def test_nit_rules_differ_by_country() -> None:
    assert CO.document("nit") is d.CO_NIT
    assert GT.document("nit") is d.GT_NIT
    assert SV.document("nit") is d.SV_NIT


@pytest.mark.parametrize("spelling", ["cc", "CC", "Cc", " cc "])
def test_doc_type_in_any_case(spelling: str) -> None:
    assert CO.document(spelling) is d.CO_CC


@pytest.mark.parametrize(("country", "doc_type"), [(CO, "dpi"), (GT, "cc"), (SV, "x" * 200)])
def test_unknown_doc_type_names_doc_type_id(country: Country, doc_type: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        country.document(doc_type)
    assert caught.value.parameter == "docTypeId"
    assert country.name in caught.value.message
    assert ", ".join(country.documents) in caught.value.message
    assert len(caught.value.message) < 160


def test_parse_document() -> None:
    assert CO.parse_document("NIT", "800.197.268-4") == (d.CO_NIT, "800197268-4")
    assert GT.parse_document("Nit", "576937k") == (d.GT_NIT, "576937-K")
    assert SV.parse_document("dui", "045678903") == (d.SV_DUI, "04567890-3")
    with pytest.raises(InvalidParameter) as caught:
        GT.parse_document("dpi", "2456 78901 0101")  # check digit should be 5
    assert caught.value.parameter == "customerId"


# --- Money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "value", "expected"),
    [
        (CO, Decimal("1234.5"), "1235"),
        (CO, "1234.49", "1234"),
        (CO, 100000, "100000"),
        (CO, "-0.5", "-1"),  # half-up rounds away from zero
        (CO, "-0.4", "0"),  # never "-0"
        (GT, "10.005", "10.01"),
        (GT, 7, "7.00"),
        (SV, 2.675, "2.68"),  # the float's shortest repr, not its binary value 2.67499…
        (SV, 0.1 + 0.2, "0.30"),
    ],
)
def test_money_rounds_half_up_to_currency_decimals(
    country: Country, value: Decimal | int | float | str, expected: str
) -> None:
    result = country.money(value)
    assert str(result) == expected


@pytest.mark.parametrize("value", ["NaN", "Infinity", "abc", float("nan"), "1E+40"])
def test_money_rejects_non_amounts(value: str | float) -> None:
    with pytest.raises(ValueError):
        SV.money(value)


@pytest.mark.parametrize(
    ("country", "value", "ok"),
    [
        (CO, "100", True),
        (CO, "100.00", True),
        (CO, "1E+3", True),
        (CO, "100.5", False),
        (GT, "10.25", True),
        (GT, "0.000", True),
        (SV, "10.500", True),
        (SV, "10.255", False),
        (SV, "0.001", False),
        (SV, "NaN", False),
        (SV, "Infinity", False),
    ],
)
def test_has_valid_precision(country: Country, value: str, ok: bool) -> None:
    assert country.has_valid_precision(Decimal(value)) is ok


@given(st.decimals(places=3, min_value=-(10**9), max_value=10**9))
def test_money_output_always_has_valid_precision(value: Decimal) -> None:
    for country in COUNTRIES.values():
        assert country.has_valid_precision(country.money(value))


# --- Phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("country", "raw", "e164"), WRITTEN)
def test_normalize_phone_accepts_national_and_e164(country: Country, raw: str, e164: str) -> None:
    assert country.normalize_phone(raw) == e164
    assert country.normalize_phone(e164) == e164
    assert country.national_phone(e164) == e164.removeprefix("+" + country.calling_code)


@pytest.mark.parametrize(
    ("country", "raw"),
    [
        (CO, "300123456"),  # 9 digits
        (CO, "30012345678"),  # 11 digits
        (CO, "6031234567"),  # 603 is not a region
        (CO, "2345678901"),  # neither mobile nor 60x
        (CO, "+50223456789"),  # Guatemala's code
        (CO, "573001234567"),  # country code without "+"
        (CO, "+57+3001234567"),
        (CO, "３００１２３４５６７"),  # full-width digits
        (CO, ""),
        (GT, "8123 4567"),
        (GT, "1234 5678"),
        (GT, "2345 678"),
        (GT, "+503 7012 3456"),  # El Salvador's code
        (SV, "5123 4567"),
        (SV, "8123 4567"),
        (SV, "7012 34567"),
        (SV, "+502 2345 6789"),
        (SV, "7012a456"),
    ],
)
def test_normalize_phone_rejects(country: Country, raw: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        country.normalize_phone(raw)
    assert caught.value.parameter == "phone"
    assert f"+{country.calling_code}" in caught.value.message


@pytest.mark.parametrize(
    ("country", "mobile_start", "landline_start"),
    [(CO, ("3",), ("60",)), (GT, ("3", "4", "5"), ("2", "6", "7")), (SV, ("6", "7"), ("2",))],
)
@given(seed=st.integers(0, 2**32), mobile=st.booleans())
def test_generated_phones_are_valid(
    country: Country,
    mobile_start: tuple[str, ...],
    landline_start: tuple[str, ...],
    seed: int,
    mobile: bool,
) -> None:
    national = country.generate_phone(random.Random(seed), mobile)
    assert national.startswith(mobile_start if mobile else landline_start)
    assert country.national_phone(country.normalize_phone(national)) == national


def test_today_is_the_countrys_date_not_utcs(monkeypatch):
    """At 02:00 UTC it is still yesterday evening in all three countries (UTC-5, UTC-6)."""
    from datetime import UTC, date, datetime

    from selfcare import countries

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return datetime(2026, 12, 3, 2, 0, tzinfo=UTC).astimezone(tz or UTC)

    monkeypatch.setattr(countries, "datetime", Clock)
    assert {code: c.today() for code, c in countries.COUNTRIES.items()} == {
        code: date(2026, 12, 2) for code in countries.COUNTRIES
    }


@pytest.mark.parametrize("code", sorted(COUNTRIES))
def test_the_fixed_offset_is_the_time_zones_all_year(code):
    """Backend tmf writes date-times with the country's one offset (Country.zone): it must be
    the time zone's on every day of the year (none of the three keeps daylight saving)."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    country = get_country(code)
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for day in range(0, 366, 7):
        moment = start + timedelta(days=day)
        assert moment.astimezone(ZoneInfo(country.timezone)).utcoffset() == (
            moment.astimezone(country.zone).utcoffset()
        ), (code, moment)
