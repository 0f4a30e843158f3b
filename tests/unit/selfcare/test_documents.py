"""Identity documents: check-digit vectors worked by hand, and properties of every type."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfcare import documents as d
from selfcare.errors import InvalidParameter

ALL_TYPES = [
    d.CO_CC, d.CO_CE, d.CO_NIT, d.CO_NE, d.PASSPORT, d.GT_DPI, d.GT_NIT, d.SV_DUI, d.SV_NIT,
]  # fmt: skip
CHECKED_AT_END = [d.CO_NIT, d.GT_NIT, d.SV_DUI]  # "base-check" canonical forms

seeds = st.integers(min_value=0, max_value=2**32)


def rejects(doc: d.DocumentType, raw: str) -> str:
    with pytest.raises(InvalidParameter) as caught:
        doc.normalize(raw)
    assert caught.value.parameter == "customerId"
    assert doc.code in caught.value.message
    return caught.value.message


def replace_digit(text: str, pos: int, new: int) -> str:
    return text[:pos] + str(new) + text[pos + 1 :]


def substitution(data: st.DataObject, text: str, last: int | None = None) -> tuple[int, int]:
    """A position in `text` (up to `last`) and a digit other than the one there."""
    pos = data.draw(st.integers(0, len(text) - 1 if last is None else last))
    return pos, data.draw(st.integers(0, 9).filter(lambda n: n != int(text[pos])))


# --- Known vectors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "base", "expected"),
    [
        # Colombia's NIT. DIAN's example. Right to left: 8·3 + 6·7 + 2·13 + 7·17 + 9·19 + 1·23
        # + 0·29 + 0·37 + 8·41 = 733; 733 mod 11 = 7; 11 − 7 = 4.
        (d.co_nit_check_digit, "800197268", 4),
        # Bancolombia: 8·3+3·7+9·13+3·17+0·19+9·23+0·29+9·37+8·41 = 1081; mod 11 = 3 -> 8.
        (d.co_nit_check_digit, "890903938", 8),
        # UNE EPM Telecomunicaciones: 5·3+8·7+3·13+2·17+9·19+0+0+0+9·41 = 684; mod 11 = 2 -> 9.
        (d.co_nit_check_digit, "900092385", 9),
        # r < 2 keeps r: 8·3 + 8·41 = 352 = 32·11 -> r 0 -> 0.
        (d.co_nit_check_digit, "800000008", 0),
        # 8·41 + 1·3 = 331 = 30·11 + 1 -> r 1 -> 1.
        (d.co_nit_check_digit, "800000001", 1),
        # 8·41 + 4·3 = 340 = 30·11 + 10 -> 11 − 10 = 1 (the one digit two residues share).
        (d.co_nit_check_digit, "800000004", 1),
        # Guatemala's NIT. Right to left 7·2 + 3·3 + 9·4 + 6·5 + 7·6 + 5·7 = 166;
        # 166 mod 11 = 1; −1 mod 11 = 10.
        (d.gt_nit_check_char, "576937", "K"),
        # 8·2 + 0·3 + 1·4 + 7·5 = 55 = 5·11; −0 mod 11 = 0.
        (d.gt_nit_check_char, "7108", "0"),
        # 0·2 + 5·3 + 5·4 + 2·5 + 5·6 + 9·7 + 3·8 = 162; mod 11 = 8; −8 mod 11 = 3.
        (d.gt_nit_check_char, "3952550", "3"),
        # 2·2 + 1·3 + 1·4 + 7·5 + 7·6 + 9·7 + 8·8 = 215; mod 11 = 6; −6 mod 11 = 5.
        (d.gt_nit_check_char, "8977112", "5"),
        # El Salvador's DUI. 0·9 + 4·8 + 5·7 + 6·6 + 7·5 + 8·4 + 9·3 + 0·2 = 197; 10 − 7 = 3.
        (d.sv_dui_check_digit, "04567890", 3),
        # 9 + 16 + 21 + 24 + 25 + 24 + 21 + 16 = 156; 10 − 6 = 4.
        (d.sv_dui_check_digit, "12345678", 4),
        # 0 + 0 + 1·7 + 6·6 + 0 + 1·4 + 7·3 + 7·2 = 82; 10 − 2 = 8.
        (d.sv_dui_check_digit, "00160177", 8),
        # Sum 0; 10 − 0 = 10 -> 0.
        (d.sv_dui_check_digit, "00000000", 0),
    ],
)
def test_check_digit_vectors(check: Callable[[str], object], base: str, expected: object) -> None:
    assert check(base) == expected


# Serial 24567890: 2·2 + 4·3 + 5·4 + 6·5 + 7·6 + 8·7 + 9·8 + 0·9 = 236; 236 mod 11 = 5.
@pytest.mark.parametrize(
    "number",
    [
        "2456789050101",
        "2456789051705",
        "2456789051805",
        "2456789052217",
        "2456789050514",  # Sipacate, Escuintla (2015)
        "2456789051333",  # Petatán, Huehuetenango (2015)
    ],
)
def test_dpi_valid(number: str) -> None:
    assert d.gt_dpi_is_valid(number)
    assert d.GT_DPI.normalize(number) == number


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("2456789010101", "check digit"),
        ("2456789050001", "department 00"),
        ("2456789052301", "department 23"),
        ("2456789050118", "municipality 18"),  # Guatemala has 17
        ("2456789051806", "municipality 06"),  # Izabal has 5
        ("2456789050100", "municipality 00"),
        ("2456789051334", "municipality 34"),
        ("245678905010", "13 digits"),
        ("24567890501011", "13 digits"),
    ],
)
def test_dpi_invalid(number: str, problem: str) -> None:
    assert not d.gt_dpi_is_valid(number)
    assert problem in rejects(d.GT_DPI, number)


def test_dpi_serial_with_remainder_10_has_no_valid_check_digit() -> None:
    # 1·2 + 7·9 = 65 = 5·11 + 10.
    assert not any(d.gt_dpi_is_valid(f"10000007{c}0101") for c in range(10))


# --- Canonical forms and formatting noise -------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "raw", "canonical"),
    [
        (d.CO_CC, " 1.020.304.050 ", "1020304050"),
        (d.CO_CC, "123", "123"),
        (d.CO_CE, "0000456789", "456789"),
        (d.CO_NIT, "800.197.268-4", "800197268-4"),
        (d.CO_NIT, "8001972684", "800197268-4"),
        (d.CO_NE, "rfc-800101-abc", "RFC800101ABC"),
        (d.PASSPORT, "ab 123456", "AB123456"),
        (d.GT_DPI, "2456 78905 0101", "2456789050101"),
        (d.GT_NIT, "576937-k", "576937-K"),
        (d.GT_NIT, "576937k", "576937-K"),
        (d.GT_NIT, "000576937-K", "576937-K"),
        (d.SV_DUI, "045678903", "04567890-3"),
        (d.SV_NIT, "0614-010190-101-5", "06140101901015"),
    ],
)
def test_normalize_accepts_common_spellings(doc: d.DocumentType, raw: str, canonical: str) -> None:
    assert doc.normalize(raw) == canonical


@pytest.mark.parametrize(
    ("doc", "raw", "problem"),
    [
        (d.CO_CC, "", "empty"),
        (d.CO_CC, "  ", "empty"),
        (d.CO_CC, "0123456", "start with 0"),
        (d.CO_CC, "12", "3 to 10 digits"),
        (d.CO_CC, "12345678901", "3 to 10 digits"),
        (d.CO_CC, "12A45", "only digits"),
        (d.CO_CC, "１２３４５", "letters A-Z, digits"),  # full-width digits
        (d.CO_CE, "00012", "3 to 10 digits"),
        (d.CO_NIT, "800197268-5", "check digit"),
        (d.CO_NIT, "8001972685", "check digit"),
        (d.CO_NIT, "800-197268-4", "hyphen"),
        (d.CO_NIT, "1234567-5", "8 to 10 digits"),
        (d.CO_NIT, "-4", "missing"),
        (d.PASSPORT, "AB12", "5 to 20"),
        (d.PASSPORT, "AB-123456", "letters A-Z"),
        (d.PASSPORT, "AB1234ß", "letters A-Z"),  # "ß".upper() would be "SS"
        (d.GT_NIT, "576937-0", "check character"),
        (d.GT_NIT, "K", "missing"),
        (d.GT_NIT, "123456789012-3", "1 to 11 digits"),
        (d.SV_DUI, "04567890-1", "check digit"),
        (d.SV_DUI, "4567890-3", "8 digits"),  # leading zeros are part of a DUI
        (d.SV_NIT, "0614-010190-101", "14 digits"),
    ],
)
def test_normalize_says_what_is_wrong(doc: d.DocumentType, raw: str, problem: str) -> None:
    assert problem in rejects(doc, raw)


@pytest.mark.parametrize("raw", ["Z" * 40 + "!", "Z" * 31 + "<script>" * 20])
@pytest.mark.parametrize("doc", ALL_TYPES, ids=lambda t: f"{t.code}-{t.example}")
def test_errors_do_not_echo_the_input(doc: d.DocumentType, raw: str) -> None:
    message = rejects(doc, raw)
    assert "ZZZZZ" not in message
    assert "<script>" not in message


# --- Properties ----------------------------------------------------------------------------------


@given(st.from_regex(r"[1-9][0-9]{7,9}", fullmatch=True))
def test_co_nit_base_plus_check_digit_normalizes(base: str) -> None:
    canonical = f"{base}-{d.co_nit_check_digit(base)}"
    assert d.CO_NIT.normalize(canonical) == canonical
    assert d.CO_NIT.normalize(canonical.replace("-", "")) == canonical


@given(st.from_regex(r"[1-9][0-9]{7,9}", fullmatch=True), st.data())
def test_co_nit_detects_substitutions_unless_digit_is_1(base: str, data: st.DataObject) -> None:
    # Residue -> digit maps 1 and 10 both to 1; every other digit has one residue, and all
    # weights are non-zero mod 11, so a substituted digit always changes the residue.
    pos, new = substitution(data, base)
    check = d.co_nit_check_digit(base)
    if check != 1:
        assert d.co_nit_check_digit(replace_digit(base, pos, new)) != check
    wrong = data.draw(st.integers(0, 9).filter(lambda n: n != check))
    with pytest.raises(InvalidParameter):  # a wrong check digit itself is always caught
        d.CO_NIT.normalize(f"{base}-{wrong}")


# Which substitutions each scheme detects: Guatemala's NIT weighs digits 2, 3, ... from the
# right, mod 11 (a weight of 11 hides one); the DUI weighs them 9 down to 2, mod 10 (a
# weighted change that is a multiple of 10 hides one).
SUBSTITUTIONS = [
    pytest.param(
        d.GT_NIT, d.gt_nit_check_char, r"[1-9][0-9]{0,10}",
        lambda base, pos, new: (len(base) - pos + 1) % 11 != 0, id="gt-nit",
    ),
    pytest.param(
        d.SV_DUI, d.sv_dui_check_digit, r"[0-9]{8}",
        lambda base, pos, new: (new - int(base[pos])) * (9 - pos) % 10 != 0, id="sv-dui",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("doc", "check", "bases", "detected"), SUBSTITUTIONS)
@given(data=st.data())
def test_a_substitution_changes_the_check_exactly_where_its_scheme_says(
    doc: d.DocumentType,
    check: Callable[[str], object],
    bases: str,
    detected: Callable[[str, int, int], bool],
    data: st.DataObject,
) -> None:
    base = data.draw(st.from_regex(bases, fullmatch=True))
    canonical = f"{base}-{check(base)}"
    assert doc.normalize(canonical) == canonical
    pos, new = substitution(data, base)
    assert (check(replace_digit(base, pos, new)) != check(base)) == detected(base, pos, new)


@given(seeds, st.data())
def test_dpi_detects_any_substitution_in_serial_or_check(seed: int, data: st.DataObject) -> None:
    number = d.GT_DPI.generate(random.Random(seed))
    pos, new = substitution(data, number, last=8)  # weights 2..9 are all coprime to 11
    assert not d.gt_dpi_is_valid(replace_digit(number, pos, new))


@pytest.mark.parametrize("doc", ALL_TYPES, ids=lambda t: f"{t.code}-{t.example}")
@given(seed=seeds)
def test_generate_yields_canonical_values(doc: d.DocumentType, seed: int) -> None:
    value = doc.generate(random.Random(seed))
    assert doc.normalize(value) == value


noise = st.sampled_from([" ", ".", "  ", ". "])


@st.composite
def noisy(draw: st.DrawFn, canonical: str) -> str:
    """`canonical` with separators sprinkled in, surrounding blanks and random case."""
    out = []
    for char in canonical:
        out.append(char.lower() if draw(st.booleans()) else char)
        if draw(st.booleans()):
            out.append(draw(noise))
    return draw(st.sampled_from(["", " ", "\t"])) + "".join(out) + draw(st.sampled_from(["", " "]))


@pytest.mark.parametrize("doc", ALL_TYPES, ids=lambda t: f"{t.code}-{t.example}")
@given(seed=seeds, data=st.data())
def test_formatting_noise_is_ignored_and_normalize_is_idempotent(
    doc: d.DocumentType, seed: int, data: st.DataObject
) -> None:
    canonical = doc.generate(random.Random(seed))
    raw = data.draw(noisy(canonical))
    assert doc.normalize(raw) == canonical
    assert doc.normalize(doc.normalize(raw)) == canonical


@pytest.mark.parametrize("doc", CHECKED_AT_END, ids=lambda t: f"{t.code}-{t.example}")
@given(seed=seeds)
def test_hyphen_before_check_digit_is_optional(doc: d.DocumentType, seed: int) -> None:
    canonical = doc.generate(random.Random(seed))
    assert doc.normalize(canonical.replace("-", "")) == canonical


@pytest.mark.parametrize("doc", ALL_TYPES, ids=lambda t: f"{t.code}-{t.example}")
@given(raw=st.text(max_size=40))
def test_normalize_is_idempotent_on_any_text(doc: d.DocumentType, raw: str) -> None:
    try:
        canonical = doc.normalize(raw)
    except InvalidParameter:
        return
    assert doc.normalize(canonical) == canonical


@pytest.mark.parametrize(
    ("func", "bad"),
    [
        (d.co_nit_check_digit, "12a"),
        (d.co_nit_check_digit, ""),
        (d.gt_nit_check_char, "１２"),
        (d.sv_dui_check_digit, "1234567"),
    ],
)
def test_check_digit_functions_reject_non_digits_and_bad_lengths(
    func: Callable[[str], object], bad: str
) -> None:
    with pytest.raises(ValueError):
        func(bad)
