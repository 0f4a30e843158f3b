"""Who may call what, for every routed operation: only a valid token of the owner, with the
operation's scope, gets through; every other caller gets an errorBody 401 or 403."""

from __future__ import annotations

import time

import pytest
from werkzeug.test import Client

from local import auth, demo
from selfcare import scopes
from tests.conftest import AS_OF
from tests.support.openapi import ContractSpec

SPEC = ContractSpec.load()
COUNTRY = "co"
BASE = f"/v1/tigo/home/{COUNTRY}"


def routed(gateway) -> list[tuple[str, str]]:
    """(method, contract path template) of every authorized route of the stack."""
    found = []
    for route in gateway.routes[COUNTRY]:
        if route.authorizer is None:
            continue
        template = route.path.removeprefix(scopes.BASE)
        document = next(
            (p for m, p, _ in SPEC.operations() if m == route.method and p.rstrip("/") == template),
            None,
        )
        assert document is not None, route
        found.append((route.method, document))
    return sorted(found)


def owner_of(template: str):
    values = demo.path_values(COUNTRY, AS_OF, template)
    customer = next(
        c
        for c in demo.customers(COUNTRY, AS_OF)
        if c["customerId"] == values["customerId"]
        or any(k["contractId"] == values["contractId"] for k in c["contracts"])
    )
    return values, customer


def someone_else(customer) -> dict:
    return next(
        c for c in demo.customers(COUNTRY, AS_OF) if c["customerId"] != customer["customerId"]
    )


def tokens(template: str, method: str, customer) -> dict[str, str | None]:
    needed = scopes.required(method, scopes.BASE + template)
    other = someone_else(customer)
    own = dict(doc_type=customer["documentType"], doc_number=customer["customerId"])
    return {
        "no token": None,
        "expired": auth.mint(**own, now=int(time.time()) - 7200, ttl=600),
        "another key": auth.other_key_token(**own),
        "another customer": auth.customer_token(other["documentType"], other["customerId"]),
        "missing scope": auth.mint(
            **own, scopes=[s for s in auth.ALL_CUSTOMER_SCOPES if s != needed]
        ),
        "right": auth.customer_token(
            customer["documentType"], customer["customerId"], scopes=[needed]
        ),
    }


EXPECTED = {
    "no token": 401,
    "expired": 401,
    "another key": 401,
    "another customer": 403,
    "missing scope": 403,
}


def test_the_matrix_covers_every_authorized_route(gateway):
    assert len(routed(gateway)) >= 34


@pytest.mark.parametrize("index", range(34))
def test_only_the_owner_with_the_scope_gets_through(gateway, index):
    operations = routed(gateway)
    method, template = operations[index]
    values, customer = owner_of(template)
    path = BASE + demo.concrete(template, values)
    query = demo.query_for(template, AS_OF)
    client = Client(gateway)
    for name, token in tokens(template, method, customer).items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if template.endswith("/pdf"):
            headers["Accept"] = "application/pdf"
        response = client.open(path, method=method, headers=headers, query_string=query)
        if name == "right":
            # Colombia has no idType routes: for the owner that is the contract's 404, not a refusal
            success = (404,) if "{idType}" in template else (200, 201, 202)
            assert response.status_code in success, (template, response.get_data(as_text=True))
            continue
        assert response.status_code == EXPECTED[name], (
            name,
            method,
            template,
            response.get_data(as_text=True),
        )
        body = response.get_json()
        assert body["code"] == response.status_code and body["message"]


def test_a_customer_cannot_probe_which_contracts_exist(gateway):
    customer = demo.demo_customers(COUNTRY, AS_OF)[1]
    token = auth.customer_token(customer["documentType"], customer["customerId"])
    someone = demo.demo_customers(COUNTRY, AS_OF)[0]["contracts"][0]["contractId"]
    client = Client(gateway)
    answers = [
        client.get(
            f"{BASE}/billing/contracts/{contract}/balance",
            headers={"Authorization": f"Bearer {token}"},
        )
        for contract in (someone, "99999999")
    ]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].get_json() == answers[1].get_json()


def test_an_unreadable_header_is_401_without_calling_the_authorizer(gateway):
    client = Client(gateway)
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "token"):
        response = client.get(
            f"{BASE}/billing/contracts/1/balance", headers={"Authorization": header}
        )
        assert response.status_code == 401 and response.get_json()["code"] == 401


def test_the_download_link_needs_no_token(gateway):
    assert ("GET", "/billing/spool/documents/{token}") not in routed(gateway)
