"""Walking every GET of the contract as one demo identity (README "Demo identities"): what
each identity holds (its contracts, invoices, products, subscriptions, lines), asked for with
a customer token carrying only the scope each operation declares, every answer validated
against api/openapi.yaml and kept (status and bytes) for comparisons across backends."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from werkzeug.test import Client

from local import auth, demo
from local.seed import checkout_items, payment_token
from selfcare.countries import get_country
from tests.conftest import AS_OF
from tests.support.openapi import ContractSpec

SPEC = ContractSpec.load()
READS = frozenset(
    path
    for method, path, op in SPEC.operations()
    if method == "GET" and not op.get("x-non-contract")
)
ID_TYPE_READ = "/billing/contracts/{contractId}/{idType}/{id}/paperlessInvoiceInfo"
LOCAL_CALLS = "/billing/contracts/{contractId}/measuringElement/{measuringElement}/localcalls/"
CALLS = "/billing/contracts/{contractId}/measuringElement/{measuringElement}/calls/"


def lines_of(contract: dict[str, Any]) -> list[str]:
    """The contract's voice lines: those with calls and those its Telefonía offerings meter."""
    found = {str(call["measuringElement"]) for call in contract.get("calls") or []}
    for product in contract["products"]:
        for offering in product.get("offeringList") or []:
            if offering.get("measuringElement"):
                found.add(str(offering["measuringElement"]))
    return sorted(found)


@cache
def seeded_checkouts(country: str) -> dict[tuple[str, str], str]:
    """(contractId, invoiceId) -> status of the payment attempt the seed recorded for it:
    approved for invoices paid online, pending for each demo contract's newest unpaid one."""
    return {
        (item["contractId"], item["invoiceId"]): item["status"]
        for item in checkout_items(demo.dataset(country, AS_OF))
        if item["sk"].startswith("ATTEMPT#")  # not their pointers and #OPEN markers
    }


def checkout_status(country: str, contract: dict[str, Any], invoice: dict[str, Any]) -> int:
    """What GET checkOut answers (README "Paying" 4): 200 once the attempt is final, 202
    while it is in process; 404 for an invoice nobody ever tried to pay online (cash or
    bank payments, unpaid invoices but the newest): there is no attempt to report, which the
    contract answers with its 404 errorBody."""
    status = seeded_checkouts(country).get((contract["contractId"], invoice["invoiceId"]))
    return {"approved": 200, "pending": 202, None: 404}[status]


def own_paperless_id(country: str, contract: dict[str, Any]) -> tuple[str, str]:
    """The `idType/id` a contract is subscribed by: its own subscription (gt) or billing
    account (sv)."""
    id_type = get_country(country).paperless_id_type
    assert id_type in ("subscriptions", "billingaccounts"), (country, id_type)
    own = (
        contract["subscriptionNumber"]
        if id_type == "subscriptions"
        else contract["billingAccountId"]
    )
    return id_type, str(own)


class Walk:
    """Calls reads as one identity, each with a token holding exactly the scopes its
    operation declares, and validates every answer against the contract."""

    def __init__(self, gateway, country: str, customer: dict[str, Any]) -> None:
        self.client = Client(gateway)
        self.country = country
        self.customer = customer
        self.called: set[str] = set()
        self.failures: list[str] = []
        self.answers: dict[str, tuple[int, str, bytes]] = {}  # request -> status, type, body
        self._tokens: dict[tuple[str, ...], str] = {}

    def token(self, template: str) -> str:
        _, operation = SPEC.match("GET", template)
        needed = tuple(sorted(s for req in operation.get("security", []) for s in req["oauth2"]))
        if needed not in self._tokens:
            self._tokens[needed] = auth.customer_token(
                self.customer["documentType"], self.customer["customerId"], scopes=needed
            )
        return self._tokens[needed]

    def get(self, path: str, expected: int, query: dict[str, str] | None = None) -> Any:
        template, _ = SPEC.match("GET", path)
        self.called.add(template)
        headers = {"Authorization": f"Bearer {self.token(path)}"}
        if template.endswith("/pdf"):
            headers["Accept"] = "application/pdf"
        response = self.client.get(
            f"/v1/tigo/home/{self.country}{path}", query_string=query, headers=headers
        )
        body = response.get_data()
        where = f"GET {path}{'?' + str(query) if query else ''}"
        self.answers[where] = (response.status_code, response.headers["Content-Type"], body)
        if response.status_code != expected:
            self.failures.append(
                f"{where}: {response.status_code}, expected {expected}: {body[:300]!r}"
            )
            return None
        try:
            SPEC.validate_response(
                "GET", path, response.status_code, body, response.headers["Content-Type"]
            )
        except AssertionError as invalid:
            self.failures.append(f"{where}: {invalid}")
            return None
        return response.get_json(silent=True)


def walk_customer(walk: Walk) -> None:
    customer = walk.customer
    doc = f"doc-type/{customer['documentType'].lower()}/customers/{customer['customerId']}"
    contracts = customer["contracts"]
    listed = walk.get(f"/billing/{doc}/contracts/", 200)
    if listed is not None:
        assert [c["contractId"] for c in listed] == [c["contractId"] for c in contracts]
    walk.get(f"/billing/{doc}", 200)
    for query in (None, {"limit": "5"}):
        walk.get(f"/billing/{doc}/invoices/", 200, query)
        # A household's wallet may be empty: the list is then [] (200), never a 404.
        walk.get(f"/tokenization/{doc}/cardtokens/", 200, query)
    for query in (None, {"limit": "99"}):
        walk.get(f"/portfolio/{doc}/", 200, query)
    # Invoices by customer and id: any invoice of any of its contracts.
    for contract in contracts:
        for invoice in contract["invoices"]:
            walk.get(f"/billing/{doc}/invoices/{invoice['invoiceId']}", 200)
    # Lists, answered 200 even when empty (no open request, no visit scheduled).
    walk.get(f"/cases/{doc}/servicerequests/", 200)
    walk.get(f"/cases/{doc}/scheduledvisits/", 200)


def walk_contract(walk: Walk, contract: dict[str, Any]) -> None:
    country = walk.country
    cid = contract["contractId"]
    billing = f"/billing/contracts/{cid}"
    for query in (None, {"limit": "5"}):
        walk.get(f"{billing}/invoices/", 200, query)
    walk.get(f"{billing}/customers", 200)
    walk.get(f"{billing}/balance", 200)
    walk.get(f"{billing}/financing", 200)  # {"isAvailable": false} where there is none
    # Recurring billing and paperless answer 404 for a contract not enrolled in them: there
    # is no RecurringBillingInfo / paperlessInvoiceInfo to return (README "Changing
    # things": PUT updates only an existing one, 404 otherwise).
    walk.get(f"{billing}/recurringBillingInfo", 200 if contract.get("recurringBilling") else 404)
    paperless = 200 if contract.get("paperless") else 404
    walk.get(f"{billing}/paperlessInvoiceInfo", paperless)
    if get_country(country).paperless_id_type:  # gt, sv; Colombia subscribes by contract only
        id_type, own = own_paperless_id(country, contract)
        walk.get(f"{billing}/{id_type}/{own}/paperlessInvoiceInfo", paperless)
    for invoice in contract["invoices"]:
        iid = invoice["invoiceId"]
        walk.get(f"{billing}/invoices/{iid}", 200)
        # 404 for an invoice with no payment: there is no paymentInfo to return.
        walk.get(
            f"{billing}/invoices/{iid}/paymentInfo", 200 if invoice.get("paymentInfo") else 404
        )
        status = checkout_status(country, contract, invoice)
        walk.get(f"{billing}/invoices/{iid}/checkOut", status)
        walk.get(f"{billing}/invoices/{iid}/checkOut/{payment_token(iid)}", status)
        walk.get(f"{billing}/invoices/spool/{iid}/url", 200)
        walk.get(f"{billing}/invoices/spool/{iid}/pdf", 200)
        walk.get(
            f"/billing/billingaccounts/{contract['billingAccountId']}/invoices/spool/{iid}/pdf",
            200,
        )
    dates = walk.get(f"{billing}/invoices/spool/billingDates/", 200)
    if dates is not None:
        assert sorted(dates) == sorted({str(i["creationDate"]) for i in contract["invoices"]})
        for billing_date in dates:
            walk.get(f"{billing}/invoices/spool/billingDates/{billing_date}/url", 200)
    window = {"fromDate": (AS_OF - timedelta(days=180)).isoformat(), "toDate": AS_OF.isoformat()}
    for line in lines_of(contract):
        walk.get(f"{billing}/measuringElement/{line}/calls/", 200, window)
        if get_country(country).local_calls:  # itemized in Colombia only
            walk.get(f"{billing}/measuringElement/{line}/localcalls/", 200, window)
    portfolio = f"/portfolio/contracts/{cid}/products"
    for query in (None, {"limit": "99"}):
        walk.get(f"{portfolio}/", 200, query)
    for product_id in sorted({str(p["productId"]) for p in contract["products"]}):
        walk.get(f"{portfolio}/{product_id}", 200)
        walk.get(f"{portfolio}/{product_id}/availableoffers", 200)
    for product in contract["products"]:
        subscriptions = {str(o["subscriptionNumber"]) for o in product.get("offeringList") or []}
        for subscription in sorted(subscriptions):
            walk.get(f"{portfolio}/{product['productId']}/subscriptions/{subscription}", 200)
    walk.get(f"/cases/contracts/{cid}/servicerequests/", 200)
    contact = f"/customer/contracts/{cid}/contactinformation"
    for path in (contact, f"{contact}/phones/", f"{contact}/emails/"):
        walk.get(path, 200)


def not_applicable(country: str, customer: dict[str, Any]) -> set[str]:
    """The reads that have nothing to walk for this identity, and why."""
    skipped = set()
    if not get_country(country).paperless_id_type:
        skipped.add(ID_TYPE_READ)  # Colombia subscribes paperless by contractId only
    if not get_country(country).local_calls:
        skipped.add(LOCAL_CALLS)  # local calls are itemized in Colombia only
    if not any(lines_of(c) for c in customer["contracts"]):
        skipped |= {CALLS, LOCAL_CALLS}  # no voice line: no call records to ask for
    return skipped
