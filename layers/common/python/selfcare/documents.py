"""Identity documents: grammars, check digits and sandbox generators.

Pure functions and `DocumentType` values; which country uses which type lives in
`selfcare.countries` only. Canonical numbers are storage keys: `normalize` is idempotent and
`generate` returns canonical values.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass

from selfcare.errors import InvalidParameter

_PARAM = "customerId"
_MAX_INPUT = 64  # longer input is rejected before any parsing
_NOISE = re.compile(r"[\s.]+")  # inner spaces and dots are formatting only
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() accepts "²" and other scripts
_ALNUM = re.compile(r"[A-Z0-9]+")


class _DocumentError(ValueError):
    """What is wrong with a number; `DocumentType.normalize` adds the type's name."""


def _digits(base: str, lengths: range) -> list[int]:
    if len(base) not in lengths or not _DIGITS.fullmatch(base):
        raise ValueError(f"expected {lengths.start} to {lengths[-1]} ASCII digits")
    return [int(c) for c in base]


# --- Check digits -------------------------------------------------------------------------
# The NITs' check digits are python-stdnum's (stdnum.co.nit, stdnum.gt.nit), imported when a
# NIT is first parsed or generated: `import stdnum...` costs 15 to 40 ms (stdnum.util loads
# pydoc), which no cold start should pay for a document type few requests carry. These
# functions keep our own input checks (ASCII digits, lengths): stdnum's silently accept what
# they should not (co.nit's weights end at 15 digits and zip drops the rest).

_CO_NIT_DIGITS = range(1, 16)  # DIAN's weights (Orden Administrativa 4 de 1989) cover 15


def co_nit_check_digit(base: str) -> int:
    """Colombian NIT dígito de verificación: r = Σ dᵢ·wᵢ mod 11 with DIAN's prime weights
    from the rightmost digit; r if r < 2 else 11 − r."""
    _digits(base, _CO_NIT_DIGITS)
    from stdnum.co import nit  # lazily: see above

    return int(nit.calc_check_digit(base))


def gt_nit_check_char(base: str) -> str:
    """Guatemalan NIT (SAT): (−Σ dᵢ·wᵢ) mod 11, weights 2, 3, … from the right; 10 is "K"."""
    _digits(base, range(1, 13))
    from stdnum.gt import nit  # lazily: see above

    return nit.calc_check_digit(base)


def sv_dui_check_digit(base: str) -> int:
    """Salvadoran DUI (RNPN): 10 − (Σ dᵢ·(9 − i) mod 10) over the 8 digits; 10 is 0."""
    digits = _digits(base, range(8, 9))
    return (10 - sum(d * (9 - i) for i, d in enumerate(digits)) % 10) % 10


# Municipalities per department (01 Guatemala … 22 Jutiapa), INE's 340 municipalities since
# 2015: Escuintla 14 (Sipacate) and Huehuetenango 33 (Petatán); older copies of the RENAP
# routine still say 13 and 32.
_GT_MUNICIPALITIES = (
    17, 8, 16, 16, 14, 14, 19, 8, 24, 21, 9,  # 01 Guatemala … 11 Retalhuleu
    30, 33, 21, 8, 17, 14, 5, 11, 11, 7, 17,  # 12 San Marcos … 22 Jutiapa
)  # fmt: skip


def _dpi_check(serial: str) -> int:
    return sum(int(d) * w for d, w in zip(serial, range(2, 10), strict=True)) % 11


def _dpi_problem(number: str) -> str | None:
    """Why a 13-character CUI is invalid, or None.

    RENAP's CUI: 8-digit serial, check digit, 2-digit department, 2-digit municipality of
    registration. Check = Σ serial digit · (2..9, left to right) mod 11; a result of 10 is
    never issued. This is the routine RENAP specifies and public-sector validators reproduce
    (e.g. MINFIN's CuiValidator "según las especificaciones de RENAP", the `cuiIsValid` JS).
    """
    if len(number) != 13 or not _DIGITS.fullmatch(number):
        return f"it must have 13 digits, not {min(len(number), _MAX_INPUT)} characters"
    department, municipality = int(number[9:11]), int(number[11:13])
    if not 1 <= department <= len(_GT_MUNICIPALITIES):
        return f"department {number[9:11]} (digits 10-11) does not exist: 01 to 22"
    count = _GT_MUNICIPALITIES[department - 1]
    if not 1 <= municipality <= count:
        return (
            f"municipality {number[11:13]} (digits 12-13) does not exist:"
            f" department {number[9:11]} has 01 to {count:02d}"
        )
    if _dpi_check(number[:8]) != int(number[8]):
        return "the check digit does not match"
    return None


def gt_dpi_is_valid(number: str) -> bool:
    """True for a valid 13-digit CUI/DPI without separators."""
    return _dpi_problem(number) is None


# --- Grammars -----------------------------------------------------------------------------


_BASE = "the number before the check digit"


def _split_check(text: str) -> tuple[str, str]:
    """(base, check char); a hyphen before the check char is optional."""
    base, hyphen, check = text.rpartition("-")
    if not hyphen:
        base, check = text[:-1], text[-1:]
    elif len(check) != 1 or "-" in base:
        raise _DocumentError("a hyphen is only allowed before the check digit")
    if not base:
        raise _DocumentError(f"{_BASE} is missing")
    return base, check


def _numeric(text: str, lengths: range, *, part: str = "it") -> str:
    if not _DIGITS.fullmatch(text):
        raise _DocumentError(f"{part} must contain only digits")
    if len(text) not in lengths:
        count = str(lengths.start) if len(lengths) == 1 else f"{lengths.start} to {lengths[-1]}"
        raise _DocumentError(f"{part} must have {count} digits")
    return text


def _no_leading_zero(text: str, part: str = "it") -> str:
    if text.startswith("0"):
        raise _DocumentError(f"{part} must not start with 0")
    return text


def _parse_cc(text: str) -> str:
    return _no_leading_zero(_numeric(text, range(3, 11)))


def _parse_ce(text: str) -> str:
    # Migración Colombia issues CE numbers as plain serials; systems that zero-pad them to a
    # fixed width add nothing, so leading zeros are dropped to keep one key per document.
    _numeric(text, range(1, _MAX_INPUT))
    return _numeric(text.lstrip("0"), range(3, 11), part="apart from leading zeros it")


def _parse_co_nit(text: str) -> str:
    base, check = _split_check(text)
    _no_leading_zero(_numeric(base, range(8, 11), part=_BASE), _BASE)
    if check != str(co_nit_check_digit(base)):
        raise _DocumentError("the check digit does not match")
    return f"{base}-{check}"


def _parse_gt_nit(text: str) -> str:
    base, check = _split_check(text)
    _numeric(base, range(1, _MAX_INPUT), part=_BASE)
    # SAT omits leading zeros; at most 12 characters with the check character (FEL rules).
    base = _numeric(base.lstrip("0"), range(1, 12), part=f"apart from leading zeros {_BASE}")
    if check != gt_nit_check_char(base):
        raise _DocumentError("the check character does not match")
    return f"{base}-{check}"


def _parse_dpi(text: str) -> str:
    number = text.replace("-", "")
    problem = _dpi_problem(number)
    if problem:
        raise _DocumentError(problem)
    return number


def _parse_dui(text: str) -> str:
    base, check = _split_check(text)
    _numeric(base, range(8, 9), part=_BASE)  # leading zeros are part of it
    if check != str(sv_dui_check_digit(base)):
        raise _DocumentError("the check digit does not match")
    return f"{base}-{check}"


def _parse_sv_nit(text: str) -> str:
    # 4-digit municipality + DDMMYY + 3-digit serial + check digit. The check digit is not
    # verified: stdnum.sv.nit describes one (two weightings, before and after serial 100),
    # but no Ministerio de Hacienda text confirms it, and turning it on would refuse NITs
    # already stored (the sandbox's are generated without it), so it is a decision of its own.
    return _numeric(text.replace("-", ""), range(14, 15))


def _alnum(lengths: range, *, hyphens: bool = False) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if hyphens:
            text = text.replace("-", "")
        if not _ALNUM.fullmatch(text):
            raise _DocumentError("it must contain only letters A-Z and digits")
        if len(text) not in lengths:
            raise _DocumentError(f"it must have {lengths.start} to {lengths[-1]} characters")
        return text

    return parse


# --- Generators (sandbox data) ------------------------------------------------------------


def _fixed(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _gen_cc(rng: random.Random) -> str:
    # Since 2003 cédulas have 10 digits starting with 10; older ones have 8.
    return rng.choice(("10" + _fixed(rng, 8), str(rng.randint(10_000_000, 99_999_999))))


def _gen_co_nit(rng: random.Random) -> str:
    base = str(rng.randint(800_000_000, 999_999_999))  # companies: 8xx and 9xx
    return f"{base}-{co_nit_check_digit(base)}"


def _gen_passport(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_uppercase, k=2)) + _fixed(rng, 7)


def _gen_dpi(rng: random.Random) -> str:
    while (check := _dpi_check(serial := _fixed(rng, 8))) == 10:
        pass
    department = rng.randint(1, len(_GT_MUNICIPALITIES))
    municipality = rng.randint(1, _GT_MUNICIPALITIES[department - 1])
    return f"{serial}{check}{department:02d}{municipality:02d}"


def _gen_gt_nit(rng: random.Random) -> str:
    base = str(rng.randint(100_000, 99_999_999))
    return f"{base}-{gt_nit_check_char(base)}"


def _gen_dui(rng: random.Random) -> str:
    base = _fixed(rng, 8)
    return f"{base}-{sv_dui_check_digit(base)}"


def _gen_sv_nit(rng: random.Random) -> str:
    place = f"{rng.randint(1, 14):02d}{rng.randint(1, 20):02d}"
    born = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(0, 99):02d}"
    return place + born + _fixed(rng, 4)


# --- Document types -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentType:
    code: str  # upper-case, as responses carry it
    name: str  # Spanish name
    has_check_digit: bool
    example: str  # canonical example, quoted in error messages
    parser: Callable[[str], str]  # cleaned, upper-case text -> canonical; raises _DocumentError
    generator: Callable[[random.Random], str]

    def normalize(self, raw: str) -> str:
        """The canonical number, or InvalidParameter("customerId", ...) saying what is wrong."""
        try:
            if not isinstance(raw, str):
                raise _DocumentError("it must be a string")
            text = raw.strip()
            if len(text) > _MAX_INPUT:
                raise _DocumentError(f"it is too long (at most {_MAX_INPUT} characters)")
            text = _NOISE.sub("", text)
            if not text:
                raise _DocumentError("it is empty")
            if not text.isascii():  # before upper(): "ß".upper() == "SS"
                raise _DocumentError("it must contain only letters A-Z, digits and separators")
            return self.parser(text.upper())
        except _DocumentError as bad:
            raise InvalidParameter(
                _PARAM, f"{self.code} ({self.name}): {bad}; expected e.g. {self.example}"
            ) from None

    def generate(self, rng: random.Random) -> str:
        """A valid canonical number."""
        return self.generator(rng)


CO_CC = DocumentType("CC", "Cédula de ciudadanía", False, "1020304050", _parse_cc, _gen_cc)
CO_CE = DocumentType(
    "CE", "Cédula de extranjería", False, "456789", _parse_ce,
    lambda rng: str(rng.randint(100_000, 9_999_999)),
)  # fmt: skip
CO_NIT = DocumentType(
    "NIT", "Número de Identificación Tributaria", True, "800197268-4", _parse_co_nit, _gen_co_nit
)
# NE: "NIT de extranjería", the tax id of a foreign person or company without a Colombian
# NIT (DIAN type 42/50). Foreign ids vary (RFC, EIN, RUC…): 3-20 letters and digits.
CO_NE = DocumentType(
    "NE", "NIT de extranjería", False, "RFC800101ABC", _alnum(range(3, 21), hyphens=True),
    lambda rng: _gen_passport(rng) + _fixed(rng, 3),
)  # fmt: skip
PASSPORT = DocumentType("PAS", "Pasaporte", False, "AB1234567", _alnum(range(5, 21)), _gen_passport)
GT_DPI = DocumentType(
    "DPI", "Documento Personal de Identificación", True, "2456789050101", _parse_dpi, _gen_dpi
)
GT_NIT = DocumentType(
    "NIT", "Número de Identificación Tributaria", True, "576937-K", _parse_gt_nit, _gen_gt_nit
)
SV_DUI = DocumentType(
    "DUI", "Documento Único de Identidad", True, "04567890-3", _parse_dui, _gen_dui
)
# has_check_digit is False: the number ends in one, but it is not verified (see above).
SV_NIT = DocumentType(
    "NIT", "Número de Identificación Tributaria", False, "06140101901015", _parse_sv_nit,
    _gen_sv_nit,
)  # fmt: skip
