"""The TMF reads and changes' own logic: a contract's billing account is kept per container
(it never changes), but who owns a contract and its lines are asked of the BSS each time (the
access layer decides how long to trust them); a resource of another shape than asked for is
a 502, never a 500; an invoice's payment is its latest; values in a change's JSON Patch path
are percent-encoded."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import pytest

from selfcare import budget, errors
from selfcare.adapters.tmf import apis
from selfcare.adapters.tmf.changes import Order, TmfChanges
from selfcare.adapters.tmf.client import ClientCredentials, TmfClient
from selfcare.adapters.tmf.reads import TmfReads
from tests.unit.selfcare.adapters.tmf.conftest import A

CONTRACT = {
    "id": "8001",
    "@type": apis.CONTRACT_TYPE,
    "relatedParty": [{"id": "CC-123", "role": "Customer"}],
    "billingAccount": {"id": "BA-1"},
    "productCharacteristic": [
        {"name": "subscriptionNumber", "value": "S-1"},
        {"name": "lines", "value": ["6011111111"]},
    ],
}


class Bss:
    def __init__(self) -> None:
        self.contract = copy.deepcopy(CONTRACT)
        self.asked: list[tuple[str, Any]] = []

    def get(self, path: str, params: Any = None, fields: Any = None) -> Any:
        self.asked.append(("get", path))
        return copy.deepcopy(self.contract) if path == f"{apis.PRODUCT}/8001" else None

    def list(self, path: str, params: Any = None, fields: Any = None, limit: Any = None) -> list:
        self.asked.append(("list", path, dict(params or {})))
        return []


def test_a_contracts_lines_and_owner_are_asked_anew_its_billing_account_is_kept():
    bss = Bss()
    reads = TmfReads(bss, "-05:00")  # type: ignore[arg-type]
    first = reads.find_contract("8001")
    assert first is not None and first.lines == ("6011111111",)
    assert (first.document_type, first.customer_id) == ("CC", "123")

    bss.contract["productCharacteristic"][1]["value"] = ["6011111111", "6012222222"]
    again = reads.find_contract("8001")
    assert again is not None and again.lines == ("6011111111", "6012222222")
    assert len(bss.asked) == 2

    reads.invoices("8001")  # the billing account is known: one list, no lookup
    assert bss.asked[2:] == [
        ("list", apis.CUSTOMER_BILL, {"billingAccount.id": "BA-1", "sort": "-billDate"})
    ]


# --- on a scripted BSS: whatever it sends is never a 500 --------------------------------------

BA = "84257928"
OURS = {**CONTRACT, "billingAccount": {"id": BA}}
BILL = {"id": "cb-1", "billingAccount": {"id": BA}, "billDate": "2026-12-01T00:00:00Z"}
UNREADABLE = r"^The back office answered unreadably$"


@pytest.fixture
def tmf(bss):
    """TmfChanges on the scripted BSS, its contract 8001 (billing account BA) scripted."""
    budget.clear()
    credentials = ClientCredentials("self-care", "s3cr3t", bss.token_url)
    bss.script("GET", f"{apis.PRODUCT}/8001", A(200, OURS))
    return TmfChanges(TmfClient(bss.base_url, lambda: credentials), "-05:00")


def test_a_well_formed_bill_reads(bss, tmf):
    bss.script("GET", f"{apis.CUSTOMER_BILL}/cb-1", A(200, BILL))
    assert tmf.invoice("8001", "cb-1") == {
        "invoiceId": "cb-1",
        "creationDate": "2026-11-30",
        "billingAccountId": Decimal(BA),
    }


@pytest.mark.parametrize(
    ("contract", "bill"),
    [
        (OURS, {**BILL, "billDate": "31/12/2026"}),  # no ISO date: ValueError
        (CONTRACT, {**BILL, "billingAccount": {"id": "BA-1"}}),  # no number: InvalidOperation
    ],
)
def test_a_bill_of_another_shape_is_a_502(bss, tmf, contract, bill):
    bss.script("GET", f"{apis.PRODUCT}/8001", A(200, contract))
    bss.script("GET", f"{apis.CUSTOMER_BILL}/cb-1", A(200, bill))
    with pytest.raises(errors.UpstreamError, match=UNREADABLE) as raised:
        tmf.invoice("8001", "cb-1")
    assert raised.value.status == 502


def test_a_list_that_is_no_list_is_a_502(bss, tmf):
    bss.script("GET", f"{apis.BILLING_ACCOUNT}/{BA}", A(200, {"contact": [{"contactMedium": 5}]}))
    with pytest.raises(errors.UpstreamError, match=UNREADABLE):
        tmf.contact_information("8001")


@pytest.mark.parametrize(
    "contract",
    [
        {k: v for k, v in OURS.items() if k != "billingAccount"},
        {**OURS, "billingAccount": {"id": None}},
        {k: v for k, v in OURS.items() if k != "id"},
        {**OURS, "productCharacteristic": [{"name": "lines", "value": 6011111111}]},
    ],
)
def test_a_contract_without_its_id_billing_account_or_lines_list_is_a_502(bss, tmf, contract):
    bss.script("GET", f"{apis.PRODUCT}/8001", A(200, contract))
    with pytest.raises(errors.UpstreamError, match=UNREADABLE):
        tmf.find_contract("8001")
    with pytest.raises(errors.UpstreamError, match=UNREADABLE):
        tmf.invoices("8001")  # no "None" account kept, nor asked for
    assert tmf._accounts == {}
    assert not [r for r in bss.seen if r.path.endswith(apis.CUSTOMER_BILL)]


def test_what_is_no_object_in_a_list_the_adapter_walks_is_skipped(bss, tmf):
    junk = [7, "x", None, ["y"]]
    bss.script(
        "GET",
        f"{apis.PRODUCT}/8001",
        A(200, {**OURS, "relatedParty": [*junk, {"id": "CC-123", "role": "Customer"}]}),
    )
    bss.script("GET", f"{apis.CUSTOMER}/CC-123", A(200, {"agreement": [*junk, {"id": "8001"}]}))
    bss.script(
        "GET",
        apis.PRODUCT,
        A(200, [{"@type": apis.PRODUCT_TYPE, "id": "p-1", "productRelationship": junk}]),
    )

    found = tmf.find_contract("8001")
    assert found is not None and found.customer_id == "123"
    customer = tmf.find_customer("CC", "123")
    assert customer is not None and customer.contract_ids == ("8001",)
    assert tmf.product("8001", 7) is None  # not bundled by 8001


def test_an_invoices_payment_is_its_latest_whatever_order_the_bss_lists_them_in(bss, tmf):
    def paid(payment_id, day):
        return {"id": payment_id, "account": {"id": BA}, "paymentDate": f"{day}T00:00:00Z"}

    bss.script("GET", f"{apis.CUSTOMER_BILL}/cb-1", A(200, BILL))
    bss.script(
        "GET",
        apis.PAYMENT,
        A(200, [paid("p-2", "2026-12-10"), paid("p-3", "2026-12-20"), paid("p-1", "2026-12-05")]),
    )
    found = tmf.invoice_with_payment("8001", "cb-1")
    assert found is not None and found[1] is not None and found[1]["paymentId"] == "p-3"


def test_an_order_reads_the_product_once(bss, tmf):
    bss.script("GET", apis.PRODUCT, A(200, []))
    bss.script("GET", apis.PRODUCT_OFFERING, A(200, []))

    with pytest.raises(errors.NotFound):
        tmf._check_order(Order("add", "8001", 7, "OF-1"))
    assert [r.path.removeprefix("/tmf-api/") for r in bss.seen].count(apis.PRODUCT) == 1
    assert len(bss.seen) == 2  # the product and its offerings, concurrently


@pytest.mark.parametrize("change", ["remove", "update"])
def test_a_plus_addressed_email_reaches_the_bss_as_it_is(bss, tmf, change):
    email = "a+b@x.co"
    contact = {
        "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": email}}]
    }

    def patched(request):
        where = dict(parse_qsl(json.loads(request.body)[0]["path"].partition("?")[2]))
        found = where.get("characteristic.emailAddress") == email
        return A(200, {"contact": [contact]}) if found else A(404, {})

    bss.script("GET", f"{apis.BILLING_ACCOUNT}/{BA}", A(200, {"contact": [contact]}))
    bss.script("PATCH", f"{apis.BILLING_ACCOUNT}/{BA}", patched)

    if change == "remove":
        assert tmf.remove_email("8001", email) == {"email": email}
    else:
        tmf.update_email("8001", email, "c@x.co")
    assert len(bss.requests("PATCH")) == 1
