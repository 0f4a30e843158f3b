"""The country's calendar: invoices and enrolments are dated where the country is."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from selfcare.countries import Country


def today(country: Country) -> date:
    """Today where the country is (not where the function runs: UTC)."""
    return datetime.now(ZoneInfo(country.timezone)).date()
