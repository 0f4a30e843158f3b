"""The rules of a product's additional offerings, whoever keeps the products (the sandbox's
table, or a BSS behind TMF622 product orders): what may be added or removed, with the
answer a caller gets when it may not. Pure functions over contract records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from selfcare.errors import Conflict, InvalidParameter, NotFound
from selfcare.ports import Record

BASE = "Principal"
CURRENT_PROMOTION = "Vigente"


def check_add(
    product: Record,
    offers: Sequence[Record],
    offering_id: str,
    promotion_code: str | None,
    contract_id: str,
) -> tuple[Record, Any]:
    """(the offer to add, its price). Conflict: already active on the product; NotFound:
    not among its available offers; InvalidParameter: not the offer's current promotion."""
    product_id = product.get("productId")
    offerings = product.get("offeringList") or []
    if any(o["offeringId"] == offering_id and o.get("active") for o in offerings):
        raise Conflict(f"Offering {offering_id} is already on product {product_id}")
    offer = next((o for o in offers if o["offeringId"] == offering_id), None)
    if offer is None:
        raise NotFound(
            f"Offering {offering_id} is not available for product {product_id}"
            f" of contract {contract_id}"
        )
    return offer, price(offer, promotion_code)


def check_remove(product: Record, offering_id: str) -> int:
    """The index of the offering to cancel. NotFound: not on the product; Conflict: already
    cancelled, or the product's base offering."""
    product_id = product.get("productId")
    offerings = product.get("offeringList") or []
    found = [n for n, o in enumerate(offerings) if o["offeringId"] == offering_id]
    if not found:
        raise NotFound(f"No offering {offering_id} on product {product_id}")
    index = next((n for n in found if offerings[n].get("active")), None)
    if index is None:
        raise Conflict(f"Offering {offering_id} is already cancelled")
    if index == 0 or offerings[index].get("offeringType") == BASE:
        raise Conflict(
            f"Offering {offering_id} is the base offering of product {product_id};"
            " only additional offerings can be removed"
        )
    return index


def price(offer: Record, promotion_code: str | None) -> Any:
    """What the offer costs a month: its amount, or its current promotion's."""
    if promotion_code is None:
        return offer.get("amount")
    if promotion_code != offer.get("promotionCode") or offer.get("promotionAmount") is None:
        raise InvalidParameter(
            "promotionCode", f"not a promotion of offering {offer['offeringId']}"
        )
    if offer.get("promotionStatus", CURRENT_PROMOTION) != CURRENT_PROMOTION:
        raise InvalidParameter("promotionCode", "the promotion is no longer current")
    return offer["promotionAmount"]
