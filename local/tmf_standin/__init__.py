"""A TM Forum Open API (v4) stand-in: the BSS of a country, serving the sandbox dataset as
TMF resources (`python -m local.tmf_standin`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from local.tmf_standin.server import TmfStandIn

COUNTRIES = ("co", "gt", "sv")


def standin(
    as_of: date, customers: int, port: int = 0, countries: tuple[str, ...] = COUNTRIES
) -> TmfStandIn:
    """A stand-in (not started) serving each country's sandbox dataset as of `as_of`."""
    from local.tmf_standin.engine import Bss
    from local.tmf_standin.server import TmfStandIn
    from selfcare.adapters.sandbox.generator import generate_dataset
    from selfcare.countries import get_country

    return TmfStandIn(
        {
            country: Bss(
                generate_dataset(country, as_of, customers), get_country(country).utc_offset
            )
            for country in countries
        },
        port=port,
    )
