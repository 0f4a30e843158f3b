"""What the contract says each read means, checked against the sandbox dataset itself."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from local import demo
from tests.conftest import AS_OF

BASE = "/v1/tigo/home"


def get(client, country, path, **kwargs):
    response = client.get(f"{BASE}/{country}{path}", **kwargs)
    return response.status_code, (
        response.get_json(silent=True) if response.is_json else response.get_data()
    )


def three_contracts(country):
    return demo.demo_customers(country, AS_OF)[0]


@pytest.mark.parametrize("country", ["co", "gt", "sv"])
def test_invoices_default_to_one_the_most_recent_and_allow_up_to_five(client, country):
    customer = three_contracts(country)
    contract = customer["contracts"][0]
    newest_first = [i["invoiceId"] for i in reversed(contract["invoices"])]
    path = f"/billing/contracts/{contract['contractId']}/invoices/"
    assert [i["invoiceId"] for i in get(client, country, path)[1]] == newest_first[:1]
    status, five = get(client, country, path, query_string={"limit": "5"})
    assert status == 200 and [i["invoiceId"] for i in five] == newest_first[:5]
    for bad in ("0", "6", "x"):
        status, body = get(client, country, path, query_string={"limit": bad})
        assert status == 400 and "limit" in body["message"] and body["code"] == 400


@pytest.mark.parametrize("country", ["co", "gt", "sv"])
def test_invoices_by_customer_come_from_the_first_contract_only(client, country):
    customer = three_contracts(country)
    first, *others = customer["contracts"]
    path = (
        f"/billing/doc-type/{customer['documentType']}/customers/{customer['customerId']}/invoices"
    )
    status, invoices = get(client, country, path, query_string={"limit": 5})
    assert status == 200 and {i["contractId"] for i in invoices} == {first["contractId"]}
    other_invoice = others[0]["invoices"][-1]["invoiceId"]
    assert get(client, country, f"{path}/{other_invoice}")[0] == 200  # by id: any of its contracts


@pytest.mark.parametrize("country", ["co", "gt", "sv"])
def test_contracts_and_products_by_customer_span_all_contracts(client, country):
    customer = three_contracts(country)
    doc = f"doc-type/{customer['documentType'].lower()}/customers/{customer['customerId']}"
    status, contracts = get(client, country, f"/billing/{doc}/contracts/")
    assert status == 200
    assert [c["contractId"] for c in contracts] == [c["contractId"] for c in customer["contracts"]]
    all_products = [p for c in customer["contracts"] for p in c["products"]]
    status, products = get(client, country, f"/portfolio/{doc}/", query_string={"limit": 99})
    assert status == 200 and len(products) == len(all_products)
    assert len(get(client, country, f"/portfolio/{doc}/")[1]) == min(9, len(all_products))


@pytest.mark.parametrize("country", ["co", "gt", "sv"])
def test_balance_is_the_sum_of_what_is_outstanding(client, country):
    contract = three_contracts(country)["contracts"][0]
    unpaid = [i for i in contract["invoices"] if not i["hasPayment"]]
    status, balance = get(client, country, f"/billing/contracts/{contract['contractId']}/balance")
    assert status == 200 and unpaid
    assert Decimal(str(balance["dueAmount"])) == sum(Decimal(i["dueAmount"]) for i in unpaid)
    assert balance["dueInvoicesCount"] == len(unpaid)
    assert balance["dueDate"] == min(i["dueDate"] for i in unpaid).isoformat()


def test_calls_are_filtered_by_inclusive_dates_and_local_calls_exist_only_in_colombia(client):
    _, contract = demo.find("co", AS_OF, lambda cu, co: demo.voice_line(co) is not None)
    line = demo.voice_line(contract)
    calls = [c for c in contract["calls"] if c["measuringElement"] == line]
    day = date.fromisoformat(calls[len(calls) // 2]["dateTimeStart"][:10])
    expected = [c for c in calls if c["dateTimeStart"][:10] == day.isoformat()]
    path = f"/billing/contracts/{contract['contractId']}/measuringElement/{line}"
    status, found = get(
        client, "co", f"{path}/calls/", query_string={"fromDate": day, "toDate": day}
    )
    assert status == 200 and len(found) == len(expected) >= 1
    status, local = get(
        client,
        "co",
        f"{path}/localcalls/",
        query_string={"fromDate": AS_OF - timedelta(days=200), "toDate": AS_OF},
    )
    assert status == 200 and local and {c["destinationType"] for c in local} == {"Local"}
    for query, name in (
        ({"fromDate": day}, "toDate"),
        ({"toDate": day}, "fromDate"),
        ({"fromDate": "2026-02-30", "toDate": day}, "fromDate"),
    ):
        status, body = get(client, "co", f"{path}/calls/", query_string=query)
        assert status == 400 and name in body["message"]
    status, body = get(
        client,
        "co",
        f"{path}/calls/",
        query_string={"fromDate": day, "toDate": day - timedelta(days=1)},
    )
    assert status == 400
    assert (
        get(
            client,
            "co",
            f"/billing/contracts/{contract['contractId']}/measuringElement/3000000000/calls/",
            query_string={"fromDate": day, "toDate": day},
        )[0]
        == 404
    )
    _, gt_contract = demo.find("gt", AS_OF, lambda cu, co: demo.voice_line(co) is not None)
    gt_path = f"/billing/contracts/{gt_contract['contractId']}/measuringElement/{demo.voice_line(gt_contract)}"
    status, body = get(
        client, "gt", f"{gt_path}/localcalls/", query_string={"fromDate": day, "toDate": day}
    )
    assert status == 404 and "Guatemala" in body["message"]


@pytest.mark.parametrize(
    ("country", "id_type"), [("gt", "subscriptions"), ("sv", "billingaccounts")]
)
def test_paperless_by_id_type_only_where_the_country_uses_it(client, country, id_type):
    _, contract = demo.find(country, AS_OF, lambda cu, co: bool(co.get("paperless")))
    own = (
        contract["subscriptionNumber"]
        if id_type == "subscriptions"
        else contract["billingAccountId"]
    )
    base = f"/billing/contracts/{contract['contractId']}"
    status, info = get(client, country, f"{base}/{id_type}/{own}/paperlessInvoiceInfo")
    assert status == 200 and info["subcriptionStatusId"] == 1 and info["email"]
    other = "billingaccounts" if id_type == "subscriptions" else "subscriptions"
    assert get(client, country, f"{base}/{other}/{own}/paperlessInvoiceInfo")[0] == 400
    assert get(client, country, f"{base}/{id_type}/99999999/paperlessInvoiceInfo")[0] == 404
    _, co_contract = demo.find("co", AS_OF, lambda cu, co: bool(co.get("paperless")))
    status, body = get(
        client,
        "co",
        f"/billing/contracts/{co_contract['contractId']}/subscriptions/1/paperlessInvoiceInfo",
    )
    assert status == 404 and "Colombia" in body["message"]
    _, unsubscribed = demo.find(country, AS_OF, lambda cu, co: not co.get("paperless"))
    assert (
        get(
            client, country, f"/billing/contracts/{unsubscribed['contractId']}/paperlessInvoiceInfo"
        )[0]
        == 404
    )


def test_a_pending_payment_answers_202_and_a_finished_one_200(client):
    customer = three_contracts("co")
    contract = customer["contracts"][0]
    pending = [i for i in contract["invoices"] if not i["hasPayment"]][-1]
    path = f"/billing/contracts/{contract['contractId']}/invoices/{pending['invoiceId']}/checkOut"
    status, body = get(client, "co", path)
    assert status == 202 and body["code"] == 202
    _, paid_contract = demo.find("co", AS_OF, lambda cu, co: demo.online_paid(co) is not None)
    invoice = demo.online_paid(paid_contract)
    status, info = get(
        client,
        "co",
        f"/billing/contracts/{paid_contract['contractId']}/invoices/{invoice['invoiceId']}/checkOut",
    )
    assert status == 200 and info["paymentApproved"] is True and info["paymentStatus"] == 4
    assert Decimal(str(info["paymentAmount"])) == Decimal(invoice["invoiceAmount"])
    assert get(client, "co", f"{path}/unknown-token-123")[0] == 404


def test_the_invoice_pdf_is_a_real_document_of_that_invoice(client):
    customer = three_contracts("co")
    contract = customer["contracts"][0]
    invoice = contract["invoices"][-1]
    path = f"/billing/contracts/{contract['contractId']}/invoices/spool/{invoice['invoiceId']}/pdf"
    response = client.get(f"{BASE}/co{path}", headers={"Accept": "application/pdf"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.get_data())).pages[0].extract_text()
    name = customer["customer"]["customerInfo"]["name"]
    assert invoice["invoiceId"] in text and name in text
    assert f"{int(invoice['invoiceAmount']):,}".replace(",", ".") in text
    # Without Accept: application/pdf, API Gateway hands back the base64 text instead.
    plain = client.get(f"{BASE}/co{path}")
    assert plain.status_code == 200 and plain.get_data().startswith(b"JVBERi0")
    by_account = client.get(
        f"{BASE}/co/billing/billingaccounts/{contract['billingAccountId']}/invoices/spool/{invoice['invoiceId']}/pdf",
        headers={"Accept": "application/pdf"},
    )
    assert by_account.status_code == 200
    assert PdfReader(io.BytesIO(by_account.get_data())).pages[0].extract_text() == text


def test_spool_links_download_the_pdf_until_tampered_with(client):
    customer = three_contracts("gt")
    contract = customer["contracts"][0]
    invoice = contract["invoices"][0]
    status, link = get(
        client,
        "gt",
        f"/billing/contracts/{contract['contractId']}/invoices/spool/{invoice['invoiceId']}/url",
    )
    assert status == 200 and "/v1/tigo/home/gt/billing/spool/documents/" in link["URL"]
    document_path = link["URL"].split("://", 1)[1].split("/", 1)[1]
    pdf = client.get("/" + document_path, headers={"Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF-")
    assert invoice["invoiceId"] in PdfReader(io.BytesIO(pdf.get_data())).pages[0].extract_text()
    tampered = client.get("/" + document_path[:-3] + "AAA")
    assert tampered.status_code == 403 and tampered.get_json()["code"] == 403
    status, dates = get(
        client, "gt", f"/billing/contracts/{contract['contractId']}/invoices/spool/billingDates/"
    )
    assert status == 200 and dates == sorted(
        {i["creationDate"].isoformat() for i in contract["invoices"]}, reverse=True
    )
    status, by_date = get(
        client,
        "gt",
        f"/billing/contracts/{contract['contractId']}/invoices/spool/billingDates/{dates[-1]}/url",
    )
    assert status == 200 and by_date["URL"].startswith("http")
    assert (
        get(
            client,
            "gt",
            f"/billing/contracts/{contract['contractId']}/invoices/spool/billingDates/2001-01-01/url",
        )[0]
        == 404
    )
    assert (
        get(
            client,
            "gt",
            f"/billing/contracts/{contract['contractId']}/invoices/spool/billingDates/yesterday/url",
        )[0]
        == 400
    )
