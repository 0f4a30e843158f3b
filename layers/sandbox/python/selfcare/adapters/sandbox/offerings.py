"""The sandbox catalogue's changes to a product's additional offerings.

A change rewrites two items of the contract's partition in one transaction: the product
(`PROD#<productId>#<subscription>`, its offeringList) and the product's offers
(`OFFERS#<productId>`). Both writes carry the `version` each item was read at, so a
concurrent change makes the transaction fail as a whole; the change is then decided again
on what is there now (a second add of the same offer finds it on the product: 409).

A removed offering stays on the product's list as cancelled (active false, "Cancelado",
toDate), as the dataset shows add-ons cancelled before; adding it again replaces that entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from selfcare import offerings as rules
from selfcare.adapters import receipts
from selfcare.adapters.items import ConditionFailed, Item, Items, Write
from selfcare.adapters.sandbox import layout
from selfcare.errors import Conflict, NotFound, ServiceError
from selfcare.ports import Record

ATTEMPTS = 8  # each failed attempt means another change of the product went through
ADDITIONAL = "Adicional"
ACTIVE, CANCELLED, RETIRED = "Activo", "Cancelado", "Retirado"
TAKEN = "takenOffers"  # product item attribute: offers taken from the list, by offeringId


@dataclass(frozen=True)
class _Read:
    product: Item  # the first product with the id
    others: list[Item]  # the other products with the same id
    offers: Item | None  # the product's offers


_Decision = tuple[Item, list[Record], Record]  # product item, offers, the answer


class SandboxOfferings:
    """Mixin of SandboxBackend (selfcare.ports.CatalogChanges).

    A contract may have two products with the same productId (two TV subscriptions);
    changes act on the first one, the one `product(contract_id, product_id)` answers.
    """

    items: Items

    def add_offering(
        self, contract_id: str, product_id: int, offering_id: str, promotion_code: str | None
    ) -> Record:
        """The Offering added. NotFound: no such product, or the offer is not among its
        available offers; Conflict: the offering is already active on the product;
        InvalidParameter: a promotion code that is not the offer's current one."""
        today = self._offering_today(contract_id)

        def decide(read: _Read) -> _Decision:
            product = read.product["product"]
            offerings = product.get("offeringList") or []
            offers = read.offers["offers"] if read.offers else []
            offer, price = rules.check_add(
                product, offers, offering_id, promotion_code, contract_id
            )
            added = _offering(product, offer, price, today)
            kept = [o for o in offerings if o["offeringId"] != offering_id]  # drops a cancelled one
            new_product = {
                **read.product,
                "product": {**product, "offeringList": [*kept, added]},
                TAKEN: {**read.product.get(TAKEN, {}), offering_id: offer},
            }
            rest = [o for o in offers if o["offeringId"] != offering_id]
            return new_product, rest, added

        return self._change_offering(contract_id, product_id, decide)

    def remove_offering(self, contract_id: str, product_id: int, offering_id: str) -> Record:
        """The Offering as cancelled. NotFound: no such product or offering on it; Conflict:
        the base offering, or one already cancelled."""
        today = self._offering_today(contract_id)

        def decide(read: _Read) -> _Decision:
            product = read.product["product"]
            offerings = product.get("offeringList") or []
            index = rules.check_remove(product, offering_id)
            removed = offerings[index]
            cancelled = _cancelled(removed, today)
            taken = dict(read.product.get(TAKEN, {}))
            offer = taken.pop(offering_id, None) or _offer_from(product, removed)
            new_list = [*offerings[:index], cancelled, *offerings[index + 1 :]]
            new_product = {
                **read.product,
                "product": {**product, "offeringList": new_list},
                TAKEN: taken,
            }
            offers = list(read.offers["offers"]) if read.offers else []
            still_held = any(_holds(other, offering_id) for other in read.others)
            if not still_held and all(o["offeringId"] != offering_id for o in offers):
                offers.append(offer)
            return new_product, offers, cancelled

        return self._change_offering(contract_id, product_id, decide)

    def monthly_charges(self, contract_id: str) -> Decimal:
        """What the contract's products cost a month, VAT included: the sum of the price of
        every active offering (what the seeded monthly invoices bill)."""
        found = self.items.query(layout.contract_pk(contract_id), prefix=layout.PRODUCT)
        return sum(
            (
                Decimal(offering.get("priceAmount", 0))
                for item in found
                for offering in item["product"].get("offeringList") or []
                if offering.get("active")
            ),
            Decimal(0),
        )

    # Reading, deciding and writing the two items ----------------------------------------
    def _change_offering(
        self, contract_id: str, product_id: int, decide: Callable[[_Read], _Decision]
    ) -> Record:
        """Read, decide, write both items or neither; again while another change wins."""
        for _ in range(ATTEMPTS):
            made = receipts.find(self.items)
            if made is not None:  # this change was made before its answer got lost
                replayed: Record = made.answer
                return replayed
            read = self._read_offering(contract_id, product_id)
            try:
                new_product, offers, answer = decide(read)
            except ServiceError:
                if self._offers_unchanged(read, contract_id, product_id):
                    raise
                continue  # decided on a mix of before and after another change
            if self._commit_offering(product_id, read, new_product, offers, answer):
                return answer
        raise Conflict(f"Product {product_id} is changing right now; retry shortly")

    def _read_offering(self, contract_id: str, product_id: int) -> _Read:
        pk = layout.contract_pk(contract_id)
        offers = self.items.get(pk, layout.offers_sk(product_id))
        products = self.items.query(pk, prefix=layout.product_prefix(product_id))
        if not products:
            raise NotFound(f"No product {product_id} in contract {contract_id}")
        return _Read(products[0], products[1:], offers)

    def _offers_unchanged(self, read: _Read, contract_id: str, product_id: int) -> bool:
        """Whether no change happened while `read` was taken: every change rewrites the
        offers item, and it was read before the products and is read again now."""
        again = self.items.get(layout.contract_pk(contract_id), layout.offers_sk(product_id))
        if again is None or read.offers is None:
            return again is None and read.offers is None
        return _version(again) == _version(read.offers)

    def _commit_offering(
        self, product_id: int, read: _Read, new_product: Item, offers: list[Record], answer: Record
    ) -> bool:
        """Both items or neither; False when either moved on since it was read."""
        pk = read.product["pk"]
        version = _version(read.product)
        product_write = Write.put(
            layout.storable({**new_product, "version": version + 1}), version=version
        )
        if read.offers is None:
            new_offers = {"pk": pk, "sk": layout.offers_sk(product_id), "offers": offers}
            offers_write = Write.put(layout.storable({**new_offers, "version": 1}), absent=True)
        else:
            current = _version(read.offers)
            new_offers = {**read.offers, "offers": offers, "version": current + 1}
            offers_write = Write.put(layout.storable(new_offers), version=current)
        try:
            receipts.write(self.items, product_write, offers_write, answer=answer)
        except ConditionFailed:
            return False
        return True

    def _offering_today(self, contract_id: str) -> date:
        """Today where the contract is (its address's country), as its back office dates."""
        from selfcare.countries import COUNTRIES

        item = self.items.get(layout.contract_pk(contract_id), layout.CONTRACT) or {}
        code = str((item.get("address") or {}).get("countryId", "")).lower()
        if code not in COUNTRIES:
            return datetime.now(UTC).date()
        return COUNTRIES[code].today()


def _version(item: Item) -> int:
    return int(item.get("version", 0))  # items never changed carry none


def _holds(product_item: Item, offering_id: str) -> bool:
    offerings = product_item["product"].get("offeringList") or []
    return any(o["offeringId"] == offering_id and o.get("active") for o in offerings)


def _offering(product: Record, offer: Record, price: Any, today: date) -> Record:
    """The Offering a product gets for `offer`, as of `today`."""
    from selfcare.models.portfolio import Offering

    base = (product.get("offeringList") or [{}])[0]
    data = {
        "subscriptionNumber": base.get("subscriptionNumber"),
        "measuringElement": base.get("measuringElement"),
        "offeringId": offer["offeringId"],
        "offeringName": offer["offeringName"],
        "active": True,
        "status": ACTIVE,
        "registrationDate": today,
        "fromDate": today,
        "offeringType": ADDITIONAL,
        "mediaType": offer.get("mediaType") or base.get("mediaType"),
        "currencyId": offer.get("currencyId"),
        "priceAmount": price,
    }
    # Validated by the contract model: a malformed offer fails here, before anything is written.
    checked = Offering.model_validate(data).model_dump(exclude_none=True)
    stored: Record = layout.storable(checked)
    return stored


def _cancelled(offering: Record, today: date) -> Record:
    devices = [
        {**device, "active": False, "status": RETIRED} for device in offering.get("deviceList", [])
    ]
    cancelled = {**offering, "active": False, "status": CANCELLED, "toDate": today.isoformat()}
    if devices:
        cancelled["deviceList"] = devices
    return cancelled


def _offer_from(product: Record, offering: Record) -> Record:
    """The CommercialOffering of an offering the product had before it was offered here."""
    offer = {
        "offeringId": offering["offeringId"],
        "offeringName": offering["offeringName"],
        "productId": str(product["productId"]),
        "productName": product["productName"],
        "amount": offering.get("priceAmount"),
        "currencyId": offering.get("currencyId"),
        "mediaType": offering.get("mediaType"),
    }
    return {key: value for key, value in offer.items() if value is not None}
