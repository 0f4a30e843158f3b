"""Adding and removing a product's additional offerings.

When a contract has two products with the same productId (two TV subscriptions), both
operations act on the first one: the product that GET .../products/{productId} answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from selfcare.errors import InvalidParameter
from selfcare.ports import CatalogChanges, ContractRef, Record

if TYPE_CHECKING:
    from selfcare.models.portfolio import OfferingRequest


def add(
    catalog: CatalogChanges, contract: ContractRef, product_id: str, request: OfferingRequest
) -> Record:
    """successBody of adding `request.offeringId`, at its promotion's price when
    `promotionCode` names it. An empty promotionCode is taken as none (apps send "")."""
    offering_id = _offering_id(request)
    code = (request.promotionCode or "").strip() or None
    added = catalog.add_offering(contract.contract_id, int(product_id), offering_id, code)
    return _success(f"Offering {added['offeringName']} added")


def remove(
    catalog: CatalogChanges, contract: ContractRef, product_id: str, request: OfferingRequest
) -> Record:
    """successBody of removing (cancelling) additional offering `request.offeringId`."""
    offering_id = _offering_id(request)
    removed = catalog.remove_offering(contract.contract_id, int(product_id), offering_id)
    return _success(f"Offering {removed['offeringName']} removed")


def _offering_id(request: OfferingRequest) -> str:
    offering_id = request.offeringId.strip()
    if not offering_id:
        raise InvalidParameter("offeringId", "required: the id of an offering")
    return offering_id


def _success(message: str) -> Record:
    return {"response": "OK", "message": message}
