"""Values for concrete requests, picked from the same sandbox dataset the stacks hold."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import cache
from typing import Any

from local.seed import payment_token
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country

Contract = dict[str, Any]


CUSTOMERS = 40  # per country; the same number the stacks were seeded with


def dataset(country: str, as_of: date) -> dict[str, Any]:
    return _dataset(country, as_of, CUSTOMERS)


@cache
def _dataset(country: str, as_of: date, customers: int) -> dict[str, Any]:
    return generate_dataset(country, as_of, customers)


def customers(country: str, as_of: date) -> list[dict[str, Any]]:
    return list(dataset(country, as_of)["customers"])


def demo_customers(country: str, as_of: date) -> list[dict[str, Any]]:
    return [c for c in customers(country, as_of) if c.get("demo")]


def contracts(country: str, as_of: date) -> Iterator[tuple[dict[str, Any], Contract]]:
    for customer in customers(country, as_of):
        for contract in customer["contracts"]:
            yield customer, contract


def find(country: str, as_of: date, wanted: Callable[[dict[str, Any], Contract], bool]):
    for customer, contract in contracts(country, as_of):
        if wanted(customer, contract):
            return customer, contract
    raise LookupError("no such contract in the sandbox dataset")


def voice_line(contract: Contract) -> str | None:
    calls = contract.get("calls") or []
    return str(calls[0]["measuringElement"]) if calls else None


def online_paid(contract: Contract) -> dict[str, Any] | None:
    for invoice in contract["invoices"]:
        method = str((invoice.get("paymentInfo") or {}).get("paymentMethod", "")).upper()
        if method in {"POL", "PSE", "VISA", "MASTERCARD", "TIGO MONEY"}:
            return invoice
    return None


def path_values(country: str, as_of: date, template: str) -> dict[str, str]:
    """Concrete values for every {parameter} of a contract GET, chosen so it answers 200."""
    need = {
        "recurringBillingInfo": lambda cu, co: bool(co.get("recurringBilling")),
        "paperlessInvoiceInfo": lambda cu, co: bool(co.get("paperless")),
        "calls": lambda cu, co: voice_line(co) is not None,
        "paymentInfo": lambda cu, co: online_paid(co) is not None,
        "checkOut": lambda cu, co: online_paid(co) is not None,
        "cardtokens": lambda cu, co: bool(cu.get("cardTokens")),
        "servicerequests": lambda cu, co: bool(co.get("serviceRequests")),
        "scheduledvisits": lambda cu, co: bool(cu["scheduledVisits"].get("scheduledVisitList")),
    }
    wanted = next((check for key, check in need.items() if key in template), lambda cu, co: True)
    customer, contract = find(country, as_of, wanted)
    return values_of(country, customer, contract)


def values_of(country: str, customer: dict[str, Any], contract: Contract) -> dict[str, str]:
    """Every path {parameter} named after this customer's contract (its first product, its
    online-paid invoice or else its latest)."""
    invoice = online_paid(contract) or contract["invoices"][-1]
    product = contract["products"][0]
    subscription = product["offeringList"][0]["subscriptionNumber"]
    id_type = get_country(country).paperless_id_type or "subscriptions"
    own_id = (
        contract["subscriptionNumber"]
        if id_type == "subscriptions"
        else contract["billingAccountId"]
    )
    return {
        "docTypeId": customer["documentType"].lower(),
        "customerId": customer["customerId"],
        "contractId": contract["contractId"],
        "invoiceId": invoice["invoiceId"],
        "billingAccountId": str(contract["billingAccountId"]),
        "billingDate": str(invoice["creationDate"]),
        "productId": str(product["productId"]),
        "subscriptionNumber": str(subscription),
        "measuringElement": voice_line(contract) or "0000",
        "idType": id_type,
        "id": str(own_id),
        "paymentToken": payment_token(invoice["invoiceId"]),
    }


def query_for(template: str, as_of: date) -> dict[str, str]:
    if template.rstrip("/").endswith("calls"):
        return {"fromDate": (as_of - timedelta(days=180)).isoformat(), "toDate": as_of.isoformat()}
    return {}


def concrete(template: str, values: dict[str, str]) -> str:
    path = template
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path
