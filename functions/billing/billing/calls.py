"""Call detail records of a voice line, between two dates, both inclusive."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from selfcare import params
from selfcare.countries import Country
from selfcare.errors import InvalidParameter, NotFound
from selfcare.ports import BillingSystem, ContractRef, Record

MAX_RANGE = timedelta(days=366)
LOCAL = "Local"


def calls(
    billing: BillingSystem,
    contract: ContractRef,
    line: str,
    query: Mapping[str, str],
    *,
    local_only: bool = False,
    country: Country,
) -> list[Record]:
    if local_only and not country.local_calls:
        raise NotFound(f"Local calls are not itemized in {country.name}")
    start, end = params.query_date(query, "fromDate"), params.query_date(query, "toDate")
    if end < start:
        raise InvalidParameter("toDate", "must not be earlier than fromDate")
    if end - start > MAX_RANGE:
        raise InvalidParameter("toDate", "the range may span at most 366 days")
    national = _national(line, country)
    if national not in contract.lines:
        raise NotFound(f"Line {line} has no data in contract {contract.contract_id}")
    found = billing.calls(contract.contract_id, national, start, end)
    if local_only:
        found = [call for call in found if call.get("destinationType") == LOCAL]
    return found


def _national(line: str, country: Country) -> str:
    """Lines are kept as national numbers; callers may send them in E.164 (+57...)."""
    digits = line.lstrip("+")
    if line.startswith("+") and digits.startswith(country.calling_code):
        return digits[len(country.calling_code) :]
    return digits
