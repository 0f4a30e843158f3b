"""The stand-in's back office: the sandbox backend over the dataset in memory decides every
change (the same rules as Backend sandbox), and the TMF resources of the customer a change
touched are built again from what it holds now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from local.tmf_standin.resources import Collections, customer_resources
from selfcare.adapters.items import MemoryItems, Write
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.storable import storable


class Bss:
    """One country's back office."""

    def __init__(self, dataset: Mapping[str, Any], offset: str) -> None:
        self.offset = offset
        self.items = MemoryItems(layout.dataset_items(dataset))
        self.backend = SandboxBackend(self.items)
        self.collections: Collections = {}
        self.owned: dict[tuple[str, str], set[tuple[str, str]]] = {}  # customer -> resources
        self.owners: dict[str, tuple[str, str]] = {}  # contract id -> customer
        for customer in storable(dataset)["customers"]:
            self._publish(customer)

    def partitions(self, document_type: str, customer_id: str) -> list[str]:
        """The store's partitions holding one customer (its own, its contracts' and their
        billing accounts')."""
        head = self.items.get(layout.customer_pk(document_type, customer_id), layout.CUSTOMER)
        found = [layout.customer_pk(document_type, customer_id)]
        for contract_id in (head or {}).get("contractIds", []):
            found.append(layout.contract_pk(contract_id))
            item = self.items.get(layout.contract_pk(contract_id), layout.CONTRACT) or {}
            found.append(layout.billing_account_pk(str(item.get("billingAccountId"))))
        return found

    def snapshot(self, document_type: str, customer_id: str) -> list[dict[str, Any]]:
        """One customer's items, to put back with `restore` (tests)."""
        return [
            item
            for pk in self.partitions(document_type, customer_id)
            for item in self.items.query(pk)
        ]

    def restore(self, document_type: str, customer_id: str, saved: list[dict[str, Any]]) -> None:
        for pk in self.partitions(document_type, customer_id):
            for item in self.items.query(pk):
                self.items.write(Write.delete(pk, item["sk"]))
        self.items.put_all(saved)
        self._publish(customer_view(self.items, document_type, customer_id))

    def resources(self, document_type: str, customer_id: str) -> dict[tuple[str, str], Any]:
        """(collection, id) -> resource, of every resource one customer's data makes."""
        owned = self.owned.get((document_type, customer_id), set())
        return {(c, i): self.collections[c][i] for c, i in sorted(owned)}

    def refresh(self, contract_id: str) -> None:
        """Build again the resources of the customer holding `contract_id`."""
        owner = self.owners.get(contract_id)
        if owner is not None:
            self._publish(customer_view(self.items, *owner))

    def _publish(self, customer: Mapping[str, Any]) -> None:
        key = (customer["documentType"], customer["customerId"])
        for collection, resource_id in self.owned.pop(key, set()):
            self.collections.get(collection, {}).pop(resource_id, None)
        made: set[tuple[str, str]] = set()
        for collection, resource in customer_resources(customer, self.offset):
            self.collections.setdefault(collection, {})[resource["id"]] = resource
            made.add((collection, resource["id"]))
        self.owned[key] = made
        for contract in customer["contracts"]:
            self.owners[contract["contractId"]] = key


def customer_view(items: MemoryItems, document_type: str, customer_id: str) -> dict[str, Any]:
    """A customer as the dataset has it (generator.generate_dataset), read from the store."""
    pk = layout.customer_pk(document_type, customer_id)
    head = items.get(pk, layout.CUSTOMER) or {}
    visits = items.get(pk, layout.VISITS) or {}
    cards = [
        {**item["token"], "createdAt": item["sk"].removeprefix(layout.CARD).split("#")[0]}
        for item in items.query(pk, prefix=layout.CARD, newest_first=True)
    ]
    return {
        "documentType": document_type,
        "customerId": customer_id,
        "customer": head.get("customer", {}),
        "scheduledVisits": visits.get("scheduledVisits", {"scheduledVisitList": []}),
        "cardTokens": cards,
        "contracts": [contract_view(items, c) for c in head.get("contractIds", [])],
    }


def contract_view(items: MemoryItems, contract_id: str) -> dict[str, Any]:
    pk = layout.contract_pk(contract_id)
    found = {item["sk"]: item for item in items.query(pk)}
    head = found.get(layout.CONTRACT, {})
    contract: dict[str, Any] = {
        "contractId": contract_id,
        "billingAccountId": head.get("billingAccountId"),
        "subscriptionNumber": head.get("subscriptionNumber"),
        "contract": head.get("contract", {}),
        "address": head.get("address", {}),
        "financing": head.get("financing", {}),
        "contactInformation": found.get(layout.CONTACT, {}).get("contactInformation", {}),
        "invoices": [],
        "products": [],
        "availableOffers": {},
        "serviceRequests": [],
        "calls": [],
    }
    recurring = found.get(layout.RECURRING)
    if recurring:
        contract["recurringBilling"] = recurring["recurringBilling"]
        contract["recurringCardToken"] = recurring.get("cardToken")
    for sk, item in found.items():
        if sk.startswith(layout.INVOICE):
            invoice = {**item["invoice"]}
            payments = item.get("payments") or (
                [item["paymentInfo"]] if item.get("paymentInfo") else []
            )
            if payments:
                invoice["paymentInfo"] = payments[-1]
                invoice["payments"] = payments
            contract["invoices"].append(invoice)
        elif sk.startswith(layout.PRODUCT):
            contract["products"].append(item["product"])
        elif sk.startswith(layout.OFFERS):
            contract["availableOffers"][str(int(sk.removeprefix(layout.OFFERS)))] = item["offers"]
        elif sk.startswith(layout.REQUEST):
            contract["serviceRequests"].append(item["serviceRequest"])
        elif sk.startswith(layout.CALL):
            line = sk.removeprefix(layout.CALL).split("#")[0]
            contract["calls"].extend({**call, "measuringElement": line} for call in item["calls"])
    return contract
