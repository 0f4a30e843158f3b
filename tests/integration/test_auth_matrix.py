"""Who may call what, for every routed operation: only a valid token of the owner, with the
operation's scope, gets through; every other caller gets an errorBody 401 or 403.

Operations run in Colombia, except the paperless `{idType}/{id}` ones, which only countries
that subscribe by idType answer: they run in Guatemala (subscriptions) and El Salvador
(billingaccounts), so the owner's token succeeds on every operation."""

from __future__ import annotations

import json
import time

import pytest
from werkzeug.test import Client

from local import auth, demo, samples
from selfcare import scopes
from tests.conftest import AS_OF
from tests.support.claims import claim
from tests.support.openapi import ContractSpec

SPEC = ContractSpec.load()
COUNTRY = "co"
ID_TYPE_COUNTRIES = ("gt", "sv")  # subscriptions, billingaccounts
BASE = f"/v1/tigo/home/{COUNTRY}"
OPERATIONS = sorted(
    (method, path, op["operationId"])
    for method, path, op in SPEC.operations()
    if not op.get("x-non-contract")
)
EXPECTED = {
    "no token": 401,
    "expired": 401,
    "another key": 401,
    "another customer": 403,
    "missing scope": 403,
}


def countries_of(template: str) -> tuple[str, ...]:
    return ID_TYPE_COUNTRIES if "{idType}" in template else (COUNTRY,)


def tokens(country: str, template: str, method: str, customer) -> dict[str, str | None]:
    needed = scopes.required(method, scopes.BASE + template)
    other = next(
        c for c in demo.customers(country, AS_OF) if c["customerId"] != customer["customerId"]
    )
    own = {"doc_type": customer["documentType"], "doc_number": customer["customerId"]}
    return {
        "no token": None,
        "expired": auth.mint(**own, now=int(time.time()) - 7200, ttl=600),
        "another key": auth.other_key_token(**own),
        "another customer": auth.customer_token(other["documentType"], other["customerId"]),
        "missing scope": auth.mint(
            **own, scopes=[s for s in scopes.ALL if s not in (needed, scopes.AGENT)]
        ),
        "right": auth.customer_token(
            customer["documentType"], customer["customerId"], scopes=[needed]
        ),
    }


def request_for(country: str, method: str, template: str, operation_id: str):
    """(customer, concrete path, query, body, success statuses) for one operation."""
    if method == "GET":
        values = demo.path_values(country, AS_OF, template)
        customer = next(
            c
            for c in demo.customers(country, AS_OF)
            if c["customerId"] == values["customerId"]
            or any(k["contractId"] == values["contractId"] for k in c["contracts"])
        )
        return (
            customer,
            demo.concrete(template, values),
            demo.query_for(template, AS_OF),
            None,
            (200, 202),
        )
    sample = samples.BY_OPERATION[operation_id]
    customer = claim(country, sample.suits)
    values = {**samples.customer_values(country, customer), **sample.values(country, customer)}
    path = demo.concrete(template, values)
    return customer, path, {}, sample.body(country, customer), (sample.status,)


def test_the_matrix_covers_every_operation_of_the_contract():
    assert len(OPERATIONS) == 55
    assert len(ROUTED) == 55
    assert {case[1:] for case in CASES} == set(ROUTED)
    id_type = [case for case in CASES if "{idType}" in case[2]]
    assert len(id_type) == 8 and {case[0] for case in id_type} == set(ID_TYPE_COUNTRIES)
    assert all(case[0] == COUNTRY for case in CASES if "{idType}" not in case[2])


def routed_operations() -> list[tuple[str, str, str]]:
    from local.stack import Stack

    routed = {(r.method, r.path.removeprefix(scopes.BASE)) for r in Stack(COUNTRY).routes()}
    return [o for o in OPERATIONS if (o[0], o[1].rstrip("/")) in routed]


ROUTED = routed_operations()
# (country, method, template, operationId): each operation where its owner can succeed
CASES = [(country, *operation) for operation in ROUTED for country in countries_of(operation[1])]


@pytest.mark.parametrize(
    ("country", "method", "template", "operation_id"),
    CASES,
    ids=[case[3] if case[0] == COUNTRY else f"{case[3]}-{case[0]}" for case in CASES],
)
def test_only_the_owner_with_the_scope_gets_through(
    gateway, country, method, template, operation_id
):
    customer, path, query, body, success = request_for(country, method, template, operation_id)
    client = Client(gateway)
    data = json.dumps(body) if body is not None else None
    for name, token in tokens(country, template, method, customer).items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if template.endswith("/pdf"):
            headers["Accept"] = "application/pdf"
        response = client.open(
            f"/v1/tigo/home/{country}" + path,
            method=method,
            headers=headers,
            query_string=query,
            data=data,
            content_type="application/json" if data else None,
        )
        if name == "right":
            assert response.status_code in success, (operation_id, response.get_data(as_text=True))
            continue
        assert response.status_code == EXPECTED[name], (
            name,
            operation_id,
            response.get_data(as_text=True),
        )
        answer = response.get_json()
        assert answer["code"] == response.status_code and answer["message"]


@pytest.mark.parametrize(
    ("method", "template", "operation_id"),
    [o for o in ROUTED if "{idType}" in o[1]],
    ids=[o[2] for o in ROUTED if "{idType}" in o[1]],
)
def test_colombia_has_no_id_type_routes_even_for_the_owner(gateway, method, template, operation_id):
    """Colombia subscribes by contractId only: its owner's idType request is a 404 errorBody
    (after authorization), not a refusal."""
    customer, path, query, body, _ = request_for(COUNTRY, method, template, operation_id)
    needed = scopes.required(method, scopes.BASE + template)
    token = auth.customer_token(customer["documentType"], customer["customerId"], scopes=[needed])
    response = Client(gateway).open(
        BASE + path,
        method=method,
        headers={"Authorization": f"Bearer {token}"},
        query_string=query,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json" if body is not None else None,
    )
    assert response.status_code == 404, response.get_data(as_text=True)
    assert (
        response.get_json()["code"] == 404 and "contractId only" in response.get_json()["message"]
    )


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


def test_only_the_documented_public_routes_need_no_token(gateway):
    public = {
        (r.method, r.path.removeprefix(scopes.BASE))
        for r in gateway.routes[COUNTRY]
        if r.authorizer is None
    }
    # A public path's ANY method (405 for the methods it does not declare) is public too.
    assert public == set(scopes.PUBLIC) | {("ANY", path) for _, path in scopes.PUBLIC}


def test_enrolling_or_changing_recurring_billing_needs_the_pay_scope(gateway):
    """Recurring billing charges the customer later, by card or (Colombia) by bank debit:
    enrolling or changing it is paying (selfcare.pay), not only writing. Ending it charges
    nothing and needs only selfcare.write (see README "Who may call what")."""
    customer = claim(
        COUNTRY,
        lambda c: (
            bool(c.get("cardTokens")) and not any(k.get("recurringBilling") for k in c["contracts"])
        ),
    )
    own = (customer["documentType"], customer["customerId"])
    card = json.dumps({"cardToken": customer["cardTokens"][0]["cardToken"]})
    debit = json.dumps(
        {"recurringBillingInfo": {"paymentMethod": "1", "cardInfo": "4321", "cardIssuingBank": "B"}}
    )
    path = f"{BASE}/billing/contracts/{customer['contracts'][0]['contractId']}/recurringBillingInfo"
    client = Client(gateway)

    def send(method: str, body: str, *granted: str):
        token = auth.customer_token(*own, scopes=list(granted))
        headers = {"Authorization": f"Bearer {token}"}
        return client.open(
            path, method=method, headers=headers, data=body, content_type="application/json"
        )

    writer = (scopes.READ, scopes.WRITE)
    for method, body in (("POST", card), ("POST", debit), ("PUT", card), ("PUT", debit)):
        refused = send(method, body, *writer)
        assert refused.status_code == 403, (method, refused.get_json())
        assert "selfcare.pay" in refused.get_json()["message"]
    assert send("GET", "", scopes.READ).status_code == 404  # nothing was enrolled

    assert send("POST", debit, scopes.PAY).status_code == 201
    assert send("PUT", card, scopes.PAY).status_code == 200
    assert send("GET", "", scopes.READ).get_json()["paymentMethod"] == "2"  # now by card
    assert send("DELETE", card, scopes.WRITE).status_code == 200
    assert send("GET", "", scopes.READ).status_code == 404
