"""PCI-safe and secret-safe logging: no card number, CVV, card token, JWT or secret value
reaches a log line. Card numbers appear at most as first 6 + "XXXXXX" + last 4.

`redact` walks a structure (values under sensitive keys are dropped, card numbers under
card-number keys masked, every string scanned by `redact_text`); `RedactingFormatter` applies
it to the whole Powertools log record (message, extras, appended keys, exception, stack
trace) right before serialization. Everything here is on the logging hot path: patterns are
compiled once, short strings take a fast path.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

REDACTED = "[redacted]"
MASK = "XXXXXX"

# Compared case-insensitively and ignoring '_' and '-'.
SENSITIVE_KEYS: frozenset[str] = frozenset(
    {
        "cardNumber", "pan", "cardVerificationValue", "cvv", "cvc", "cvv2", "securityCode",
        "cardToken", "token", "accessToken", "idToken", "refreshToken", "authorization",
        "apiKey", "x-api-key", "secret", "clientSecret", "notificationSecret", "password",
        "signature", "sign", "privateKey", "SecretString",
        # beyond the brief: other credential carriers
        "passwd", "SecretBinary", "cookie", "set-cookie", "proxy-authorization",
        "SecretAccessKey", "SessionToken",
    }
)  # fmt: skip
# Keys ending like these are sensitive too (sessionToken, webhookSecret, x-amz-signature...).
_SENSITIVE_SUFFIXES = (
    "token", "secret", "password", "signature", "apikey", "privatekey", "securitycode",
    "cvv", "cvv2", "cvc", "authorization",
)  # fmt: skip
_CARD_KEYS = frozenset({"cardnumber", "pan"})  # values masked, not dropped
_CARD_SUFFIX = "cardnumber"  # creditCardNumber, maskedCardNumber


def _normalize(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


_SECRET, _CARD = 1, 2
_SENSITIVE = frozenset(_normalize(key) for key in SENSITIVE_KEYS) - _CARD_KEYS
_KIND_CACHE: dict[str, int] = {}  # field names, bounded; never keys that hold long digit runs


def _key_kind(key: str) -> int:
    """0: an ordinary key; _SECRET: drop its value; _CARD: mask its value."""
    kind = _KIND_CACHE.get(key)
    if kind is not None:
        return kind
    norm = _normalize(key)
    if norm in _CARD_KEYS or norm.endswith(_CARD_SUFFIX):
        kind = _CARD
    elif norm in _SENSITIVE or norm.endswith(_SENSITIVE_SUFFIXES):
        kind = _SECRET
    else:
        kind = 0
    if len(_KIND_CACHE) < 1024 and len(key) <= 40 and not _LONG_DIGITS.search(key):
        _KIND_CACHE[key] = kind
    return kind


def _hint(words: frozenset[str]) -> re.Pattern[str]:
    """Matches any normalized text in which one of `words` (or a key ending with one) occurs."""
    minimal = {word for word in words if not any(other in word for other in words - {word})}
    return re.compile("|".join(sorted(minimal)))


_KEY_HINT = _hint(_SENSITIVE | _CARD_KEYS | {_CARD_SUFFIX, *_SENSITIVE_SUFFIXES})
# What people type between a card's groups of digits: space, '-', '.', '_' or '/'. Any one
# of them between digits joins a run (so "4111.1111.1111.1111" is one number); _has_pan
# then tells card-like groupings from invoice ids, dates, phones and amounts.
_SEPARATORS = " ._/-"
_LONG_DIGITS = re.compile(rf"[0-9][0-9{_SEPARATORS}]{{11}}")  # where 13 digits might start


# --- card numbers ------------------------------------------------------------------------

_NON_DIGITS = re.compile(r"[^0-9]")
_MASKED = re.compile(r"[0-9]{0,6}X{4,}[0-9]{0,4}")  # an already masked number may stay
_ASCII_DIGITS = re.compile(r"[0-9]+")
# The one Luhn check of the code base (card validation, the sandbox gateway's vault and the
# PayU stand-in call `luhn_valid`). It is ours, not python-stdnum's `stdnum.luhn`, because
# this module loads at every cold start and `import stdnum.luhn` drags in stdnum.util, which
# imports pydoc and pkgutil: +15 to 40 ms of `python -X importtime` on a handler that
# already has inspect and ssl (billing cold start is ~110 ms), against 0 for these lines;
# the loop is also about 3x faster per number than stdnum's, and log scanning calls it on
# every 13+ digit run. Tests hold it equal to `stdnum.luhn`.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _luhn(digits: str) -> bool:
    """Luhn over ASCII digits already checked as such (the scanner's hot path)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = ord(char) - 48
        total += _DOUBLED[n] if position & 1 else n
    return total % 10 == 0


def luhn_valid(number: str) -> bool:
    """Whether `number` is ASCII digits only (at least one) and passes the Luhn check."""
    return bool(_ASCII_DIGITS.fullmatch(number)) and _luhn(number)


SHORTEST_PAN = 12  # digits of the shortest card number a gateway takes


def holds_card_number(text: str) -> bool:
    """Whether free text a caller sends could hold a card number: that many digits, however
    separated, Luhn-valid or mistyped. Names and banks never do; text kept and echoed back
    (a card's printed name, a bank) must not."""
    return sum(char.isdecimal() for char in text) >= SHORTEST_PAN


def mask_pan(number: str) -> str:
    """First 6 + XXXXXX + last 4 for a card number; "XXXX" + at most the last 4 when shorter
    than 13 digits. Anything but ASCII digits is ignored."""
    digits = _NON_DIGITS.sub("", number)
    if len(digits) >= 13:
        return f"{digits[:6]}{MASK}{digits[-4:]}"
    return "XXXX" + (digits[-4:] if len(digits) > 4 else "")


def _has_pan(groups: list[str]) -> bool:
    """Whether contiguous groups of a digit run (split at single separators) form a
    Luhn-valid 13-19 digit number: one group alone, or groups printed like cards (every
    group 3-6 digits but the last, 1-6), so lists of ids, phones and dates do not qualify."""
    lengths = [len(group) for group in groups]
    for i in range(len(groups)):
        total = 0
        for j in range(i, len(groups)):
            if j > i and not 3 <= lengths[j - 1] <= 6:
                break
            total += lengths[j]
            if total > 19:
                break
            if total >= 13 and (j == i or lengths[j] <= 6) and _luhn("".join(groups[i : j + 1])):
                return True
    return False


# --- free text ---------------------------------------------------------------------------

_KEY_VALUE = re.compile(
    r"""(?<![\w-])(?P<key>[A-Za-z][\w-]*)\\?["']?\s*[:=]\s*
    (?=(?P<value>
        \\"(?:[^"\\]|\\(?!"))*\\"         # \"escaped JSON\"
      | "(?:[^"\\]|\\.)*"
      | '(?:[^'\\]|\\.)*'
      | (?:(?i:bearer|basic|digest)\s+)?["']?[^\s"'\\,;&<>(){}\[\]]+
    ))""",
    re.ASCII | re.VERBOSE,
)
# A credential after "Bearer": token characters, long enough not to be prose ("bearer token").
_BEARER = re.compile(r"""\b(?i:bearer)\s+[-A-Za-z0-9._~+/=]{12,}""", re.ASCII)
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*(?:\.[\w-]+\.[\w-]+)?", re.ASCII)
_DIGIT_RUN = re.compile(rf"(?<![0-9])[0-9](?:[{_SEPARATORS}]?[0-9]){{12,}}")  # 13+ digits
_SEPARATOR = re.compile(f"[{_SEPARATORS}]")
# X-Ray trace ids can hold a Luhn-valid digit run (UUIDs cannot: their groups are not
# printed like a card's, see _has_pan).
_TRACE_ID = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}")


def _digit_run(match: re.Match[str]) -> str:
    run = match[0]
    if not _has_pan(_SEPARATOR.split(run)):
        return run
    text, start, end = match.string, *match.span()  # is the run part of a trace id?
    while start and (text[start - 1].isalnum() or text[start - 1] == "-"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "-"):
        end += 1
    if _TRACE_ID.fullmatch(text, start, end):
        return run
    # The whole run is masked: at most 6 leading and 4 trailing digits of any card in it show.
    return mask_pan(run)


def _secret_text(value: str, kind: int) -> str:
    for quote in ('\\"', '"', "'"):
        if len(value) >= 2 * len(quote) and value.startswith(quote) and value.endswith(quote):
            return quote + _secret_value(value[len(quote) : -len(quote)], kind) + quote
    return _secret_value(value, kind)


def _redact_pairs(text: str) -> str:
    parts: list[str] = []
    pos = 0
    for match in _KEY_VALUE.finditer(text):
        # The value is matched in a lookahead, so pairs nested in an ordinary value
        # (url=...?token=x) are still found; those inside a replaced value are skipped.
        if match.start() < pos or not (kind := _key_kind(match["key"])):
            continue
        parts += (text[pos : match.start("value")], _secret_text(match["value"], kind))
        pos = match.end("value")
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def redact_text(text: str) -> str:
    """`text` with JWTs, bearer credentials, Luhn-valid card numbers and the values of
    sensitive `key=value` / `"key": "value"` pairs replaced."""
    if len(text) < 5:
        return text
    lower = text.lower()
    # Cheap hints first: most log strings hold none of what the full patterns look for.
    if ("=" in text or ":" in text) and _KEY_HINT.search(lower.replace("_", "").replace("-", "")):
        text = _redact_pairs(text)
    if "earer" in lower:
        text = _BEARER.sub("Bearer " + REDACTED, text)
    if "eyj" in lower:
        text = _JWT.sub("[jwt]", text)
    if _LONG_DIGITS.search(text):
        text = _DIGIT_RUN.sub(_digit_run, text)
    return text


# --- structures --------------------------------------------------------------------------

_MAX_DEPTH = 64
_PLAIN = (bool, date, time, UUID)  # nothing to redact (datetime is a date)
_PLAIN_TYPES = frozenset({*_PLAIN, datetime, type(None)})  # exact types, for a fast path
_NUMBERS = (int, float, Decimal)
_SMALL = 10**12


def _secret_value(value: Any, kind: int) -> Any:
    """What stays of a value under a sensitive key."""
    if value is None or (isinstance(value, str) and not value):
        return value
    if kind == _CARD:
        text = str(value) if type(value) is int else value
        if isinstance(text, str):
            digits = _SEPARATOR.sub("", text)
            if digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19:
                return mask_pan(digits)
            if _MASKED.fullmatch(text):
                return text
    return REDACTED


def _redact_number(value: Any) -> Any:
    """A card number logged as a number (4111111111111111 or 4111111111111111.0) is masked."""
    try:
        if _SMALL <= abs(value) < 10**19 and value == int(value):
            digits = str(int(abs(value)))
            if _luhn(digits):
                return mask_pan(digits)
    except (ArithmeticError, ValueError):  # NaN, infinity
        pass
    return value


def _redact(value: Any, default: Callable[[Any], Any], depth: int, active: set[int]) -> Any:
    kind = type(value)  # exact-type checks first: the common small dicts of scalars stay fast
    if kind is str:
        return redact_text(value)
    if kind in _PLAIN_TYPES:
        return value
    if kind is int or kind is float or kind is Decimal:
        return _redact_number(value)
    if kind is dict or kind is list or kind is tuple:
        pass
    elif isinstance(value, str):
        return redact_text(value)
    elif value is None or isinstance(value, _PLAIN):
        return value
    elif isinstance(value, _NUMBERS):
        return _redact_number(value)
    elif isinstance(value, bytes | bytearray | memoryview):
        return redact_text(bytes(value).decode("utf-8", "replace"))
    elif not isinstance(value, dict | list | tuple | set | frozenset | Mapping):
        try:  # anything else is logged as the JSON default (str) renders it
            rendered = default(value)
        except Exception:
            return f"[{type(value).__name__}]"
        if rendered is value:
            return f"[{type(value).__name__}]"
        return _redact(rendered, default, depth + 1, active)

    if id(value) in active:
        return "[cycle]"
    if depth >= _MAX_DEPTH:
        return "[too deep]"
    active.add(id(value))
    try:
        if isinstance(value, Mapping):
            result: dict[Any, Any] = {}
            for key, item in value.items():
                if isinstance(key, str):
                    sensitive = _key_kind(key)
                    if len(key) >= 13 or not key.isidentifier():  # else no room for a secret
                        key = redact_text(key)
                    if sensitive:
                        result[key] = _secret_value(item, sensitive)
                        continue
                else:
                    key = _redact(key, default, depth + 1, active)
                item_type = type(item)
                if item_type is str:
                    result[key] = redact_text(item)
                elif item_type in _PLAIN_TYPES or (item_type is int and -_SMALL < item < _SMALL):
                    result[key] = item
                else:
                    result[key] = _redact(item, default, depth + 1, active)
            return result
        items = [_redact(item, default, depth + 1, active) for item in value]
        if isinstance(value, list):
            return items
        if isinstance(value, tuple):
            return tuple(items)
        return frozenset(items) if isinstance(value, frozenset) else set(items)
    finally:
        active.discard(id(value))


def redact(value: Any) -> Any:
    """A redacted copy of `value` (dicts, lists, tuples, sets, strings, bytes, at any depth):
    values under SENSITIVE_KEYS become "[redacted]" (card numbers under card-number keys are
    masked instead), strings go through `redact_text`, other objects are rendered with str()
    first. The input is never mutated."""
    return _redact(value, str, 0, set())


# --- Powertools --------------------------------------------------------------------------


# Keys Powertools fills from the Lambda context and environment, never from a request.
_TRUSTED = frozenset(
    {
        "level", "location", "timestamp", "service", "sampling_rate", "cold_start",
        "function_name", "function_memory_size", "function_arn", "function_request_id",
        "xray_trace_id",
    }
)  # fmt: skip
_SCALARS = (str, int, bool, type(None))


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, redacting the complete record before serialization.

    `serialize` receives the dict `format` built: standard keys, message, appended and
    extra keys, exception text and stack trace. A record that fails to format is logged
    as a minimal redacted line instead of going to logging's handleError, which would
    print the raw message and arguments to stderr.
    """

    def serialize(self, log: Any) -> str:
        if not isinstance(log, dict):
            return super().serialize(_redact(log, self.json_default, 0, set()))
        # What Powertools itself fills in from the Lambda context and environment holds no
        # caller data: only the rest (message, extra and appended keys) is walked.
        rest = {k: v for k, v in log.items() if k not in _TRUSTED or type(v) not in _SCALARS}
        redacted = _redact(rest, self.json_default, 0, set())
        merged = {
            k: redacted.pop(k) if k in rest else log[k]
            for k in log
            if k in redacted or k not in rest
        }
        merged.update(redacted)  # keys the redaction renamed (a card number as a key)
        return super().serialize(merged)

    def format(self, record: logging.LogRecord) -> str:
        try:
            return super().format(record)
        except Exception as error:
            try:
                message = redact_text(str(record.msg))
            except Exception:
                message = "[unprintable message]"
            fallback = {
                "level": record.levelname,
                "location": f"{record.funcName}:{record.lineno}",
                "message": message,
                "log_error": f"{type(error).__name__} while formatting this record",
            }
            return json.dumps(fallback, ensure_ascii=False)
