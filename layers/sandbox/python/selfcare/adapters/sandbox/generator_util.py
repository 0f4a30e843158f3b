"""Helpers of the sandbox generator: collision-free ids, dates, model dumps."""

from __future__ import annotations

import calendar
import hashlib
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from selfcare.adapters.sandbox.data_common import MONTHS, CountryData
from selfcare.countries import Country

DATETIME = "%Y-%m-%d %H:%M:%S"  # the contract's `format: dateTime`


@dataclass(frozen=True)
class Ctx:
    """What every part of the generator needs: the country, its data and the reference day."""

    country: Country
    data: CountryData
    as_of: date

    def rng(self, *parts: object) -> random.Random:
        """A private random stream per purpose; never depends on as_of."""
        return random.Random(":".join([self.country.code, *map(str, parts)]))

    @property
    def now(self) -> datetime:
        return datetime.combine(self.as_of, datetime.min.time())

    def digits(self, key: int, length: int, purpose: str) -> str:
        """A `length`-digit id for `purpose`, unique per key within the country."""
        return digits_id(key, length, f"{self.country.code}:{purpose}")

    def line(self, key: int, prefix: str, purpose: str) -> str:
        """A national phone number starting with `prefix`, unique per key and prefix."""
        length = self.country.phone_plan.length
        return line_number(key, prefix, length, f"{self.country.code}:{purpose}")


def dump(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """`data` validated by its contract model, as the model dumps it (no None fields)."""
    return model.model_validate(data).model_dump(exclude_none=True)


# --- ids: a keyed permutation makes distinct keys give distinct ids, without a registry ---


def _round(value: int, half_bits: int, salt: str, n: int) -> int:
    digest = hashlib.blake2b(f"{salt}:{n}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest) & ((1 << half_bits) - 1)


def permute(key: int, size: int, salt: str) -> int:
    """A pseudo-random bijection of range(size) (Feistel network with cycle walking)."""
    if not 0 <= key < size:
        raise ValueError(f"key {key} outside range({size})")
    bits = max(2, (size - 1).bit_length())
    half = (bits + 1) // 2
    mask = (1 << half) - 1
    value = key
    while True:
        left, right = value >> half, value & mask
        for n in range(4):
            left, right = right, left ^ _round(right, half, salt, n)
        value = (left << half) | right
        if value < size:
            return value


def digits_id(key: int, length: int, salt: str) -> str:
    """A `length`-digit number without leading zero, unique per key."""
    low = 10 ** (length - 1)
    return str(low + permute(key, 9 * low, salt))


def line_number(key: int, prefix: str, length: int, salt: str) -> str:
    """A national phone number `prefix` + subscriber part starting 2-9, unique per key."""
    rest = length - len(prefix)
    low = 2 * 10 ** (rest - 1)
    return prefix + str(low + permute(key, 10**rest - low, salt))


# --- dates ---------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day (Jan 31 + 1 -> Feb 28)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def period_name(day: date) -> str:
    """The Spanish month and year: "Octubre 2026"."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def stamp(moment: datetime) -> str:
    return moment.strftime(DATETIME)


def between(rng: random.Random, first: date, last: date) -> date:
    """A day in [first, last] (first when last is earlier)."""
    return first + timedelta(days=int(rng.random() * (max((last - first).days, 0) + 1)))
