from datetime import date

import pytest

from selfcare import params
from selfcare.errors import InvalidParameter


@pytest.mark.parametrize(("raw", "expected"), [(None, 1), ("1", 1), ("5", 5), ("3", 3)])
def test_limit_defaults_and_accepts_the_contract_range(raw, expected):
    query = {} if raw is None else {"limit": raw}
    assert params.limit(query, 1, 5) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",  # `?limit=`: an integer the OpenAPI's schema refuses, not "no limit"
        "0",
        "6",
        "-1",
        "abc",
        "2.5",
        "1e1",
        " 2",
        "2\n",
        "+2",
        "1_0",
        # digits of other forms and scripts: isdigit() takes them, int() fails on "²" and
        # reads "٣" (Arabic-Indic), "३" (Devanagari) and "３" (full width) as 3
        "²",
        "³",
        "٣",
        "३",
        "３",
        "1٣",
        # beyond int()'s digit limit (4300), which is a ValueError, not a 400
        "1" * 5000,
    ],
)
def test_limit_outside_the_range_names_the_parameter(raw):
    with pytest.raises(InvalidParameter) as error:
        params.limit({"limit": raw}, 1, 5)
    assert "'limit'" in error.value.message and "1 to 5" in error.value.message


def test_ascii_int_takes_only_ascii_digits_up_to_the_length():
    assert params.ascii_int("007", 3) == 7
    assert params.ascii_int("1234", 3) is None
    for raw in ("", "²", "٣", "３", "-1", " 1", "1 "):
        assert params.ascii_int(raw, 12) is None, raw


def test_query_dates_are_required_and_iso():
    assert params.query_date({"fromDate": "2026-10-01"}, "fromDate") == date(2026, 10, 1)
    for query in ({}, {"fromDate": ""}, {"fromDate": "01/10/2026"}, {"fromDate": "2026-13-01"}):
        with pytest.raises(InvalidParameter) as error:
            params.query_date(query, "fromDate")
        assert "'fromDate'" in error.value.message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("contractId", "12345678"),
        ("invoiceId", "FE-2026-0001"),
        ("productId", "3"),
        ("measuringElement", "+576014567890"),
        ("paymentToken", "a1b2c3d4e5f6"),
    ],
)
def test_well_formed_path_values_pass(name, value):
    params.check_path({name: value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("contractId", "1' OR '1'='1"),
        ("contractId", "x" * 65),
        ("contractId", "-leading-dash"),
        ("invoiceId", "<script>"),
        ("productId", "abc"),
        ("measuringElement", "call-me"),
        ("paymentToken", "short"),
    ],
)
def test_malformed_path_values_are_refused_by_name(name, value):
    with pytest.raises(InvalidParameter) as error:
        params.check_path({name: value})
    assert error.value.status == 400 and f"'{name}'" in error.value.message
