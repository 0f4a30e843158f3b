"""schemathesis against api/openapi.yaml: every operation, for Colombia, through the local
runner's WSGI app (template routing, REST proxy events, the functions, moto), with an agent
token holding every scope. Each answer must not be a server error and must match the contract:
a declared status, a declared content type, a body valid against the declared schema (the
`errorBody` of a 4xx included).

Path parameters (and card tokens / identities in bodies) are mostly those of one claimed
sandbox customer (tests/support/claims.py), so requests reach real data and writes change
nobody else's; the rest stay as generated, to keep the 400/404 paths honest too. Bounded
(MAX_EXAMPLES per operation, plus schemathesis' coverage phase) and derandomized: the same
requests on every run.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from local import demo
from tests.conftest import AS_OF, ROOT
from tests.support.claims import claim
from tests.support.openapi import ContractSpec

COUNTRY = "co"
BASE_PATH = f"/v1/tigo/home/{COUNTRY}"
MAX_EXAMPLES = 12
SPEC = ContractSpec.load()


@schemathesis.check
def declared_in_the_contract(ctx, response, case):
    """The project's own reading of the contract (tests/support/openapi.py), stricter than
    schemathesis': the catch-all `default` response declares no status, and an `errorBody`
    must carry `code` equal to the HTTP status."""
    if case.method.upper() != case.operation.method.upper():
        return None  # schemathesis probing a method the path does not have
    SPEC.validate_response(
        case.method,
        urlsplit(response.request.url).path,
        response.status_code,
        response.content,
        next((v[0] for k, v in response.headers.items() if k.lower() == "content-type"), ""),
    )
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,  # a method the path does not declare: 405 with Allow
    declared_in_the_contract,
]


def _rich(customer: dict[str, Any]) -> dict[str, Any] | None:
    """The customer's contract with the most to read and write, if it has everything."""
    if not customer.get("cardTokens"):
        return None
    for contract in customer["contracts"]:
        if (
            contract.get("recurringBilling")
            and contract.get("paperless")
            and demo.voice_line(contract) is not None
            and demo.online_paid(contract) is not None
        ):
            return contract
    return None


CUSTOMER = claim(COUNTRY, lambda customer: _rich(customer) is not None)


def real_values() -> dict[str, str]:
    """Concrete values for every path parameter, from the claimed customer's data."""
    contract = _rich(CUSTOMER)
    assert contract is not None
    return demo.values_of(COUNTRY, CUSTOMER, contract)


schema = schemathesis.openapi.from_path(ROOT / "api" / "openapi.yaml")
schema.config.update(base_url=f"http://localhost{BASE_PATH}")
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
REAL = real_values()


@schema.hook
def flatmap_path_parameters(context, parameters):
    if not parameters:
        return st.just(parameters)
    known = {**parameters, **{k: v for k, v in REAL.items() if k in parameters}}
    # Three in four requests name real data; the rest keep what was generated.
    return st.sampled_from([known, known, known, parameters])


CARD_TOKENS = [card["cardToken"] for card in CUSTOMER["cardTokens"]]


@schema.hook
def flatmap_body(context, body):
    if not isinstance(body, dict) or not {"cardToken", "customerId", "documentType"} & set(body):
        return st.just(body)

    def known(card_token: str) -> dict[str, Any]:
        real = {
            "cardToken": card_token,
            "customerId": CUSTOMER["customerId"],
            "documentType": CUSTOMER["documentType"],
        }
        return {**body, **{k: v for k, v in real.items() if k in body}}

    # As for paths: mostly the claimed customer's own cards and identity, sometimes as generated.
    return st.one_of(st.sampled_from(CARD_TOKENS).map(known), st.just(body))


def _dataset_ids() -> set[str]:
    ids: set[str] = set()
    for customer, contract in demo.contracts(COUNTRY, AS_OF):
        ids.update({str(customer["customerId"]), str(contract["contractId"])})
        ids.update({str(contract["billingAccountId"]), str(contract["subscriptionNumber"])})
        ids.update(str(invoice["invoiceId"]) for invoice in contract["invoices"])
    return ids - set(REAL.values())


OTHERS = _dataset_ids()


def _spare_unclaimed_data(case) -> None:
    """Writes reach the claimed customer or nobody. Only the flatmap hook above puts real ids
    in paths, and the coverage phase (spec examples, boundary values) bypasses it; none of
    those is a sandbox id today (checked), so this only guards against that changing."""
    for name, value in (case.path_parameters or {}).items():
        if str(value) in OTHERS and name in REAL:
            case.path_parameters[name] = REAL[name]


@pytest.fixture(scope="module")
def _spool_token(gateway, agent_token):
    """A real signed download token, issued by the API itself (it expires: minted per run)."""
    from werkzeug.test import Client

    path = demo.concrete("/billing/contracts/{contractId}/invoices/spool/{invoiceId}/url", REAL)
    response = Client(gateway).get(
        BASE_PATH + path, headers={"Authorization": f"Bearer {agent_token}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    url = response.get_json()["URL"]
    REAL["token"] = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    yield REAL["token"]
    del REAL["token"]


@pytest.fixture(autouse=True)
def _through_the_local_runner(gateway, _spool_token):
    # The WSGI app exists only once the stacks are built (a session fixture).
    schema.app = gateway


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_the_contract(case, gateway, agent_token):
    if case.method.upper() not in {"GET", "HEAD", "OPTIONS"}:
        _spare_unclaimed_data(case)
    headers = {"Authorization": f"Bearer {agent_token}"}
    if case.operation.path.endswith("/pdf") or case.operation.path.startswith("/billing/spool/"):
        # As the PDF operations' descriptions ask: API Gateway answers bytes only when the first
        # Accept type is binary (test_a_pdf_is_a_pdf_for_apps_and_browsers below).
        headers["Accept"] = "application/pdf"
    case.headers = {**(case.headers or {}), **headers}
    case.call_and_validate(checks=CHECKS, app=gateway)


PDF_PATHS = [
    "/billing/spool/documents/{token}",
    "/billing/contracts/{contractId}/invoices/spool/{invoiceId}/pdf",
    "/billing/billingaccounts/{billingAccountId}/invoices/spool/{invoiceId}/pdf",
]


@pytest.mark.parametrize(
    "accept", ["application/pdf", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]
)
@pytest.mark.parametrize("template", PDF_PATHS)
def test_a_pdf_is_a_pdf_for_apps_and_browsers(client, template, accept):
    """An app asking for the PDF, and a browser opening a spool link, both get its bytes."""
    path = demo.concrete(template, REAL)
    response = client.get(BASE_PATH + path, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    SPEC.validate_response(
        "GET", path, response.status_code, response.get_data(), response.headers["Content-Type"]
    )
