"""Sandbox portfolio: what a contract subscribes (products, offerings, devices), its offers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from selfcare.adapters.sandbox.data_common import (
    DEVICE_KINDS,
    DEVICES,
    INTERNET,
    PHONE,
    PRODUCT_NAMES,
    TV,
    City,
    DeviceModel,
    Plan,
    serial_number,
)
from selfcare.adapters.sandbox.generator_util import Ctx, dump
from selfcare.models.portfolio import CommercialOffering, Product

COMBOS = ((INTERNET,), (INTERNET, TV), (INTERNET, TV, PHONE), (TV,), (INTERNET, PHONE), (PHONE,))
COMBO_WEIGHTS = (25, 35, 20, 8, 9, 3)
ADDON_COUNTS, ADDON_WEIGHTS = (0, 1, 2, 3), (40, 30, 20, 10)


@dataclass(frozen=True)
class Subscription:
    """One offering of a product: the base plan or an add-on, with its life span."""

    plan: Plan
    price: Decimal
    registered: date
    start: date
    end: date | None = None  # cancelled add-ons

    def billed_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Holding:
    """A product the contract has: one subscription number, base offering first."""

    product: int
    key: int  # unique in the country: ids derive from it
    number: str  # subscriptionNumber
    line: str | None  # Telefonía: the phone number (measuring element)
    subscriptions: tuple[Subscription, ...]

    @property
    def base(self) -> Subscription:
        return self.subscriptions[0]


def choose_holdings(
    ctx: Ctx, rng: random.Random, ckey: int, city: City, media: str, tenure: int, phone: bool
) -> tuple[Holding, ...]:
    """The products of contract `ckey` started `tenure` days ago (`phone`: force Telefonía)."""
    combo = rng.choices(COMBOS, COMBO_WEIGHTS)[0]
    second_tv = rng.random() < 0.08
    if media == "DTH":
        products = [TV]
    elif media == "Cobre":
        products = [PHONE]
    else:
        products = list((INTERNET, TV, PHONE) if phone and PHONE not in combo else combo)
    if second_tv and TV in products:
        products.insert(products.index(TV) + 1, TV)
    start = ctx.as_of - timedelta(days=tenure)
    # Where the line is the subscription (gt), every product has a line-like number.
    line_ids = ctx.country.paperless_id_type == "subscriptions"
    holdings = []
    for n, product in enumerate(products):
        key = ckey * 4 + n
        if line_ids:
            number = ctx.line(key, city.phone_prefix, "subscription")
            line = number if product == PHONE else None
        else:
            number = ctx.digits(key, 9, "subscription")
            line = ctx.line(ckey, city.phone_prefix, "line")
            line = line if product == PHONE else None
        subs = _subscriptions(ctx, rng, product, media, start, tenure)
        holdings.append(Holding(product, key, number, line, subs))
    return tuple(holdings)


def _subscriptions(
    ctx: Ctx, rng: random.Random, product: int, media: str, start: date, tenure: int
) -> tuple[Subscription, ...]:
    money = ctx.country.money
    plans = [p for p in ctx.data.plans if p.product == product and media in p.media]
    base = rng.choice([p for p in plans if p.base])
    subs = [Subscription(base, money(base.price), start, start + timedelta(rng.randint(0, 5)))]
    addons = [p for p in plans if not p.base]
    count = rng.choices(ADDON_COUNTS, ADDON_WEIGHTS)[0]
    for plan in rng.sample(addons, max(0, min(count, len(addons) - 2))):  # 2 left to offer
        age = 2 + int((tenure - 12) * rng.random() ** 2)  # recent add-ons are more common
        registered = ctx.as_of - timedelta(days=age)
        begin = registered + timedelta(days=rng.randint(0, 1))
        cancelled, share = rng.random() < 0.1, rng.random()
        end = begin + timedelta(days=1 + int(share * (age - 2))) if cancelled else None
        subs.append(Subscription(plan, money(plan.price), registered, begin, end))
    return tuple(subs)


# --- products as the contract shows them ----------------------------------------------------


def product_records(
    ctx: Ctx, rng: random.Random, holdings: tuple[Holding, ...], media: str, street: str
) -> list[dict[str, Any]]:
    has_internet = any(h.product == INTERNET for h in holdings)
    return [
        dump(
            Product,
            {
                "productId": h.product,
                "productName": PRODUCT_NAMES[h.product],
                "serviceAddress": street,
                "offeringList": _offerings(ctx, rng, h, media, has_internet),
            },
        )
        for h in holdings
    ]


def _offerings(
    ctx: Ctx, rng: random.Random, holding: Holding, media: str, has_internet: bool
) -> list[dict[str, Any]]:
    device_keys = iter(range(holding.key * 8, holding.key * 8 + 8))
    offerings = []
    for n, sub in enumerate(holding.subscriptions):
        plan = sub.plan
        kinds: tuple[str, ...] = (plan.device,) if plan.device else ()
        count = 1
        if n == 0:
            kinds = DEVICE_KINDS[holding.product]
            count = 2 if holding.product == TV and rng.random() < 0.3 else 1
            if holding.product == PHONE and (media != "HFC" and has_internet):
                count = 0  # the line runs on the Internet ONT
        models = [m for m in DEVICES if kinds and media in m.media and m.kind.startswith(kinds)]
        active, devices = sub.end is None, []
        if models:
            model = rng.choice(models)
            devices = [_device(ctx, rng, model, next(device_keys), active) for _ in range(count)]
        offerings.append(
            {
                "subscriptionNumber": holding.number,
                "measuringElement": holding.line,
                "offeringId": plan.id,
                "offeringName": plan.name,
                "offeringLegacyId": plan.legacy or None,
                "active": active,
                "status": "Activo" if active else "Cancelado",
                "registrationDate": sub.registered,
                "fromDate": sub.start,
                "toDate": sub.end,
                "offeringType": "Principal" if plan.base else "Adicional",
                "mediaType": media,
                "currencyId": ctx.country.currency,
                "priceAmount": sub.price,
                "bundledItemList": _bundled(ctx, plan, sub.start) or None,
                "deviceList": devices or None,
            }
        )
    return offerings


def _device(
    ctx: Ctx, rng: random.Random, model: DeviceModel, key: int, active: bool
) -> dict[str, Any]:
    return {
        "deviceId": int(ctx.digits(key, 8, "device")),
        "serialNumber": serial_number(rng, model.serial),
        "modelId": model.id,
        "modelName": model.name,
        "manufacturer": model.manufacturer,
        "type": model.kind,
        "active": active,
        "status": "Activo" if active else "Retirado",
        "extendedUniqueIdentifier": _mac(rng),
    }


def _bundled(ctx: Ctx, plan: Plan, start: date) -> list[dict[str, Any]]:
    return [
        {
            "bundledItemId": int(plan.id) * 10 + n + 1,
            "bundledItemName": name,
            "currencyId": ctx.country.currency,
            "priceAmount": ctx.country.money(0),
            "fromDate": start,
            "bundledItemType": "Velocidad" if name.startswith("Velocidad")
            else "Canales" if name.startswith(("Paquete", "Tigo")) else "Servicio",
        }
        for n, name in enumerate(plan.items)
    ]  # fmt: skip


def _mac(rng: random.Random) -> str:
    octets = [rng.randrange(256) for _ in range(6)]
    octets[0] &= 0xFC  # unicast, globally administered
    return ":".join(f"{o:02X}" for o in octets)


# --- offers ---------------------------------------------------------------------------------


def available_offers(
    ctx: Ctx, rng: random.Random, holdings: tuple[Holding, ...], media: str
) -> dict[str, list[dict[str, Any]]]:
    """2-5 offerings per product the contract has: upgrades and add-ons it lacks."""
    money = ctx.country.money
    offers: dict[str, list[dict[str, Any]]] = {}
    for product in sorted({h.product for h in holdings}):
        mine = [h for h in holdings if h.product == product]
        owned = {s.plan.id for h in mine for s in h.subscriptions if s.end is None}
        current = max(h.base.price for h in mine)
        plans = [p for p in ctx.data.plans if p.product == product and media in p.media]
        fresh = [p for p in plans if p.id not in owned]
        wanted = [p for p in fresh if not p.base or money(p.price) > current]
        if len(wanted) < 2:
            wanted = fresh
        count = rng.randint(2, 5)
        picked = set(rng.sample(wanted, min(count, len(wanted))))
        offers[str(product)] = [_offer(ctx, p, media) for p in plans if p in picked]
    return offers


def _offer(ctx: Ctx, plan: Plan, media: str) -> dict[str, Any]:
    money = ctx.country.money
    price = money(plan.price)
    promo = plan.promo
    return dump(
        CommercialOffering,
        {
            "offeringId": plan.id,
            "offeringName": plan.name,
            "includedAssets": plan.assets,
            "offeringDescription": plan.description,
            "productId": str(plan.product),
            "productName": PRODUCT_NAMES[plan.product],
            "amount": price,
            "currencyId": ctx.country.currency,
            "promotionAmount": money(price * (100 - promo.percent) / 100) if promo else None,
            "promotionDescription": promo.description if promo else None,
            "promotionCode": promo.code if promo else None,
            "promotionStatus": "Vigente" if promo else None,
            "mediaType": media,
            "details": plan.details or None,
        },
    )
