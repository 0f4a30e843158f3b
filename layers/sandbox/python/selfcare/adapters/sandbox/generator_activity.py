"""Sandbox activity: calls of the Telefonía lines, service requests and technician visits."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from selfcare.adapters.sandbox.data_common import (
    INTERNATIONAL_MINUTES,
    MOBILE_MINUTES,
    OPEN_STATUSES,
    PRODUCT_NAMES,
    REQUEST_TYPES,
    SCHEDULES,
    City,
    Department,
)
from selfcare.adapters.sandbox.generator_portfolio import Holding
from selfcare.adapters.sandbox.generator_util import (
    Ctx,
    add_months,
    between,
    dump,
    stamp,
)
from selfcare.models.billing import CallDetail
from selfcare.models.cases import ServiceAction, ServiceRequest

LOCAL, NATIONAL, MOBILE, INTERNATIONAL = "Local", "Nacional", "Celular", "Internacional"
CALL_WEIGHTS = {LOCAL: 45, NATIONAL: 20, MOBILE: 27, INTERNATIONAL: 8}
CALL_SECONDS = {LOCAL: (20, 900), NATIONAL: (30, 1200), MOBILE: (15, 600),
                INTERNATIONAL: (60, 1800)}  # fmt: skip
CALL_HOURS = tuple(range(7, 22))
CALL_HOUR_WEIGHTS = (2, 4, 6, 7, 7, 6, 5, 6, 7, 7, 8, 8, 7, 5, 3)


@dataclass(frozen=True)
class Place:
    """Where a contract's Telefonía line is installed."""

    department: Department
    city: City


# --- calls ----------------------------------------------------------------------------------


def calls(ctx: Ctx, rng: random.Random, line: Holding, place: Place) -> list[dict[str, Any]]:
    """10-30 calls a month over the six months before as_of, oldest first."""
    if line.line is None:
        raise ValueError("calls are made from Telefonía lines only")
    kinds = [k for k in CALL_WEIGHTS if k != LOCAL or ctx.country.local_calls]
    weights = [CALL_WEIGHTS[k] for k in kinds]
    made = []
    for month in range(6):
        first = add_months(ctx.as_of, month - 6)
        last = add_months(ctx.as_of, month - 5) - timedelta(days=1)
        for n in range(rng.randint(10, 30)):
            kind = rng.choices(kinds, weights)[0]
            if n == 0 and ctx.country.local_calls:
                kind = LOCAL  # every month has local calls where they exist
            day = between(rng, first, last)
            start = datetime.combine(day, datetime.min.time()) + timedelta(
                hours=rng.choices(CALL_HOURS, CALL_HOUR_WEIGHTS)[0],
                minutes=rng.randrange(60),
                seconds=rng.randrange(60),
            )
            low, high = CALL_SECONDS[kind]
            seconds = int(low + (high - low) * rng.random() ** 2)
            made.append(_call(ctx, rng, line, place, kind, start, seconds))
    made.sort(key=lambda call: call["dateTimeStart"])
    return made


def _call(
    ctx: Ctx,
    rng: random.Random,
    line: Holding,
    place: Place,
    kind: str,
    start: datetime,
    seconds: int,
) -> dict[str, Any]:
    length = ctx.country.phone_plan.length
    city, state, operator = None, None, None
    if kind == LOCAL:
        destination = _fixed(rng, place.city.phone_prefix, length)
        city, state = place.city.name, place.department.name
    elif kind == NATIONAL:
        others = [(d, c) for d in ctx.data.departments for c in d.cities if c != place.city]
        department, other = rng.choice(others)
        destination = _fixed(rng, other.phone_prefix, length)
        city, state = other.name, department.name
    elif kind == MOBILE:
        destination = ctx.country.generate_phone(rng, mobile=True)
        operator = rng.choice(ctx.data.mobile_operators)
    else:
        code, area, city, state = rng.choice(ctx.data.international)
        local = "".join(str(rng.randrange(10)) for _ in range(7 if area else 8))
        destination = f"{ctx.data.international_prefix}{code}{area}{local}"
    addon = {MOBILE: MOBILE_MINUTES, INTERNATIONAL: INTERNATIONAL_MINUTES}.get(kind)
    day = start.date()
    offering = next(
        (s.plan.name for s in line.subscriptions if s.plan.id == addon and s.billed_on(day)),
        line.base.plan.name,
    )
    detail = {
        "origin": line.line,
        "destination": destination,
        "destinationCityName": city,
        "destionationStateName": state,
        "dateTimeStart": stamp(start),
        "dateTimeEnd": stamp(start + timedelta(seconds=seconds)),
        "duration": round(seconds / 60, 2),
        "destinationType": kind,
        "operatorName": operator,
        "callOffering": offering,
    }
    return {**dump(CallDetail, detail), "measuringElement": line.line}


def _fixed(rng: random.Random, prefix: str, length: int) -> str:
    rest = length - len(prefix)
    return prefix + str(rng.randint(2 * 10 ** (rest - 1), 10**rest - 1))


# --- service requests -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    request: dict[str, Any]  # ServiceRequest dump
    visit: dict[str, Any] | None  # its future ServiceAction, when a technician is scheduled


def service_requests(
    ctx: Ctx, rng: random.Random, ckey: int, holdings: tuple[Holding, ...], visit: bool
) -> list[Case]:
    """0-2 requests created in the last 30 days; `visit` forces a scheduled future visit."""
    count = rng.choices((0, 1, 2), (62, 28, 10))[0]
    held = {h.product for h in holdings}
    templates = [t for t in REQUEST_TYPES if t[1] in held]
    cases = []
    for n in range(max(count, 1) if visit else count):
        kind, product, group, transaction, work = rng.choice(templates)
        holding = next(h for h in holdings if h.product == product)
        roll, age = rng.random(), rng.randint(1, 30)
        created = (
            ctx.now
            - timedelta(days=age)
            + timedelta(
                hours=rng.randint(6, 21), minutes=rng.randrange(60), seconds=rng.randrange(60)
            )
        )
        open_hours = (ctx.now - created).total_seconds() / 3600
        remote = min(2 + 20 * rng.random(), open_hours)  # hours to solve it without a visit
        visit_day = ctx.as_of + timedelta(days=rng.randint(1, 6))
        slot = rng.choice(SCHEDULES)
        slot_start = timedelta(hours=slot[1])
        open_status = rng.choice(OPEN_STATUSES)
        offering = {
            "offeringId": holding.base.plan.id,
            "offeringName": holding.base.plan.name,
            "offeringType": transaction,
            "subscriptionNumber": holding.number,
            "measuringElement": holding.line,
            "productId": product,
            "productName": PRODUCT_NAMES[product],
            "details": work,
        }
        action = _action(ctx, rng, offering)
        scheduled = (visit and n == 0) or roll < 0.35
        future = None
        if scheduled:  # a technician comes after as_of
            status, sub_status, duration = "En progreso", "Agendado", open_hours
            start = datetime.combine(visit_day, datetime.min.time()) + slot_start
            future = action | _slot(start, slot[2], slot[0], "Agendado")
            actions = [future]
        elif roll < 0.6:
            (status, sub_status), duration, actions = open_status, open_hours, []
        elif age >= 2:  # solved by a technician the day after it was opened
            start = datetime.combine(created.date() + timedelta(days=1), datetime.min.time())
            done = action | _slot(start + slot_start, slot[2], slot[0], "Finalizado")
            end = start + slot_start + timedelta(hours=slot[2])
            status, sub_status, actions = "Cerrado", "Solucionado", [done]
            duration = (end - created).total_seconds() / 3600
        else:  # solved remotely
            status, sub_status, duration, actions = "Cerrado", "Solucionado", remote, []
        request = {
            "serviceId": str(rng.randrange(10**8, 10**9)),
            "creationDate": stamp(created),
            "productName": PRODUCT_NAMES[product],
            "serviceRequestId": f"1-{ctx.digits(ckey * 4 + n, 13, 'request')}",
            "status": status,
            "requestType": kind,
            "subStatus": sub_status,
            "externalId": str(rng.randrange(10**15, 10**16)),
            "asignedGroup": group,
            "ServiceActionList": [dump(ServiceAction, a) for a in actions] or None,
            "duration": round(duration, 2),
        }
        planned = dump(ServiceAction, future) if future else None
        cases.append(Case(dump(ServiceRequest, request), planned))
    return cases


def _action(ctx: Ctx, rng: random.Random, offering: dict[str, Any]) -> dict[str, Any]:
    data = ctx.data
    first = rng.choice(data.first_names_male + data.first_names_female)
    name = f"{first} {rng.choice(data.surnames)} {rng.choice(data.surnames)}"
    document = next(iter(ctx.country.documents.values())).generate(rng)
    photo = "".join(ch for ch in document if ch.isdigit())
    return {
        "serviceActionId": str(rng.randint(10_000, 999_999)),
        "type": "Agenda",
        "technicianName": name,
        "technicianDocumentId": document,
        "technicianPictureURL": f"https://{data.photo_host}/fotostecnicos/{photo}.jpg",
        "technicianContractorCompany": rng.choice(data.contractors),
        "SimplifiedOfferingList": [offering],
    }


def _slot(start: datetime, hours: int, kind: str, status: str) -> dict[str, Any]:
    return {
        "status": status,
        "startDateTime": stamp(start),
        "endDateTime": stamp(start + timedelta(hours=hours)),
        "scheduleType": kind,
    }
