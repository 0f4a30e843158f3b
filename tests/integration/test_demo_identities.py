"""The README's demo identities: its table lists exactly the generated ones, quotes only their
own ids, and their walk (tests/support/walk.py, run on both backends by
tests/conformance/test_backends.py: every GET each one has data for, as the household itself,
every answer held to api/openapi.yaml) reaches every read a country answers.

The source of truth for the demo identities is the sandbox generator
(`selfcare.adapters.sandbox.generator.DEMOS`: the first customers of each country carry a
`demo` description), read through `local.demo.demo_customers`; the README's table must list
exactly those, in that order.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from local import demo
from tests.conftest import AS_OF, ROOT
from tests.support.walk import (
    ID_TYPE_READ,
    LOCAL_CALLS,
    READS,
    lines_of,
    not_applicable,
    seeded_checkouts,
)

COUNTRIES = ("co", "gt", "sv")


# --- the demo identities -------------------------------------------------------------------


def demo_identities() -> list[tuple[str, dict[str, Any]]]:
    return [(country, c) for country in COUNTRIES for c in demo.demo_customers(country, AS_OF)]


IDENTITIES = demo_identities()


def readme_table() -> list[tuple[str, str, str]]:
    """(country, document, what to try) for each row of README's "Demo identities" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Demo identities", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in COUNTRIES:
            rows.append((cells[0], cells[1], cells[2]))
    return rows


def test_the_readme_lists_exactly_the_generated_demo_identities():
    listed = [(country, document) for country, document, _ in readme_table()]
    generated = [(country, f"{c['documentType']} {c['customerId']}") for country, c in IDENTITIES]
    assert listed == generated
    assert Counter(country for country, _ in generated) == {"co": 6, "gt": 6, "sv": 6}


def test_the_readme_names_only_ids_and_lines_of_that_identity():
    """Contract ids and phone lines quoted in "what to try" belong to the identity's own
    contracts (a reader pastes them into requests made with that identity's token)."""
    for (country, document, what), (_, customer) in zip(readme_table(), IDENTITIES, strict=True):
        own = {c["contractId"] for c in customer["contracts"]}
        own |= {line for c in customer["contracts"] for line in lines_of(c)}
        quoted = set(re.findall(r"\b[0-9]{7,}\b", what))
        assert quoted <= own, (country, document, quoted - own)
        if "answers 202" in what:  # "a payment in process": the walk below asks for it
            pending = {k for k, status in seeded_checkouts(country).items() if status == "pending"}
            assert {contract for contract, _ in pending} & quoted, (country, document)


def test_every_country_demo_walk_reaches_every_read_the_country_answers():
    """Across a country's demo identities, every read it answers is walked at least once:
    only the idType paperless reads in Colombia and local calls outside it are left out."""
    for country in COUNTRIES:
        customers = [c for k, c in IDENTITIES if k == country]
        skipped = set.intersection(*(not_applicable(country, c) for c in customers))
        expected = {ID_TYPE_READ} if country == "co" else {LOCAL_CALLS}
        assert skipped == expected, country
    assert len(READS) == 34
