"""Whatever a caller sends, the answer is an errorBody with the right status, never a 500:
malformed ids, query values and headers 400 naming the parameter, unknown ids 404, unknown
routes 404."""

from __future__ import annotations

import json
import string
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local import demo, samples
from tests.conftest import AS_OF
from tests.support.claims import claim
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
        ("PATCH", "/v1/tigo/home/co/billing/contracts/1/nothing"),  # 405 where it exists
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


# Digits of other scripts and forms: str.isdigit() and int() accept some of them (int("٣") is
# 3) and not others (int("²") fails), and only ASCII digits are numbers in this API.
OTHER_DIGITS = "²³¹٣۳१１߃"
PUNCTUATION = "-._~!$&'()*+,;=:@%<>\"{}|\\^` ñé"
SEGMENT = st.text(
    alphabet=string.ascii_letters + string.digits + OTHER_DIGITS + PUNCTUATION,
    min_size=1,
    max_size=80,
).filter(lambda s: s not in (".", ".."))
# Numerals alone (a random segment seldom is all digits): "²", "٣", "1２"...
NUMERAL = st.text(alphabet=string.digits + OTHER_DIGITS, min_size=1, max_size=13)
VALUE = st.one_of(NUMERAL, SEGMENT)
# Header values as a client may send them: an ETag is "3" or W/"3", keys are opaque text.
HEADER_VALUE = st.one_of(
    NUMERAL,
    NUMERAL.map(lambda n: f'"{n}"'),
    NUMERAL.map(lambda n: f'W/"{n}"'),
    st.text(
        alphabet=string.ascii_letters + string.digits + OTHER_DIGITS + PUNCTUATION, max_size=140
    ),
)
HEADERS = st.dictionaries(st.sampled_from(["If-Match", "Idempotency-Key"]), HEADER_VALUE)


def test_a_limit_is_ascii_digits_only(client):
    """int() takes "٣" for 3 and str.isdigit() takes "²": neither is a limit here."""
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]["contractId"]
    path = f"{BASE}/co/billing/contracts/{contract}/invoices/"
    for value in ("²", "³", "٣", "１", "1٣", "²1", "0", "6", "-1", "+1", " 1", "1.0"):
        response = client.get(path, query_string={"limit": value})
        assert response.status_code == 400, (value, response.get_data(as_text=True))
        assert "limit" in error(response)
    assert len(client.get(path, query_string={"limit": "2"}).get_json()) == 2


LIMITED = sorted(
    path
    for method, path, op in SPEC.operations()
    if method == "GET" and any(p.get("name") == "limit" for p in op.get("parameters", []))
)


@pytest.mark.parametrize("template", LIMITED)
def test_an_empty_limit_is_400_naming_it_not_the_default(client, template):
    """`?limit=` is not an integer (the OpenAPI's schema refuses it): 400, as for any other
    malformed value, on every operation that takes a limit."""
    assert len(LIMITED) == 5
    path = demo.concrete(template, demo.path_values("co", AS_OF, template))
    response = client.get(f"{BASE}/co{path}", query_string="limit=")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "'limit'" in error(response)
    assert client.get(f"{BASE}/co{path}").status_code == 200


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
    query=st.dictionaries(st.sampled_from(["limit", "fromDate", "toDate"]), VALUE, max_size=3),
    headers=HEADERS,
)
def test_no_path_query_or_header_value_reaches_a_500(client, template, values, query, headers):
    from urllib.parse import quote

    filled = demo.path_values("co", AS_OF, template)
    filled.update({k: v for k, v in values.items()})
    path = demo.concrete(template, {k: quote(v, safe="") for k, v in filled.items()})
    response = client.get(BASE + "/co" + path, query_string=query, headers=headers)
    assert response.status_code < 500, (path, query, headers, response.get_data(as_text=True))
    if response.status_code >= 400:
        error(response)


# Changes whose headers mean something: If-Match (paperless PUT and DELETE, by contract and
# by idType) and Idempotency-Key (every POST), with valid bodies so the headers are reached.
WRITES = (
    [
        (country, operation)
        for country in ("co", "gt", "sv")
        for operation in (
            "CreatePaperlessInvoiceInfoByContractId",
            "UpdatePaperlessInvoiceInfoByContractId",
            "DeletePaperlessInvoiceInfoByContractId",
        )
    ]
    + [
        (country, operation)
        for country in ("gt", "sv")
        for operation in (
            "CreatePaperlessInvoiceInfoByContractIdandAndIdTypeAndId",
            "UpdatePaperlessInvoiceInfoByContractIdAndIdTypeAndId",
            "DeletePaperlessInvoiceInfoByContractIdandSubscriptionNumber",
        )
    ]
    + [("co", "AddEmailContactInformationByContractId"), ("co", "CreateCardTokenForCustomerId")]
)


@cache
def write_customer(country: str, operation: str) -> dict:
    """One customer per country for all its paperless changes, one per other operation."""
    if "Paperless" in operation:
        return paperless_customer(country)
    return claim(country, samples.BY_OPERATION[operation].suits)


@cache
def paperless_customer(country: str) -> dict:
    return claim(country, samples.BY_OPERATION["UpdatePaperlessInvoiceInfoByContractId"].suits)


@pytest.mark.parametrize("etag", ["²", '"³"', 'W/"²"', '"٣"', "１", '"1٣"'])
def test_an_if_match_is_ascii_digits_only(client, etag):
    country, operation = "co", "UpdatePaperlessInvoiceInfoByContractId"
    sample = samples.BY_OPERATION[operation]
    customer = write_customer(country, operation)
    values = {**samples.customer_values(country, customer), **sample.values(country, customer)}
    response = client.put(
        f"{BASE}/{country}" + demo.concrete(sample.template, values),
        headers={"If-Match": etag},
        data=json.dumps(sample.body(country, customer)),
        content_type="application/json",
    )
    assert response.status_code == 400, (etag, response.get_data(as_text=True))
    assert "If-Match" in error(response)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(write=st.sampled_from(WRITES), headers=HEADERS)
def test_no_header_value_of_a_change_reaches_a_500(client, write, headers):
    country, operation = write
    sample = samples.BY_OPERATION[operation]
    customer = write_customer(country, operation)
    values = {**samples.customer_values(country, customer), **sample.values(country, customer)}
    response = client.open(
        f"{BASE}/{country}" + demo.concrete(sample.template, values),
        method=sample.method,
        headers=headers,
        data=json.dumps(sample.body(country, customer)),
        content_type="application/json",
    )
    assert response.status_code < 500, (write, headers, response.get_data(as_text=True))
    if response.status_code >= 400:
        error(response)


LIMIT = 16 * 1024  # README "Who may call what": request bodies are limited to 16 KiB


def padded(size: int, pad: str = " ") -> bytes:
    """A JSON body of exactly `size` bytes that the partial invoice POST reads and refuses
    (400 naming `amount`): padding inside a string, so nothing is ever written."""
    head, tail = b'{"amount": 0, "note": "', b'"}'
    room = size - len(head) - len(tail)
    unit = pad.encode()
    body = head + unit * (room // len(unit)) + b" " * (room % len(unit)) + tail
    assert len(body) == size
    return body


def partial_invoice(client, data: bytes, content_type: str):
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]["contractId"]
    return client.post(
        f"{BASE}/co/billing/contracts/{contract}/invoices", data=data, content_type=content_type
    )


def test_the_body_limit_counts_bytes_not_characters(client):
    emoji = padded(LIMIT + 1, "😀")  # 4 bytes each: about 4,100 characters, over 16 KiB
    assert len(emoji.decode()) < LIMIT < len(emoji)
    refused = partial_invoice(client, emoji, "application/json")
    assert refused.status_code == 413 and "16 KiB" in error(refused)
    within = partial_invoice(client, padded(LIMIT, "é"), "application/json")
    assert within.status_code == 400 and "amount" in error(within)


def test_a_body_delivered_base64_counts_its_decoded_size(client):
    # API Gateway delivers a text/html body base64-encoded (a binary media type): 16 KiB of
    # JSON arrives as about 21,800 characters, and is still within the limit.
    within = partial_invoice(client, padded(LIMIT), "text/html")
    assert within.status_code == 400 and "amount" in error(within)
    over = partial_invoice(client, padded(LIMIT + 1), "text/html")
    assert over.status_code == 413 and "16 KiB" in error(over)
