"""The sandbox backend: every back-office port answered from the sandbox table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from selfcare.adapters.items import Items
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.billing import SandboxBilling
from selfcare.adapters.sandbox.contacts import SandboxContacts
from selfcare.adapters.sandbox.offerings import SandboxOfferings
from selfcare.ports import ContractRef, CustomerRef, Record
from selfcare.stores.cards import CardStore


class SandboxBackend(SandboxContacts, SandboxOfferings, SandboxBilling, CardStore):
    """Implements `selfcare.ports.Backend` over an `Items` store (DynamoDB or memory).
    Reads are here; changes live in one mixin per area beside it; the card vault is the
    service's own (selfcare.stores.cards), kept here in the sandbox table."""

    def __init__(self, items: Items) -> None:
        self.items = items

    def _field(self, pk: str, sk: str, name: str) -> Any:
        """`name` of the item at (pk, sk); None when there is no such item."""
        item = self.items.get(pk, sk)
        return item.get(name) if item else None

    # Directory -------------------------------------------------------------------------
    def find_contract(self, contract_id: str) -> ContractRef | None:
        item = self.items.get(layout.contract_pk(contract_id), layout.CONTRACT)
        return _contract_ref(item) if item else None

    def find_customer(self, document_type: str, customer_id: str) -> CustomerRef | None:
        item = self.items.get(layout.customer_pk(document_type, customer_id), layout.CUSTOMER)
        if not item:
            return None
        return CustomerRef(item["documentType"], item["customerId"], tuple(item["contractIds"]))

    def find_billing_account(self, billing_account_id: str) -> ContractRef | None:
        ref = self.items.get(layout.billing_account_pk(billing_account_id), layout.REF)
        return self.find_contract(ref["contractId"]) if ref else None

    # Billing -----------------------------------------------------------------------------
    def customer(self, document_type: str, customer_id: str) -> Record | None:
        return self._field(
            layout.customer_pk(document_type, customer_id), layout.CUSTOMER, "customer"
        )

    def contract(self, contract_id: str) -> Record | None:
        return self._field(layout.contract_pk(contract_id), layout.CONTRACT, "contract")

    def contracts(self, contract_ids: Sequence[str]) -> list[Record]:
        keys = [(layout.contract_pk(contract_id), layout.CONTRACT) for contract_id in contract_ids]
        return [item["contract"] for item in self.items.get_many(keys) if item]

    def invoices(self, contract_id: str, limit: int | None = None) -> list[Record]:
        found = self.items.query(
            layout.contract_pk(contract_id), prefix=layout.INVOICE, newest_first=True, limit=limit
        )
        return [item["invoice"] for item in found]

    def invoice(self, contract_id: str, invoice_id: str) -> Record | None:
        item = self._invoice_item(contract_id, invoice_id)
        return item["invoice"] if item else None

    def payment_info(self, contract_id: str, invoice_id: str) -> Record | None:
        item = self._invoice_item(contract_id, invoice_id)
        return item.get("paymentInfo") if item else None

    def invoice_with_payment(
        self, contract_id: str, invoice_id: str
    ) -> tuple[Record, Record | None] | None:
        item = self._invoice_item(contract_id, invoice_id)
        return (item["invoice"], item.get("paymentInfo")) if item else None

    def _invoice_item(self, contract_id: str, invoice_id: str) -> dict[str, Any] | None:
        pk = layout.contract_pk(contract_id)
        for item in self.items.query(pk, prefix=layout.invoice_prefix(contract_id, invoice_id)):
            if item["invoice"]["invoiceId"] == invoice_id:
                return item
        return None

    def recurring_billing(self, contract_id: str) -> Record | None:
        return self._field(layout.contract_pk(contract_id), layout.RECURRING, "recurringBilling")

    def financing(self, contract_id: str) -> Record | None:
        return self._field(layout.contract_pk(contract_id), layout.CONTRACT, "financing")

    def calls(self, contract_id: str, line: str, start: date, end: date) -> list[Record]:
        found = self.items.query(
            layout.contract_pk(contract_id), between=layout.call_bounds(line, start, end)
        )
        first, last = start.isoformat(), end.isoformat()
        return [
            call
            for month in found
            for call in month["calls"]
            if first <= str(call["dateTimeStart"])[:10] <= last
        ]

    # Product catalogue -------------------------------------------------------------------
    def products(self, contract_id: str, limit: int | None = None) -> list[Record]:
        found = self.items.query(
            layout.contract_pk(contract_id), prefix=layout.PRODUCT, limit=limit
        )
        return [item["product"] for item in found]

    def products_of(self, contract_ids: Sequence[str], limit: int | None = None) -> list[Record]:
        found: list[Record] = []
        for contract_id in contract_ids:
            if limit is not None and len(found) >= limit:
                break
            found.extend(self.products(contract_id, None if limit is None else limit - len(found)))
        return found

    def product(
        self, contract_id: str, product_id: int, subscription_number: str | None = None
    ) -> Record | None:
        pk = layout.contract_pk(contract_id)
        if subscription_number is not None:
            return self._field(
                pk, layout.product_prefix(product_id) + subscription_number, "product"
            )
        found = self.items.query(pk, prefix=layout.product_prefix(product_id), limit=1)
        return found[0]["product"] if found else None

    def available_offers(self, contract_id: str, product_id: int) -> list[Record] | None:
        return self._field(layout.contract_pk(contract_id), layout.offers_sk(product_id), "offers")

    # Cases ---------------------------------------------------------------------------------
    def service_requests(self, contract_id: str) -> list[Record]:
        found = self.items.query(
            layout.contract_pk(contract_id), prefix=layout.REQUEST, newest_first=True
        )
        return [item["serviceRequest"] for item in found]

    def service_requests_of(self, contract_ids: Sequence[str]) -> list[Record]:
        return [r for contract_id in contract_ids for r in self.service_requests(contract_id)]

    def scheduled_visits(self, document_type: str, customer_id: str) -> Record | None:
        return self._field(
            layout.customer_pk(document_type, customer_id), layout.VISITS, "scheduledVisits"
        )

    # CRM -----------------------------------------------------------------------------------
    def contact_information(self, contract_id: str) -> Record | None:
        return self._field(layout.contract_pk(contract_id), layout.CONTACT, "contactInformation")


def _contract_ref(item: dict[str, Any]) -> ContractRef:
    return ContractRef(
        contract_id=item["contractId"],
        document_type=item["documentType"],
        customer_id=item["customerId"],
        billing_account_id=item["billingAccountId"],
        subscription_number=item["subscriptionNumber"],
        lines=tuple(item.get("lines", ())),
    )
