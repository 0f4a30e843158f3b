"""Customers and their contracts, as the billing system knows them."""

from __future__ import annotations

from selfcare.errors import NotFound
from selfcare.ports import BillingSystem, ContractRef, CustomerRef, Record


def customer(billing: BillingSystem, document_type: str, customer_id: str) -> Record:
    found = billing.customer(document_type, customer_id)
    if found is None:
        raise NotFound(f"No customer with {document_type} {customer_id}")
    return found


def of_contract(billing: BillingSystem, contract: ContractRef) -> Record:
    return customer(billing, contract.document_type, contract.customer_id)


def contracts(billing: BillingSystem, owner: CustomerRef) -> list[Record]:
    return billing.contracts(owner.contract_ids)
