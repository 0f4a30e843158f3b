"""Base classes, shared field types and the contract's generic bodies.

Every length limit and pattern of the contract lives here, once; the project's OpenAPI
declares the same table. Field types are strict about JSON types (a number sent as a
string, or "true" for a boolean, is an error) and accept `Decimal` where DynamoDB returns
numbers. Validation errors never echo input values: the models hide them in `str(error)`
and `safe_errors` drops them from the items callers turn into 400 messages.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SecretStr,
    StrictBool,
    StrictFloat,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

# --- model configuration ---------------------------------------------------------------

_BASE = ConfigDict(
    defer_build=True,  # a model's validator is built on first use, not at cold start
    hide_input_in_errors=True,  # str(ValidationError) never shows a submitted value
)
# For the RootModel lists (RootModel takes no `extra`).
LIST_CONFIG = ConfigDict(**_BASE)


# Validation context of a request body (selfcare.body): no field of the contract is nullable,
# so an explicit null is refused there, naming the field (an absent optional field is fine).
REQUEST = {"request": True}


class _ContractModel(BaseModel):
    @field_validator("*", mode="before")
    @classmethod
    def _not_null_in_requests(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.context is REQUEST:
            raise PydanticCustomError("not_null", "Input should not be null; leave the field out")
        return value


class RequestModel(_ContractModel):
    """A body the API receives: unknown fields are ignored."""

    model_config = ConfigDict(**_BASE, extra="ignore")


class ResponseModel(_ContractModel):
    """A body only the API sends: unknown fields are our own bug, so they are refused."""

    model_config = ConfigDict(**_BASE, extra="forbid")


class SharedModel(_ContractModel):
    """A body that travels both ways: lenient like a request (unknown fields ignored)."""

    model_config = ConfigDict(**_BASE, extra="ignore")


# --- limits and patterns (the OpenAPI uses the same values) ----------------------------

MAX_ID = 64
MAX_NAME = 100
MAX_EMAIL = 254
MAX_PHONE = 20
MAX_ADDRESS = 200
MAX_URL = 2048
MAX_LONG_TEXT = 500
MAX_IP_ADDRESS = 45
MAX_DOCUMENT_TYPE = 10
MAX_TEXT = 100

# local@domain.tld: no spaces, one "@", a dotted domain without empty labels.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
# The contract's `format: dateTime`, e.g. "2017-05-13 07:30:00". [0-9], not \d: the
# regex engine's \d also matches non-ASCII digits.
DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CARD_NUMBER_PATTERN = r"^[0-9]{12,19}$"
CARD_CVV_PATTERN = r"^[0-9]{3,4}$"
CARD_EXPIRATION_PATTERN = r"^[0-9]{4}(0[1-9]|1[0-2])$"  # YYYYMM


def _text(max_length: int, pattern: str | None = None) -> StringConstraints:
    return StringConstraints(strict=True, max_length=max_length, pattern=pattern)


Id = Annotated[str, _text(MAX_ID)]
Name = Annotated[str, _text(MAX_NAME)]
Email = Annotated[str, _text(MAX_EMAIL, EMAIL_PATTERN)]
Phone = Annotated[str, _text(MAX_PHONE)]
AddressText = Annotated[str, _text(MAX_ADDRESS)]
Url = Annotated[str, _text(MAX_URL)]
LongText = Annotated[str, _text(MAX_LONG_TEXT)]
IpAddress = Annotated[str, _text(MAX_IP_ADDRESS)]
DocumentType = Annotated[str, _text(MAX_DOCUMENT_TYPE)]
Text = Annotated[str, _text(MAX_TEXT)]
DateTimeText = Annotated[str, _text(MAX_TEXT, DATETIME_PATTERN)]
CardExpiration = Annotated[str, _text(MAX_TEXT, CARD_EXPIRATION_PATTERN)]

Bool = StrictBool


# --- numbers and dates -----------------------------------------------------------------


def _integer(value: Any) -> Any:
    # int (bool is an int in Python, not in JSON); integral Decimal comes from DynamoDB, and
    # 7.0 is an integer to JSON Schema (the OpenAPI) as to JSON.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise PydanticCustomError("int_type", "Input should be a valid integer")


def _number(value: Any) -> Any:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("decimal_type", "Input should be a valid number")


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


_DATE = re.compile(DATE_PATTERN)


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_type", "Input should be a date in YYYY-MM-DD format")


Int = Annotated[int, BeforeValidator(_integer), WithJsonSchema({"type": "integer"})]
Int32 = Annotated[Int, Field(ge=-(2**31), le=2**31 - 1)]
# Money: Decimal in Python (DynamoDB stores it as is), a plain JSON number on the wire.
Money = Annotated[
    Decimal,
    BeforeValidator(_number),
    PlainSerializer(_json_number, return_type=int | float, when_used="json"),
    WithJsonSchema({"type": "number"}),
]
PositiveMoney = Annotated[Money, Field(gt=0)]
Duration = Annotated[StrictFloat, Field(allow_inf_nan=False)]
Date = Annotated[
    date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})
]


# --- card data: never in repr, dumps or error messages ----------------------------------


def _secret_digits(regex: str, problem: str) -> BeforeValidator:
    compiled = re.compile(regex)

    def check(value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str):
            raise PydanticCustomError("string_type", "Input should be a valid string")
        if not compiled.fullmatch(value):
            raise PydanticCustomError("card_format", problem)
        return value

    return BeforeValidator(check)


def _secret_schema(regex: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": regex, "writeOnly": True})


# `.get_secret_value()` gives the digits to the gateway adapter; nothing else sees them.
CardNumber = Annotated[
    SecretStr,
    _secret_digits(CARD_NUMBER_PATTERN, "Input should be 12 to 19 digits"),
    _secret_schema(CARD_NUMBER_PATTERN),
]
CardVerificationValue = Annotated[
    SecretStr,
    _secret_digits(CARD_CVV_PATTERN, "Input should be 3 or 4 digits"),
    _secret_schema(CARD_CVV_PATTERN),
]


# --- errors ----------------------------------------------------------------------------


def safe_errors(exc: ValidationError) -> list[dict[str, str]]:
    """The errors of `exc` as {field: "a.b.0.c", problem: "..."}, without input values.

    `field` is "body" when the body as a whole is wrong (not an object, not JSON).
    """
    return [
        {
            "field": ".".join(str(part) for part in error["loc"]) or "body",
            "problem": error["msg"],
        }
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


# --- contract definitions --------------------------------------------------------------


class docTypeEnum(StrEnum):  # noqa: N801 - contract name
    """Document types; responses carry them upper-case ("CC"), so lookup ignores case."""

    cc = "cc"
    ce = "ce"
    nit = "nit"
    pas = "pas"
    ne = "ne"

    @classmethod
    def _missing_(cls, value: object) -> docTypeEnum | None:
        if isinstance(value, str):
            for member in cls:
                if member.value == value.lower():
                    return member
        return None


class errorBody(ResponseModel):  # noqa: N801 - contract name
    code: Int32
    message: LongText


class successBody(ResponseModel):  # noqa: N801 - contract name
    response: LongText | None = None
    message: LongText | None = None


class URLaddress(ResponseModel):
    URL: Url
