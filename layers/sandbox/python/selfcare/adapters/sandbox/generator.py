"""The sandbox backend's dataset: realistic customers, contracts and their history.

`generate_dataset(country, as_of, customers)` is deterministic: each customer, contract and
purpose has its own random stream seeded from strings like "co:7:1:billing", never from
time. Identities (documents, names, ids, phone numbers, emails, cards) do not depend on
`as_of`; dates and date-driven states (paid, overdue, scheduled) are placed relative to it.
Every contract object is built through its pydantic model and dumped (`exclude_none`).
The first customers of each country are demo identities with guaranteed properties.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from selfcare.adapters.sandbox import data_co, data_gt, data_sv
from selfcare.adapters.sandbox.data_common import (
    COMPANY_MAILBOXES,
    EMAIL_DOMAINS,
    ascii_slug,
    plain_ascii,
)
from selfcare.adapters.sandbox.generator_activity import Place, calls, service_requests
from selfcare.adapters.sandbox.generator_billing import (
    ALL_PAID,
    CURRENT_UNPAID,
    OVERDUE,
    RECURRING,
    Account,
    Card,
    Terms,
    invoices,
    make_card,
    paperless_record,
    recurring_record,
    token_record,
)
from selfcare.adapters.sandbox.generator_portfolio import (
    available_offers,
    choose_holdings,
    product_records,
)
from selfcare.adapters.sandbox.generator_util import Ctx, dump
from selfcare.countries import get_country
from selfcare.models.billing import Contract
from selfcare.models.cases import ScheduledVisit, ScheduledVisitInfo
from selfcare.models.customer import Address, CustomerDetailInfo, CustomerExtendedInfo

DATA = {"co": data_co.DATA, "gt": data_gt.DATA, "sv": data_sv.DATA}

# Demo identities: customer index -> (role, why it is worth trying).
THREE, VIP, PHONE, COMPANY, RARE, VISIT = "three", "vip", "phone", "company", "rare", "visit"
DEMOS = (
    (THREE, "three contracts; the first one ({contract}) has overdue invoices"),
    (VIP, "VIP customer; contract {contract} has recurring billing by card and paperless invoice"),
    (PHONE, "Telefonía line {line} (contract {contract}) with six months of calls{local}"),
    (COMPANY, "company customer (NIT), segment PYME"),
    (RARE, "customer identified by a less common document type ({document})"),
    (VISIT, "open service request on contract {contract} with a technician visit scheduled"
            " after the reference date"),
)  # fmt: skip
SEGMENTS = {False: ("10", "Residencial"), True: ("20", "PYME")}


def generate_dataset(country: str, as_of: date, customers: int = 40) -> dict[str, Any]:
    """The sandbox dataset of `country` as of `as_of`: {"country", "asOf", "customers"}."""
    found = get_country(country)
    ctx = Ctx(found, DATA[found.code], as_of)
    taken: set[tuple[str, str]] = set()
    return {
        "country": found.code,
        "asOf": as_of,
        "customers": [_customer(ctx, index, taken) for index in range(customers)],
    }


@dataclass(frozen=True)
class Person:
    document_type: str  # upper-case code
    number: str
    name: str
    last_name: str | None
    company: bool
    email: str
    alternate_email: str | None
    mobile: str
    office: str | None  # company's landline subscriber part (the prefix comes from the city)
    printed_name: str  # as embossed on the person's cards
    vip: bool

    @property
    def full_name(self) -> str:
        return f"{self.name} {self.last_name}" if self.last_name else self.name

    @property
    def info(self) -> dict[str, Any]:
        return {
            "customerId": self.number, "documentType": self.document_type, "name": self.name,
            "lastName": self.last_name, "email": self.email, "phoneNumber": self.mobile,
        }  # fmt: skip


def _customer(ctx: Ctx, index: int, taken: set[tuple[str, str]]) -> dict[str, Any]:
    rng = ctx.rng(index)
    role, reason = DEMOS[index] if index < len(DEMOS) else (None, "")
    person = _person(ctx, rng, index, role, taken)
    count = 3 if role == THREE else rng.choices((1, 2, 3), (70, 22, 8))[0]
    tenures = sorted((rng.randint(330, 3650) for _ in range(3)), reverse=True)[:count]
    wallet = rng.randint(0, 2)
    cards = [make_card(ctx, ctx.rng(index, "card", k), person.printed_name) for k in range(3)]
    used: set[int] = set()
    contracts, visits = [], []
    for j, tenure in enumerate(tenures):
        contract, visit = _contract(ctx, index, j, tenure, person, (role if j == 0 else None),
                                    cards, used)  # fmt: skip
        contracts.append(contract)
        visits += [visit] if visit else []
    wallet_cards = [c for k, c in enumerate(cards) if k < wallet or k in used]
    record: dict[str, Any] = {"documentType": person.document_type, "customerId": person.number}
    if role:
        first = contracts[0]
        lines = [c["measuringElement"] for c in first["calls"]]
        document = f"{person.document_type} {person.number}"
        local = ", local ones included" if ctx.country.local_calls else ""
        record["demo"] = reason.format(contract=first["contractId"], line=lines[0] if lines else "",
                                       document=document, local=local)  # fmt: skip
    segment_id, segment = SEGMENTS[person.company]
    characteristics = {"segmentId": segment_id, "segmentName": segment, "VIP": person.vip}
    record["customer"] = dump(
        CustomerExtendedInfo,
        {"customerInfo": person.info, "customerCharacteristics": characteristics},
    )
    record["scheduledVisits"] = dump(
        ScheduledVisitInfo,
        {"customerId": person.number, "msisdn": person.mobile, "customerName": person.full_name,
         "customerPhone": person.mobile, "scheduledVisitList": visits},
    )  # fmt: skip
    tokens = sorted(wallet_cards, key=lambda c: c.created, reverse=True)
    record["cardTokens"] = [token_record(card) for card in tokens]
    record["contracts"] = contracts
    return record


def _person(
    ctx: Ctx, rng: random.Random, index: int, role: str | None, taken: set[tuple[str, str]]
) -> Person:
    data, country = ctx.data, ctx.country
    kinds = list(data.document_weights)
    kind = rng.choices(kinds, list(data.document_weights.values()))[0]
    if role:
        kind = {COMPANY: "nit", RARE: data.rare_document}.get(role, kinds[0])
    document = country.documents[kind]
    number, attempt = document.generate(rng), 0
    while (document.code, number) in taken:  # a repeated number: draw again, elsewhere
        attempt += 1
        number = document.generate(ctx.rng(index, "document", attempt))
    taken.add((document.code, number))
    female = rng.random() < 0.5
    first = rng.choice(data.first_names_female if female else data.first_names_male)
    surname, second = rng.sample(data.surnames, 2)
    business = f"{rng.choice(data.company_kinds)} {rng.choice(data.company_names)}"
    mailbox, domain = rng.choice(COMPANY_MAILBOXES), rng.choice(EMAIL_DOMAINS)
    other_domain = rng.choice([d for d in EMAIL_DOMAINS if d != domain])
    style, number2 = rng.randrange(4), rng.randint(1, 99)
    mobile = country.generate_phone(rng, mobile=True)
    office = str(rng.randrange(10**6, 10**7))
    vip = role == VIP or rng.random() < 0.1
    has_alternate = rng.random() < 0.3
    given, family = ascii_slug(first.split()[0]), ascii_slug(surname)
    printed = plain_ascii(f"{first.split()[0]} {surname}").upper()
    if kind == "nit":
        site = f"{ascii_slug(business)}.{data.company_tld}"
        return Person(document.code, number, business + data.company_suffix, None, True,
                      f"{mailbox}@{site}", f"{given[0]}{family}@{site}" if has_alternate else None,
                      mobile, office, printed, vip)  # fmt: skip
    local = (f"{given}.{family}{number2}", f"{given[0]}{family}{number2}",
             f"{given}{family}", f"{given}_{family}{ascii_slug(second)[:3]}")[style]  # fmt: skip
    alternate = f"{given}{family}{number2}@{other_domain}" if has_alternate else None
    return Person(document.code, number, first, f"{surname} {second}", False,
                  f"{local}@{domain}", alternate, mobile, None, printed, vip)  # fmt: skip


def _contract(
    ctx: Ctx,
    index: int,
    j: int,
    tenure: int,
    person: Person,
    role: str | None,
    cards: list[Card],
    used: set[int],
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(contract record, its ScheduledVisit or None); `role` is the demo role of a first one."""
    data, country = ctx.data, ctx.country
    rng = ctx.rng(index, j)
    ckey = index * 3 + j
    contract_id = ctx.digits(ckey, data.contract_digits, "contract")
    billing_account_id = int(ctx.digits(ckey, 8, "billing-account"))
    billing_id = rng.choice(data.billing_systems)
    department = rng.choices(data.departments, [d.weight for d in data.departments])[0]
    city = rng.choice(department.cities)
    spot = rng.randrange(len(city.neighborhoods))
    neighborhood = city.neighborhoods[spot]
    street, street2 = data.street(rng, neighborhood)
    media = rng.choices(list(data.media_weights), list(data.media_weights.values()))[0]
    if role == PHONE and media == "DTH":
        media = "HFC"
    holdings = choose_holdings(ctx, rng, ckey, city, media, tenure, role == PHONE)

    rolls = [rng.random() for _ in range(7)]
    day, overdue, card_pick, adjusted = (rng.randint(1, 28), rng.randint(1, 3), rng.randrange(3),
                                         rng.randrange(6))  # fmt: skip
    debit = (rng.choice(data.banks), f"{rng.randrange(10_000):04d}")
    recurring = role == VIP or (role != THREE and rolls[0] < 0.3)
    by_card = recurring and (role == VIP or not data.debit_recurring or rolls[1] < 0.7)
    paperless = role == VIP or rolls[2] < 0.4
    habit = CURRENT_UNPAID
    if role == THREE or (not recurring and 0.08 <= rolls[3] < 0.36):
        habit = OVERDUE
    elif recurring:
        habit = RECURRING
    elif rolls[3] < 0.08:
        habit = ALL_PAID
    terms = Terms(day, habit, overdue, rolls[4] < 0.35, rolls[6] < 0.12,
                  adjusted if rolls[5] < 0.15 else -1,
                  debit if recurring and not by_card else None)  # fmt: skip
    card = cards[card_pick] if by_card else None
    if card:
        used.add(card_pick)

    account = Account(contract_id, billing_account_id, billing_id, person.full_name, street,
                      person.vip, recurring, paperless)  # fmt: skip
    place = Place(department, city)
    start = ctx.as_of - timedelta(days=tenure)
    address = {
        "streetAddress": street, "streetAddressLine2": street2,
        "stateId": department.id, "stateName": department.name,
        "districtId": city.id * 100 + spot + 1, "districtName": neighborhood.name,
        "cityId": city.id, "cityName": city.name,
        "countryId": country.code.upper(), "countryName": country.name,
        "zoneId": neighborhood.zone, "stratumId": neighborhood.stratum,
    }  # fmt: skip
    lines = [h.line for h in holdings if h.line]
    phones = [{"phoneType": "Móvil", "phone": person.mobile, "validated": True}]
    phones += [{"phoneType": "Fijo", "phone": line, "validated": True} for line in lines]
    if person.office:
        office = (city.phone_prefix + person.office)[: country.phone_plan.length]
        phones.append({"phoneType": "Trabajo", "phone": office, "validated": False})
    emails = [{"email": person.email, "validated": True}]
    if person.alternate_email:
        emails.append({"email": person.alternate_email, "validated": False})
    checked = country.documents[person.document_type.lower()].has_check_digit
    checksum = person.number[-1] if checked else None
    contact = {
        "customerId": person.number, "name": person.name, "lastName": person.last_name,
        "Address": address, "checksum": checksum,
        "customerEmailList": emails, "customerPhoneList": phones,
        "customerIdentificationList": [
            {"documentType": person.document_type, "customerId": person.number}
        ],
    }  # fmt: skip
    bills, financing = invoices(ctx, ctx.rng(index, j, "billing"), account, holdings, terms, card)
    cases = service_requests(ctx, ctx.rng(index, j, "cases"), ckey, holdings, role == VISIT)
    record = {
        "contractId": contract_id,
        "billingAccountId": billing_account_id,
        "subscriptionNumber": holdings[0].number,
        "contract": dump(
            Contract,
            {"contractId": contract_id, "billingId": str(billing_id), "streetAddress": street},
        ),
        "address": dump(Address, address),
        "contactInformation": dump(CustomerDetailInfo, contact),
        "invoices": bills,
        "products": product_records(ctx, ctx.rng(index, j, "devices"), holdings, media, street),
        "availableOffers": available_offers(ctx, ctx.rng(index, j, "offers"), holdings, media),
        "serviceRequests": [case.request for case in cases],
        "calls": [
            call
            for h in holdings
            if h.line
            for call in calls(ctx, ctx.rng(index, j, "calls", h.line), h, place)
        ],
        "recurringBilling": recurring_record(
            ctx, ctx.rng(index, j, "recurring"), account, terms, card, start, person.mobile
        )
        if recurring
        else None,
        "financing": financing,
        "paperless": paperless_record(account, person.info, person.alternate_email)
        if paperless
        else None,
    }
    planned = [case.visit for case in cases if case.visit]
    visit = None
    if planned:
        visit = dump(
            ScheduledVisit,
            {"contractId": contract_id, "serviceAddressId": ctx.digits(ckey, 10, "address"),
             "serviceAddress": street, "serviceCityName": city.name,
             "serviceStateName": department.name, "neighborhood": neighborhood.name,
             "serviceActionList": planned},
        )  # fmt: skip
    return record, visit
