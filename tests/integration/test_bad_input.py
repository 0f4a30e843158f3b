"""Whatever a caller sends to a read, the answer is an errorBody with the right status,
never a 500: malformed ids 400 naming the parameter, unknown ids 404, unknown routes 404."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local import demo
from tests.conftest import AS_OF
from tests.support.openapi import ContractSpec

BASE = "/v1/tigo/home"
SPEC = ContractSpec.load()
READS = sorted(p for m, p, op in SPEC.operations() if m == "GET" and not op.get("x-non-contract"))


def error(response):
    body = response.get_json()
    assert set(body) == {"code", "message"} and body["code"] == response.status_code, body
    assert "Traceback" not in body["message"]
    return body["message"]


@pytest.mark.parametrize(
    ("path", "status", "names"),
    [
        ("/billing/contracts/abc$def/invoices/", 400, "contractId"),
        ("/billing/contracts/99999999/invoices/", 404, "99999999"),
        ("/billing/doc-type/xx/customers/123/invoices/", 400, "docTypeId"),
        ("/billing/doc-type/nit/customers/800197268-5/contracts/", 400, "customerId"),
        ("/billing/doc-type/cc/customers/12345/contracts/", 404, "12345"),
        ("/portfolio/contracts/{contractId}/products/abc", 400, "productId"),
        ("/portfolio/contracts/{contractId}/products/999", 404, "999"),
        ("/billing/contracts/{contractId}/invoices/NOPE-1", 404, "NOPE-1"),
        ("/billing/contracts/{contractId}/measuringElement/phone/calls/", 400, "measuringElement"),
        ("/billing/billingaccounts/1/invoices/spool/x/pdf", 404, "billing account"),
        ("/billing/spool/documents/not-a-token", 400, "token"),
        (
            "/billing/contracts/{contractId}/invoices/spool/billingDates/2026-13-01/url",
            400,
            "billingDate",
        ),
    ],
)
def test_malformed_and_unknown_values(client, path, status, names):
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]
    response = client.get(BASE + "/co" + path.replace("{contractId}", contract["contractId"]))
    assert response.status_code == status
    assert names in error(response)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/tigo/home/co/nothing/here"),
        ("GET", "/v1/tigo/home/pe/billing/contracts/1/invoices"),  # a country without a stack
        ("PATCH", "/v1/tigo/home/co/billing/contracts/1/invoices"),
        ("GET", "/v1/tigo/home/co/billing/contracts/1/invoices/2/3/4/5"),
    ],
)
def test_unknown_routes_answer_like_api_gateway_with_an_error_body(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 404 and error(response) == "No such route"


def test_paths_work_with_or_without_trailing_slash_and_without_the_base_path(client):
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]["contractId"]
    answers = [
        client.get(path).get_json()
        for path in (
            f"{BASE}/co/billing/contracts/{contract}/invoices/",
            f"{BASE}/co/billing/contracts/{contract}/invoices",
            f"/billing/contracts/{contract}/invoices",  # the default country
        )
    ]
    assert answers[0] == answers[1] == answers[2] and answers[0][0]["contractId"] == contract


def test_a_contract_of_another_country_is_unknown_here(client):
    gt_contract = demo.demo_customers("gt", AS_OF)[0]["contracts"][0]["contractId"]
    assert client.get(f"{BASE}/gt/billing/contracts/{gt_contract}/balance").status_code == 200
    assert client.get(f"{BASE}/co/billing/contracts/{gt_contract}/balance").status_code == 404


SEGMENT = st.text(
    alphabet=string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%<>\"{}|\\^` ñé",
    min_size=1,
    max_size=80,
).filter(lambda s: s not in (".", ".."))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    template=st.sampled_from(READS),
    values=st.dictionaries(
        st.sampled_from(
            [
                "contractId",
                "invoiceId",
                "docTypeId",
                "customerId",
                "productId",
                "subscriptionNumber",
                "measuringElement",
                "billingAccountId",
                "billingDate",
                "idType",
                "id",
                "paymentToken",
            ]
        ),
        SEGMENT,
    ),
    query=st.dictionaries(st.sampled_from(["limit", "fromDate", "toDate"]), SEGMENT, max_size=3),
)
def test_no_path_or_query_value_reaches_a_500(client, template, values, query):
    from urllib.parse import quote

    filled = demo.path_values("co", AS_OF, template)
    filled.update({k: v for k, v in values.items()})
    path = demo.concrete(template, {k: quote(v, safe="") for k, v in filled.items()})
    response = client.get(BASE + "/co" + path, query_string=query)
    assert response.status_code < 500, (path, query, response.get_data(as_text=True))
    if response.status_code >= 400:
        error(response)
