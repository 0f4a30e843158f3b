"""Adding and removing offerings in the sandbox catalogue: what the household sees after each
change, what is refused (and leaves everything as it was), and concurrent changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from selfcare import countries
from selfcare.adapters.items import MemoryItems, Write
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country
from selfcare.errors import Conflict, InvalidParameter, NotFound
from selfcare.models.portfolio import CommercialOffering, Product
from tests.support.races import MeetAtFirstRead, failures, one_winner, race

COUNTRIES = ("co", "gt", "sv")
AS_OF = date(2026, 10, 15)
Record = dict[str, Any]


@cache
def dataset(country: str) -> Record:
    return generate_dataset(country, AS_OF)


def backend(country: str) -> SandboxBackend:
    return SandboxBackend(MemoryItems(layout.dataset_items(dataset(country))))


def contracts(country: str) -> Iterator[Record]:
    for customer in dataset(country)["customers"]:
        yield from customer["contracts"]


def first(country: str, wanted: Callable[[Record, Record], bool]) -> tuple[Record, Record]:
    """(contract, product) of the first product of the dataset that `wanted` accepts."""
    for contract in contracts(country):
        for product in contract["products"]:
            if wanted(contract, product):
                return contract, product
    raise LookupError("no such product in the dataset")


def offers_of(contract: Record, product: Record) -> list[Record]:
    return contract["availableOffers"].get(str(product["productId"]), [])


def with_an_offer(country: str) -> tuple[SandboxBackend, Record, Record, Record]:
    """A fresh store, and the first product of the dataset with an offer: its contract, the
    product and the offer."""
    contract, product = first(country, with_offer)
    return backend(country), contract, product, offers_of(contract, product)[0]


def is_first_of_its_id(contract: Record, product: Record) -> bool:
    same = [p for p in contract["products"] if p["productId"] == product["productId"]]
    return same[0] is product


def with_offer(contract: Record, product: Record) -> bool:
    return is_first_of_its_id(contract, product) and bool(offers_of(contract, product))


def today_in(country: str) -> str:
    return datetime.now(ZoneInfo(get_country(country).timezone)).date().isoformat()


def snapshot(store: SandboxBackend, contract_id: str) -> tuple[Any, ...]:
    products = store.products(contract_id)
    ids = {int(p["productId"]) for p in products}
    return products, {n: store.available_offers(contract_id, n) for n in ids}


def stored(value: Any) -> Any:
    """A dataset value as the store answers it (ISO dates, Decimal numbers)."""
    return MemoryItems([{"pk": "x", "sk": "x", "v": layout.storable(value)}]).get("x", "x")["v"]


def offering(product: Record, offering_id: str, active: bool = True) -> list[Record]:
    return [
        o
        for o in product["offeringList"]
        if o["offeringId"] == offering_id and bool(o.get("active")) == active
    ]


# --- adding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES)
def test_an_added_offering_joins_the_product_and_leaves_the_offers(country):
    store, contract, product, offer = with_an_offer(country)
    cid, pid = contract["contractId"], product["productId"]
    before = store.monthly_charges(cid)
    day = today_in(country)

    added = store.add_offering(cid, pid, offer["offeringId"], None)

    base = product["offeringList"][0]
    assert added["subscriptionNumber"] == base["subscriptionNumber"]
    assert added.get("measuringElement") == base.get("measuringElement")
    assert (added["offeringType"], added["active"], added["status"]) == (
        "Adicional",
        True,
        "Activo",
    )
    assert added["registrationDate"] in {day, today_in(country)}  # a test may straddle midnight
    assert added["fromDate"] == added["registrationDate"]
    assert (added["currencyId"], added["priceAmount"]) == (offer["currencyId"], offer["amount"])
    shown = store.product(cid, pid)
    assert shown["offeringList"][-1] == added
    Product.model_validate(shown)  # still what the contract promises
    assert store.product(cid, pid, base["subscriptionNumber"]) == shown
    assert shown in store.products(cid)
    offered = [o["offeringId"] for o in store.available_offers(cid, pid)]
    assert offer["offeringId"] not in offered
    assert store.monthly_charges(cid) == before + offer["amount"]


@pytest.mark.parametrize(
    ("country", "day"), [("co", "2026-11-26"), ("gt", "2026-11-26"), ("sv", "2026-11-26")]
)
def test_changes_are_dated_in_the_countrys_time_zone(monkeypatch, country, day):
    from selfcare.adapters.sandbox import offerings

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # 10 pm in Bogotá, 9 pm in Guatemala: already the 27th in UTC
            return datetime(2026, 11, 27, 3, 0, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(offerings, "datetime", Clock)
    monkeypatch.setattr(countries, "datetime", Clock)  # where the country's day is told
    store, contract, product, offer = with_an_offer(country)
    offer_id = offer["offeringId"]
    added = store.add_offering(contract["contractId"], product["productId"], offer_id, None)
    removed = store.remove_offering(contract["contractId"], product["productId"], offer_id)
    assert added["registrationDate"] == added["fromDate"] == removed["toDate"] == day


def test_a_telephony_offering_carries_the_line():
    contract, product = first(
        "co", lambda c, p: with_offer(c, p) and bool(p["offeringList"][0].get("measuringElement"))
    )
    offer = offers_of(contract, product)[-1]
    added = backend("co").add_offering(
        contract["contractId"], product["productId"], offer["offeringId"], None
    )
    assert added["measuringElement"] == product["offeringList"][0]["measuringElement"]


@pytest.mark.parametrize("country", COUNTRIES)
def test_the_promotion_code_gives_the_promotion_price(country):
    contract, product = first(
        country,
        lambda c, p: (
            is_first_of_its_id(c, p) and any(o.get("promotionCode") for o in offers_of(c, p))
        ),
    )
    offer = next(o for o in offers_of(contract, product) if o.get("promotionCode"))
    added = backend(country).add_offering(
        contract["contractId"], product["productId"], offer["offeringId"], offer["promotionCode"]
    )
    assert added["priceAmount"] == offer["promotionAmount"] < offer["amount"]


@pytest.mark.parametrize("code_of", ["wrong", "another offer's", "none on offer"])
def test_a_promotion_code_that_is_not_the_offers_is_refused_and_changes_nothing(code_of):
    def wanted(c: Record, p: Record) -> bool:
        offers = offers_of(c, p)
        return (
            is_first_of_its_id(c, p)
            and any(o.get("promotionCode") for o in offers)
            and any(not o.get("promotionCode") for o in offers)
        )

    contract, product = first("co", wanted)
    offers = offers_of(contract, product)
    promoted = next(o for o in offers if o.get("promotionCode"))
    plain = next(o for o in offers if not o.get("promotionCode"))
    target, code = {
        "wrong": (promoted, promoted["promotionCode"] + "X"),
        "another offer's": (plain, promoted["promotionCode"]),
        "none on offer": (plain, "PROMO"),
    }[code_of]
    store = backend("co")
    before = snapshot(store, contract["contractId"])
    with pytest.raises(InvalidParameter) as refused:
        store.add_offering(contract["contractId"], product["productId"], target["offeringId"], code)
    assert refused.value.parameter == "promotionCode" and refused.value.status == 400
    assert snapshot(store, contract["contractId"]) == before


def test_refusals_of_an_add_change_nothing():
    contract, product = first("co", lambda c, p: with_offer(c, p) and len(p["offeringList"]) > 1)
    cid, pid = contract["contractId"], product["productId"]
    held = next(o["offeringId"] for o in product["offeringList"] if o.get("active"))
    store = backend("co")
    before = snapshot(store, cid)
    cases = [
        (pid, "99999", NotFound, "99999"),  # not offered
        (999, offers_of(contract, product)[0]["offeringId"], NotFound, "product 999"),
        (pid, held, Conflict, held),  # already on the product
    ]
    for product_id, offering_id, error, named in cases:
        with pytest.raises(error) as refused:
            store.add_offering(cid, product_id, offering_id, None)
        assert named in refused.value.message
        assert snapshot(store, cid) == before


def test_adding_the_same_offer_twice_is_a_conflict():
    contract, product = first("sv", with_offer)
    cid, pid = contract["contractId"], product["productId"]
    offer_id = offers_of(contract, product)[0]["offeringId"]
    store = backend("sv")
    store.add_offering(cid, pid, offer_id, None)
    with pytest.raises(Conflict):
        store.add_offering(cid, pid, offer_id, None)
    assert len(offering(store.product(cid, pid), offer_id)) == 1


# --- removing -------------------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES)
def test_removing_an_added_offering_cancels_it_and_offers_it_again_as_before(country):
    store, contract, product, offer = with_an_offer(country)
    cid, pid = contract["contractId"], product["productId"]
    charges = store.monthly_charges(cid)
    store.add_offering(cid, pid, offer["offeringId"], None)
    day = today_in(country)

    removed = store.remove_offering(cid, pid, offer["offeringId"])

    assert (removed["active"], removed["status"]) == (False, "Cancelado")
    assert removed["toDate"] in {day, today_in(country)}
    shown = store.product(cid, pid)
    assert offering(shown, offer["offeringId"], active=False) == [removed]
    Product.model_validate(shown)
    back = [o for o in store.available_offers(cid, pid) if o["offeringId"] == offer["offeringId"]]
    assert back == [offer]  # with its description and promotion, as it was offered
    assert store.monthly_charges(cid) == charges


@pytest.mark.parametrize("country", COUNTRIES)
def test_removing_a_seeded_add_on_offers_it_at_what_the_household_paid(country):
    def wanted(c: Record, p: Record) -> bool:
        return is_first_of_its_id(c, p) and any(o.get("active") for o in p["offeringList"][1:])

    contract, product = first(country, wanted)
    cid, pid = contract["contractId"], product["productId"]
    addon = next(o for o in product["offeringList"][1:] if o.get("active"))
    store = backend(country)
    charges = store.monthly_charges(cid)

    store.remove_offering(cid, pid, addon["offeringId"])

    offer = next(
        o for o in store.available_offers(cid, pid) if o["offeringId"] == addon["offeringId"]
    )
    assert offer == {
        "offeringId": addon["offeringId"],
        "offeringName": addon["offeringName"],
        "productId": str(pid),
        "productName": product["productName"],
        "amount": addon["priceAmount"],
        "currencyId": addon["currencyId"],
        "mediaType": addon["mediaType"],
    }
    CommercialOffering.model_validate(offer)
    assert store.monthly_charges(cid) == charges - addon["priceAmount"]
    cancelled = offering(store.product(cid, pid), addon["offeringId"], active=False)
    assert cancelled and cancelled[0]["status"] == "Cancelado"


def test_the_devices_of_a_removed_offering_are_retired():
    def wanted(c: Record, p: Record) -> bool:
        addons = [o for o in p["offeringList"][1:] if o.get("active") and o.get("deviceList")]
        return is_first_of_its_id(c, p) and bool(addons)

    contract, product = first("sv", wanted)
    cid, pid = contract["contractId"], product["productId"]
    addon = next(o for o in product["offeringList"][1:] if o.get("active") and o.get("deviceList"))
    store = backend("sv")
    removed = store.remove_offering(cid, pid, addon["offeringId"])
    devices = removed["deviceList"]
    assert [d["serialNumber"] for d in devices] == [d["serialNumber"] for d in addon["deviceList"]]
    assert {(d["active"], d["status"]) for d in devices} == {(False, "Retirado")}


def test_an_offering_removed_can_be_added_again_and_shows_once():
    contract, product = first("gt", with_offer)
    cid, pid = contract["contractId"], product["productId"]
    offer_id = offers_of(contract, product)[0]["offeringId"]
    store = backend("gt")
    for _ in range(3):
        store.add_offering(cid, pid, offer_id, None)
        store.remove_offering(cid, pid, offer_id)
    store.add_offering(cid, pid, offer_id, None)
    entries = [o for o in store.product(cid, pid)["offeringList"] if o["offeringId"] == offer_id]
    assert [o["active"] for o in entries] == [True]


def test_refusals_of_a_removal_change_nothing():
    def wanted(c: Record, p: Record) -> bool:
        return is_first_of_its_id(c, p) and any(not o.get("active") for o in p["offeringList"])

    contract, product = first("co", wanted)
    cid, pid = contract["contractId"], product["productId"]
    base = product["offeringList"][0]["offeringId"]
    gone = next(o["offeringId"] for o in product["offeringList"] if not o.get("active"))
    store = backend("co")
    before = snapshot(store, cid)
    for offering_id, error, named in (
        (base, Conflict, "base offering"),
        (gone, Conflict, "already cancelled"),
        ("99999", NotFound, "99999"),
    ):
        with pytest.raises(error) as refused:
            store.remove_offering(cid, pid, offering_id)
        assert named in refused.value.message
        assert snapshot(store, cid) == before
    with pytest.raises(NotFound):
        store.remove_offering(cid, 999, base)


def test_with_two_products_of_the_same_id_changes_act_on_the_first():
    def wanted(c: Record, p: Record) -> bool:
        same = [q for q in c["products"] if q["productId"] == p["productId"]]
        return len(same) > 1 and same[0] is p and bool(offers_of(c, p))

    contract, product = first("co", wanted)
    cid, pid = contract["contractId"], product["productId"]
    second = [p for p in contract["products"] if p["productId"] == pid][1]
    offer_id = offers_of(contract, product)[0]["offeringId"]
    store = backend("co")
    store.add_offering(cid, pid, offer_id, None)
    first_shown = store.product(cid, pid)
    assert first_shown["offeringList"][0] == stored(product["offeringList"][0])
    assert offering(first_shown, offer_id)
    sub = second["offeringList"][0]["subscriptionNumber"]
    assert store.product(cid, pid, sub) == stored(second)  # untouched


def test_an_offering_the_other_product_of_the_id_still_has_is_not_offered_again():
    def wanted(c: Record, p: Record) -> bool:
        same = [q for q in c["products"] if q["productId"] == p["productId"]]
        addons = [o for o in p["offeringList"][1:] if o.get("active")]
        return len(same) > 1 and same[0] is p and bool(addons)

    contract, product = first("co", wanted)
    cid, pid = contract["contractId"], product["productId"]
    addon = next(o for o in product["offeringList"][1:] if o.get("active"))
    second = [p for p in contract["products"] if p["productId"] == pid][1]
    items = MemoryItems(layout.dataset_items(dataset("co")))
    sub = second["offeringList"][0]["subscriptionNumber"]
    both = {**second, "offeringList": [*second["offeringList"], addon]}  # the second has it too
    items.put_all(
        [
            layout.storable(
                {
                    "pk": layout.contract_pk(cid),
                    "sk": layout.product_prefix(pid) + sub,
                    "product": both,
                }
            )
        ]
    )
    store = SandboxBackend(items)
    store.remove_offering(cid, pid, addon["offeringId"])
    assert addon["offeringId"] not in [o["offeringId"] for o in store.available_offers(cid, pid)]


# --- all or nothing, and concurrent changes -------------------------------------------------


class Interfering(MemoryItems):
    """Before the first transaction, someone else changes the item at `key` with `change`."""

    def __init__(self, items, key: tuple[str, str], change: Callable[[Record], None]) -> None:
        super().__init__(items)
        self.key, self.change, self.interfered = key, change, False

    def write(self, *writes: Write) -> None:
        if len(writes) > 1 and not self.interfered:
            self.interfered = True
            item = self.get(*self.key)
            self.change(item)
            super().write(Write.put({**item, "version": int(item.get("version", 0)) + 1}))
        super().write(*writes)


def test_a_change_that_met_another_on_the_offers_is_decided_again_on_what_is_there_now():
    contract, product = first("co", lambda c, p: with_offer(c, p) and len(offers_of(c, p)) >= 2)
    cid, pid = contract["contractId"], product["productId"]
    taken, wanted = offers_of(contract, product)[:2]

    def take_first(item: Record) -> None:  # another change took the first offer
        item["offers"] = item["offers"][1:]

    key = (layout.contract_pk(cid), layout.offers_sk(pid))
    store = SandboxBackend(Interfering(layout.dataset_items(dataset("co")), key, take_first))
    store.add_offering(cid, pid, wanted["offeringId"], None)
    offers = [o["offeringId"] for o in store.available_offers(cid, pid)]
    # The other change is kept (not overwritten) and ours applied once on top of it.
    assert taken["offeringId"] not in offers and wanted["offeringId"] not in offers
    assert len(offering(store.product(cid, pid), wanted["offeringId"])) == 1


def test_a_change_that_met_another_on_the_product_keeps_both():
    contract, product = first("co", with_offer)
    cid, pid = contract["contractId"], product["productId"]
    offer_id = offers_of(contract, product)[0]["offeringId"]
    moved = "Calle 1 # 2-3"

    def move(item: Record) -> None:  # another change of the product meanwhile
        item["product"]["serviceAddress"] = moved

    sk = layout.product_prefix(pid) + product["offeringList"][0]["subscriptionNumber"]
    key = (layout.contract_pk(cid), sk)
    store = SandboxBackend(Interfering(layout.dataset_items(dataset("co")), key, move))
    store.add_offering(cid, pid, offer_id, None)
    shown = store.product(cid, pid)
    assert shown["serviceAddress"] == moved and len(offering(shown, offer_id)) == 1


class Meanwhile(MemoryItems):
    """Runs `hook` (another change) just before the next query: after a change read the
    product's offers, before it reads the product."""

    hook: Callable[[], Any] | None = None

    def query(self, pk: str, **kwargs: Any) -> Any:
        hook, self.hook = self.hook, None
        if hook is not None:
            hook()
        return super().query(pk, **kwargs)


def test_an_add_that_meets_the_removal_of_the_same_offering_goes_through():
    contract, product = first("co", with_offer)
    cid, pid = contract["contractId"], product["productId"]
    offer_id = offers_of(contract, product)[0]["offeringId"]
    items = Meanwhile(layout.dataset_items(dataset("co")))
    store = SandboxBackend(items)
    store.add_offering(cid, pid, offer_id, None)
    items.hook = lambda: store.remove_offering(cid, pid, offer_id)
    # It read the offers while the offering was on the product, and the product after it
    # was removed: neither "not offered" nor "already there" is true; it decides again.
    added = store.add_offering(cid, pid, offer_id, None)
    assert items.hook is None and offering(store.product(cid, pid), offer_id) == [added]
    assert offer_id not in [o["offeringId"] for o in store.available_offers(cid, pid)]


def test_a_change_is_never_half_written():
    contract, product = first("co", with_offer)
    cid, pid = contract["contractId"], product["productId"]
    key = (layout.contract_pk(cid), layout.offers_sk(pid))

    class Busy(MemoryItems):
        def write(self, *writes: Write) -> None:  # the offers always moved on meanwhile
            item = self.get(*key)
            MemoryItems.write(self, Write.put({**item, "version": int(item.get("version", 0)) + 1}))
            super().write(*writes)

    store = SandboxBackend(Busy(layout.dataset_items(dataset("co"))))
    before = store.product(cid, pid)
    with pytest.raises(Conflict):
        store.add_offering(cid, pid, offers_of(contract, product)[0]["offeringId"], None)
    assert store.product(cid, pid) == before


def racing(items: MemoryItems, pid: int, barrier) -> SandboxBackend:
    """The backend as each racer sees it: having read the product (its last read before it
    decides), it waits until every racer has read it too (tests/support/races.py)."""
    product = layout.product_prefix(pid)
    return SandboxBackend(MeetAtFirstRead(items, barrier, key=lambda _, sk: sk == product))


def test_concurrent_adds_of_the_same_offer_add_it_once():
    contract, product = first("co", with_offer)
    cid, pid = contract["contractId"], product["productId"]
    offer_id = offers_of(contract, product)[0]["offeringId"]
    items = MemoryItems(layout.dataset_items(dataset("co")))
    outcomes = race(
        8, lambda _, met: racing(items, pid, met).add_offering(cid, pid, offer_id, None)
    )
    winner, losers = one_winner(outcomes)
    assert winner.value["offeringId"] == offer_id
    assert len(losers) == 7 and failures(losers, Conflict) == []
    assert all("already on product" in str(o.error) for o in losers)
    store = SandboxBackend(items)
    assert offering(store.product(cid, pid), offer_id) == [winner.value]


def test_concurrent_adds_of_different_offers_all_go_through():
    contract, product = first("co", lambda c, p: with_offer(c, p) and len(offers_of(c, p)) >= 3)
    cid, pid = contract["contractId"], product["productId"]
    offer_ids = [o["offeringId"] for o in offers_of(contract, product)]
    items = MemoryItems(layout.dataset_items(dataset("co")))
    store = SandboxBackend(items)
    before = store.monthly_charges(cid)
    outcomes = race(
        len(offer_ids),
        lambda n, met: racing(items, pid, met).add_offering(cid, pid, offer_ids[n], None),
    )
    assert failures(outcomes) == []
    results = [o.value for o in outcomes]
    assert [r["offeringId"] for r in results] == offer_ids  # each answer is its own
    assert all(isinstance(r, dict) for r in results), results
    shown = store.product(cid, pid)
    assert all(len(offering(shown, o)) == 1 for o in offer_ids)
    assert store.available_offers(cid, pid) == []
    total = sum((o["amount"] for o in offers_of(contract, product)), Decimal(0))
    assert store.monthly_charges(cid) == before + total


# --- monthly charges ------------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES)
def test_monthly_charges_are_what_the_newest_monthly_invoice_billed(country):
    """For a contract whose offerings all started (and cancelled ones ended) by its newest
    monthly invoice's date, that invoice billed exactly what monthly_charges says."""
    store = backend(country)
    checked = 0
    for contract in contracts(country):
        newest = [i for i in contract["invoices"] if i["invoiceId"].endswith("01")][-1]
        billed_on = newest["creationDate"]
        offerings = [o for p in contract["products"] for o in p["offeringList"]]
        if any(
            o["fromDate"] > billed_on or (o.get("toDate") and o["toDate"] > billed_on)
            for o in offerings
        ):
            continue
        assert store.monthly_charges(contract["contractId"]) == newest["invoiceAmount"]
        checked += 1
    assert checked >= 30
