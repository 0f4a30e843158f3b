"""Load the sandbox dataset of a country into its tables: the sandbox backend's own
table, plus the service-owned records a real history would have left (paperless
subscriptions and finished payment attempts).

    python -m local seed --country gt --sandbox-table <name> [--paperless-table <name>]
                         [--checkout-table <name>] [--as-of YYYY-MM-DD]

Against a deployed sandbox stack, use the stack's outputs as table names and your usual
AWS credentials; the local runner calls `seed_stack` itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from selfcare.adapters.items import DynamoItems
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country
from selfcare.stores import paperless as paperless_store
from selfcare.stores.checkout import invoice_pk

ONLINE_METHODS = {"POL", "PSE", "VISA", "MASTERCARD", "TARJETA", "TIGO MONEY"}


def payment_token(invoice_id: str, n: int = 0) -> str:
    return hashlib.sha256(f"checkout:{invoice_id}:{n}".encode()).hexdigest()[:32]


def paperless_items(dataset: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    id_type = get_country(dataset["country"]).paperless_id_type
    for customer in dataset["customers"]:
        for contract in customer["contracts"]:
            info = contract.get("paperless")
            if not info:
                continue
            pk = f"CONTRACT#{contract['contractId']}"
            record = {"info": info, "version": 1, "updatedBy": "seed"}
            yield layout.storable({"pk": pk, "sk": paperless_store.subscription_sk(), **record})
            if id_type:
                own = (
                    contract["subscriptionNumber"]
                    if id_type == "subscriptions"
                    else contract["billingAccountId"]
                )
                sk = paperless_store.subscription_sk(id_type, str(own))
                yield layout.storable({"pk": pk, "sk": sk, **record})


def checkout_items(dataset: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """An approved attempt for each invoice paid online, and a pending one for the newest
    unpaid invoice of each demo customer who has one (so GET checkOut answers 202)."""
    country = get_country(dataset["country"])
    for customer in dataset["customers"]:
        info = customer["customer"]["customerInfo"]
        for contract in customer["contracts"]:
            unpaid = None
            for invoice in contract["invoices"]:
                payment = invoice.get("paymentInfo")
                if payment and str(payment.get("paymentMethod", "")).upper() in ONLINE_METHODS:
                    yield _attempt(country.currency, contract, invoice, info, "approved", payment)
                elif not invoice.get("hasPayment"):
                    unpaid = invoice
            if unpaid is not None and customer.get("demo"):
                yield _attempt(country.currency, contract, unpaid, info, "pending", None)


def _attempt(
    currency: str,
    contract: Mapping[str, Any],
    invoice: Mapping[str, Any],
    customer_info: Mapping[str, Any],
    status: str,
    payment: Mapping[str, Any] | None,
) -> dict[str, Any]:
    token = payment_token(str(invoice["invoiceId"]))
    created = (
        datetime.combine(payment["paymentDate"], time(10, 0), UTC)
        if payment
        else datetime.now(UTC).replace(microsecond=0)
    )
    attempt = {
        "pk": invoice_pk(contract["contractId"], invoice["invoiceId"]),
        "sk": f"ATTEMPT#{token}",
        "paymentToken": token,
        "checkOutId": f"SBX-{token[:12].upper()}",
        "contractId": contract["contractId"],
        "invoiceId": invoice["invoiceId"],
        "paymentAmount": invoice["invoiceAmount"],
        "currencyId": currency,
        "status": status,
        "createdAt": created.isoformat(),
        "paymentDescription": f"Pago factura {invoice['invoiceId']}",
        "customerInfo": dict(customer_info),
    }
    if payment:
        attempt["paymentDate"] = payment["paymentDate"]
        attempt["paymentMethods"] = [payment["paymentMethod"]]
        attempt["paymentRecorded"] = True  # the invoice's paymentInfo is this payment
    else:  # pending since seeding; it expires (then reads as expired) a day later
        attempt["expiresAt"] = int((created + timedelta(days=1)).timestamp())
    return layout.storable(attempt)


def seed(
    country: str,
    as_of: date,
    sandbox_table: str,
    paperless_table: str | None = None,
    checkout_table: str | None = None,
    customers: int = 40,
) -> dict[str, int]:
    dataset = generate_dataset(country, as_of, customers)
    counts = {"sandbox": DynamoItems(sandbox_table).put_all(layout.dataset_items(dataset))}
    if paperless_table:
        counts["paperless"] = DynamoItems(paperless_table).put_all(paperless_items(dataset))
    if checkout_table:
        counts["checkout"] = DynamoItems(checkout_table).put_all(checkout_items(dataset))
    return counts
