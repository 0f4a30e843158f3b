"""Products of a contract or a customer, and the offers available to a product."""

from __future__ import annotations

from selfcare.errors import NotFound
from selfcare.ports import ContractRef, CustomerRef, ProductCatalog, Record

LIMIT = (9, 99)  # default, maximum


def of_contract(catalog: ProductCatalog, contract: ContractRef, limit: int) -> list[Record]:
    return catalog.products(contract.contract_id, limit)


def of_customer(catalog: ProductCatalog, customer: CustomerRef, limit: int) -> list[Record]:
    """Across all the customer's contracts, oldest contract first."""
    return catalog.products_of(customer.contract_ids, limit)


def one(
    catalog: ProductCatalog, contract: ContractRef, product_id: str, subscription: str | None = None
) -> Record:
    product = catalog.product(contract.contract_id, int(product_id), subscription)
    if product is None:
        what = f"product {product_id}" + (f" subscription {subscription}" if subscription else "")
        raise NotFound(f"No {what} in contract {contract.contract_id}")
    return product


def available_offers(
    catalog: ProductCatalog, contract: ContractRef, product_id: str
) -> list[Record]:
    offers = catalog.available_offers(contract.contract_id, int(product_id))
    if offers is None:
        raise NotFound(f"No product {product_id} in contract {contract.contract_id}")
    return offers
