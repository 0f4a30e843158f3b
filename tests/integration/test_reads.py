"""Every read of the contract, in every country, answered from the sandbox through the
local runner (template routing, REST proxy events, the functions, moto), and every answer
valid against api/openapi.yaml."""

from __future__ import annotations

import pytest

from local import demo
from tests.conftest import AS_OF
from tests.support.openapi import ContractSpec

SPEC = ContractSpec.load()
READS = sorted(
    path
    for method, path, op in SPEC.operations()
    if method == "GET" and not op.get("x-non-contract")
)
COUNTRIES = ("co", "gt", "sv")


def expected_status(country: str, template: str) -> int:
    if "{idType}" in template and country == "co":
        return 404  # Colombia subscribes paperless invoices by contractId only
    if "localcalls" in template and country != "co":
        return 404  # local calls are itemized only in Colombia
    if template.endswith("/checkOut"):
        return 200
    return 200


@pytest.mark.parametrize("template", READS)
@pytest.mark.parametrize("country", COUNTRIES)
def test_every_read_answers_and_matches_the_contract(client, country, template):
    values = demo.path_values(country, AS_OF, template)
    path = demo.concrete(template, values)
    headers = {"Accept": "application/pdf"} if template.endswith("/pdf") else {}
    response = client.get(
        f"/v1/tigo/home/{country}{path}",
        query_string=demo.query_for(template, AS_OF),
        headers=headers,
    )
    assert response.status_code == expected_status(country, template), response.get_data(
        as_text=True
    )
    SPEC.validate_response(
        "GET", path, response.status_code, response.get_data(), response.headers["Content-Type"]
    )


def test_the_read_walk_covers_the_contract():
    assert len(READS) == 34
