"""Load the sandbox dataset of a country into its tables: the sandbox backend's own
table, plus the service-owned records a real history would have left (paperless
subscriptions, finished payment attempts and the demo customers' attempts in process).

    python -m local seed --country gt --sandbox-table <name> [--paperless-table <name>]
                         [--checkout-table <name>] [--as-of YYYY-MM-DD]

Against a deployed sandbox stack, use the stack's outputs as table names and your usual
AWS credentials; the local runner calls `seed_stack` itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from local.seed_checkout import checkout_items, payment_records, payment_token
from selfcare.adapters.items import DynamoItems
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country
from selfcare.stores import paperless as paperless_store

__all__ = ["checkout_items", "paperless_items", "payment_token", "seed"]


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


def seed(
    country: str,
    as_of: date,
    sandbox_table: str,
    paperless_table: str | None = None,
    checkout_table: str | None = None,
    customers: int = 40,
    backend: str = "sandbox",
) -> dict[str, int]:
    """With `backend` tmf the BSS serves the dataset (local.tmf_standin): only what the
    service owns is seeded, card tokens in the checkout table (the vault there)."""
    dataset = generate_dataset(country, as_of, customers)
    counts = {"sandbox": 0}
    if backend == "sandbox":
        counts["sandbox"] = DynamoItems(sandbox_table).put_all(layout.dataset_items(dataset))
    elif checkout_table:
        cards = (i for i in layout.dataset_items(dataset) if i["sk"].startswith(layout.CARD))
        counts["cards"] = DynamoItems(checkout_table).put_all(cards)
    if paperless_table:
        counts["paperless"] = DynamoItems(paperless_table).put_all(paperless_items(dataset))
    if checkout_table:
        attempts, sessions = payment_records(dataset)
        counts["checkout"] = DynamoItems(checkout_table).put_all(attempts)
        counts["sandbox"] += DynamoItems(sandbox_table).put_all(sessions)
    return counts
