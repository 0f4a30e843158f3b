"""The sandbox dataset: deterministic, valid by contract, coherent and realistic."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from pydantic import BaseModel

from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country
from selfcare.models.billing import (
    CallDetail,
    Contract,
    FinancingInfo,
    Invoice,
    RecurringBillingInfo,
    paperlessInvoiceInfo,
    paymentInfo,
)
from selfcare.models.cases import ScheduledVisitInfo, ServiceRequest
from selfcare.models.customer import Address, CustomerDetailInfo, CustomerExtendedInfo
from selfcare.models.portfolio import CommercialOffering, Product
from selfcare.models.tokenization import TokenInfo

COUNTRIES = ("co", "gt", "sv")
AS_OF = date(2026, 10, 15)
# Month ends, a leap day, a year boundary: the dates the invoice calendar finds hardest.
OTHER_DAYS = (date(2025, 1, 31), date(2024, 2, 29), date(2027, 12, 1))
INTERNET, TV, PHONE = 1, 2, 3
Record = dict[str, Any]


@cache
def dataset(country: str, as_of: date = AS_OF, customers: int = 40) -> Record:
    return generate_dataset(country, as_of, customers)


def contracts(data: Record) -> Iterator[tuple[Record, Record]]:
    for customer in data["customers"]:
        for contract in customer["contracts"]:
            yield customer, contract


def dated(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def revalidate(model: type[BaseModel], record: Record) -> None:
    """The record is exactly what its contract model produces from it."""
    assert model.model_validate(record).model_dump(exclude_none=True) == record


def without(record: Record, key: str) -> Record:
    return {k: v for k, v in record.items() if k != key}


# --- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES)
def test_same_arguments_give_the_same_bytes(country: str) -> None:
    first = json.dumps(generate_dataset(country, AS_OF, 12), default=str, sort_keys=False)
    second = json.dumps(generate_dataset(country, AS_OF, 12), default=str, sort_keys=False)
    assert first == second


def identities(data: Record) -> list[Any]:
    """Everything that names a person or a thing, leaving out dates and states."""
    found: list[Any] = []
    for customer in data["customers"]:
        info = customer["customer"]["customerInfo"]
        tokens = customer["cardTokens"]
        cards = sorted((t["cardToken"], t["cardInfo"], t["cardBrand"]) for t in tokens)
        found.append((customer["documentType"], customer["customerId"], info, cards))
        for contract in customer["contracts"]:
            products = [
                (p["productId"], o["subscriptionNumber"], o.get("measuringElement"),
                 o["offeringId"], [(d["deviceId"], d["serialNumber"],
                                    d["extendedUniqueIdentifier"])
                                   for d in o.get("deviceList", [])])
                for p in contract["products"] for o in p["offeringList"]
            ]  # fmt: skip
            invoices = {i["invoiceId"].split("-")[0] for i in contract["invoices"]}
            requests = [r["serviceRequestId"] for r in contract["serviceRequests"]]
            found.append((contract["contractId"], contract["billingAccountId"],
                          contract["subscriptionNumber"], contract["address"],
                          contract["contactInformation"], products, invoices,
                          requests))  # fmt: skip
    return found


@pytest.mark.parametrize("country", COUNTRIES)
def test_identities_do_not_move_with_the_reference_day(country: str) -> None:
    reference = identities(dataset(country))
    for day in OTHER_DAYS:
        assert identities(dataset(country, day)) == reference


@pytest.mark.parametrize("country", COUNTRIES)
def test_a_customer_is_the_same_person_whatever_the_dataset_size(country: str) -> None:
    assert generate_dataset(country, AS_OF, 7)["customers"] == dataset(country)["customers"][:7]


def test_dates_move_with_the_reference_day() -> None:
    later = dataset("co", AS_OF + timedelta(days=40))
    newest = [c["invoices"][-1]["creationDate"] for _, c in contracts(dataset("co"))]
    moved = [c["invoices"][-1]["creationDate"] for _, c in contracts(later)]
    assert all(b > a for a, b in zip(newest, moved, strict=True))


# --- shape and validity ---------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES)
def test_forty_customers_with_one_to_three_contracts(country: str) -> None:
    data = dataset(country)
    assert data["country"] == country and data["asOf"] == AS_OF
    assert len(data["customers"]) == 40
    counts = Counter(len(c["contracts"]) for c in data["customers"])
    assert set(counts) <= {1, 2, 3} and counts[1] > counts[2] > 0 and counts[3] > 0


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_object_is_valid_by_its_contract_model(country: str) -> None:
    for customer in dataset(country)["customers"]:
        revalidate(CustomerExtendedInfo, customer["customer"])
        revalidate(ScheduledVisitInfo, customer["scheduledVisits"])
        for token in customer["cardTokens"]:
            revalidate(TokenInfo, without(token, "createdAt"))
        for contract in customer["contracts"]:
            revalidate(Contract, contract["contract"])
            revalidate(Address, contract["address"])
            revalidate(CustomerDetailInfo, contract["contactInformation"])
            revalidate(FinancingInfo, contract["financing"])
            for invoice in contract["invoices"]:
                revalidate(Invoice, without(invoice, "paymentInfo"))
                if "paymentInfo" in invoice:
                    revalidate(paymentInfo, invoice["paymentInfo"])
            for product in contract["products"]:
                revalidate(Product, product)
            for offers in contract["availableOffers"].values():
                for offer in offers:
                    revalidate(CommercialOffering, offer)
            for request in contract["serviceRequests"]:
                revalidate(ServiceRequest, request)
            for call in contract["calls"]:
                revalidate(CallDetail, without(call, "measuringElement"))
            if contract["recurringBilling"] is not None:
                revalidate(RecurringBillingInfo, contract["recurringBilling"])
            if contract["paperless"] is not None:
                revalidate(paperlessInvoiceInfo, contract["paperless"])


@pytest.mark.parametrize("country", COUNTRIES)
def test_documents_are_valid_canonical_and_unique(country: str) -> None:
    found = get_country(country)
    seen = set()
    for customer in dataset(country)["customers"]:
        kind, number = customer["documentType"], customer["customerId"]
        document = found.document(kind)
        assert document.code == kind
        assert document.normalize(number) == number  # check digit valid, canonical form
        info = customer["customer"]["customerInfo"]
        assert (info["documentType"], info["customerId"]) == (kind, number)
        seen.add((kind, number))
        for _, contract in contracts({"customers": [customer]}):
            owner = contract["contactInformation"]
            assert owner["customerIdentificationList"] == [
                {"documentType": kind, "customerId": number}
            ]
    assert len(seen) == 40


@pytest.mark.parametrize("country", COUNTRIES)
def test_ids_are_unique_within_the_country(country: str) -> None:
    data = dataset(country)
    every: dict[str, list[Any]] = {
        k: [] for k in ("contract", "account", "invoice", "subscription", "device", "serial",
                        "token", "request", "line")
    }  # fmt: skip
    for _, contract in contracts(data):
        every["contract"].append(contract["contractId"])
        every["account"].append(contract["billingAccountId"])
        every["invoice"] += [i["invoiceId"] for i in contract["invoices"]]
        every["request"] += [r["serviceRequestId"] for r in contract["serviceRequests"]]
        numbers = []
        for product in contract["products"]:
            offerings = product["offeringList"]
            assert len({o["subscriptionNumber"] for o in offerings}) == 1  # one per product
            numbers.append(offerings[0]["subscriptionNumber"])
            devices = [d for o in offerings for d in o.get("deviceList", [])]
            every["device"] += [d["deviceId"] for d in devices]
            every["serial"] += [d["serialNumber"] for d in devices]
            if product["productId"] == PHONE:
                every["line"].append(offerings[0]["measuringElement"])
        assert contract["subscriptionNumber"] == numbers[0]
        every["subscription"] += numbers
    for customer in data["customers"]:
        every["token"] += [t["cardToken"] for t in customer["cardTokens"]]
    for kind, values in every.items():
        assert values, kind
        assert len(values) == len(set(values)), kind
    digits = {"co": 8, "gt": 9, "sv": 9}[country]
    assert all(re.fullmatch(rf"[1-9][0-9]{{{digits - 1}}}", c) for c in every["contract"])


# --- invoices -------------------------------------------------------------------------------


def price_on(contract: Record, day: date) -> Decimal:
    """What the contract's offerings cost in the month starting `day`."""
    return sum(
        (
            o["priceAmount"]
            for p in contract["products"]
            for o in p["offeringList"]
            if o["fromDate"] <= day and ("toDate" not in o or day < o["toDate"])
        ),
        Decimal(0),
    )


@pytest.mark.parametrize("as_of", [AS_OF, *OTHER_DAYS])
@pytest.mark.parametrize("country", COUNTRIES)
def test_invoice_arithmetic_and_calendar(country: str, as_of: date) -> None:
    found = get_country(country)
    months = ("Enero Febrero Marzo Abril Mayo Junio Julio Agosto Septiembre Octubre Noviembre"
              " Diciembre")  # fmt: skip
    for customer, contract in contracts(dataset(country, as_of)):
        invoices = contract["invoices"]
        monthly = [i for i in invoices if i["invoiceType"] == "Factura mensual"]
        assert len(monthly) == 6 and len(invoices) - len(monthly) in (0, 1)
        assert [i["creationDate"] for i in invoices] == sorted(i["creationDate"] for i in invoices)
        assert [i["invoiceId"] for i in invoices] == sorted(i["invoiceId"] for i in invoices)
        newest = monthly[-1]["creationDate"]
        assert newest <= as_of < newest + timedelta(days=31)  # the current billing month
        days = {i["creationDate"].day for i in monthly}
        assert len(days) == 1 or days <= {28, 29, 30, 31}
        for invoice in invoices:
            amount = invoice["invoiceAmount"]
            assert amount > 0 and amount == found.money(amount)
            assert amount.as_tuple().exponent == -found.currency_decimals
            assert invoice["taxAmount"] == found.money(amount - amount / (1 + found.vat_rate))
            assert invoice["currencyId"] == found.currency
            assert invoice["contractId"] == contract["contractId"]
            assert invoice["invoiceId"].startswith(contract["contractId"] + "-")
            assert invoice["billingAccountId"] == contract["billingAccountId"]
            created = invoice["creationDate"]
            assert invoice["period"] == f"{months.split()[created.month - 1]} {created.year}"
            assert invoice["dueDate"] == created + timedelta(days=15)
            assert invoice["extendedDueDate"] == invoice["dueDate"] + timedelta(days=10)
            assert invoice["VIP"] is customer["customer"]["customerCharacteristics"]["VIP"]
            assert invoice["hasRecurringBilling"] is (contract["recurringBilling"] is not None)
            assert invoice["hasPaperlessInvoice"] is (contract["paperless"] is not None)
            if invoice["hasPayment"]:
                payment = invoice["paymentInfo"]
                assert invoice["dueAmount"] == 0 and "minPaymentAmount" not in invoice
                assert payment["paymentAmount"] == amount
                assert created <= payment["paymentDate"] <= min(as_of, invoice["extendedDueDate"])
            else:
                assert "paymentInfo" not in invoice and invoice["dueAmount"] == amount
        for invoice in monthly:
            assert invoice["invoiceAmount"] == price_on(contract, invoice["creationDate"])


@pytest.mark.parametrize("country", COUNTRIES)
def test_payment_habits(country: str) -> None:
    found = get_country(country)
    all_contracts = [c for _, c in contracts(dataset(country))]
    # Besides the current invoice, which most leave for later, some owe older ones.
    behind = [c for c in all_contracts if not all(i["hasPayment"] for i in c["invoices"][:-1])]
    all_paid = [c for c in all_contracts if all(i["hasPayment"] for i in c["invoices"])]
    current_unpaid = [c for c in all_contracts if not c["invoices"][-1]["hasPayment"]]
    assert 0.08 <= len(behind) / len(all_contracts) <= 0.4
    assert all(overdue(c, AS_OF) for c in behind)
    assert all_paid and len(current_unpaid) > len(all_contracts) / 2
    on_time = [i for c in all_contracts for i in c["invoices"] if i["hasPayment"]]
    late = [i for i in on_time if i["paymentInfo"]["paymentDate"] > i["dueDate"]]
    assert 0 < len(late) < len(on_time) / 4  # most are paid by the due date
    methods = {i["paymentInfo"]["paymentMethod"] for i in on_time}
    assert methods == set(found.payment_methods)
    for contract in all_contracts:
        recurring = contract["recurringBilling"]
        if recurring is not None:
            for invoice in contract["invoices"]:
                assert invoice["hasPayment"] is (invoice["dueDate"] <= AS_OF)
                if invoice["hasPayment"]:
                    assert invoice["paymentInfo"]["paymentDate"] == invoice["dueDate"]
        unpaid = [i for i in contract["invoices"] if not i["hasPayment"]]
        financing = contract["financing"]
        if financing["isAvailable"]:
            minimum = sum((i["minPaymentAmount"] for i in unpaid), Decimal(0))
            assert financing["minPaymentAmount"] == found.money(minimum)
            assert all(0 < i["minPaymentAmount"] < i["dueAmount"] for i in unpaid)
        else:
            assert all("minPaymentAmount" not in i for i in unpaid)


@pytest.mark.parametrize("country", COUNTRIES)
def test_cards_recurring_billing_and_paperless_agree(country: str) -> None:
    for customer, contract in contracts(dataset(country)):
        tokens = customer["cardTokens"]
        created = [t["createdAt"] for t in tokens]
        assert created == sorted(created, reverse=True)  # newest first
        assert all(re.fullmatch(r"[0-9]{6}X{6}[0-9]{4}", t["cardInfo"]) for t in tokens)
        recurring = contract["recurringBilling"]
        if recurring and recurring["paymentMethod"] == "2":
            card = (recurring["cardInfo"], recurring["cardBrand"])
            assert card in {(t["cardInfo"], t["cardBrand"]) for t in tokens}
            assert recurring["cardExpirationDate"] > f"{AS_OF:%Y%m}"
        elif recurring:  # automatic debit of a bank account, Colombia only
            assert country == "co" and recurring["paymentMethod"] == "1"
        if recurring:  # the recurring card or account pays the invoices
            paid = [i["paymentInfo"] for i in contract["invoices"] if i["hasPayment"]]
            assert {p["bankName"] for p in paid} == {recurring["cardIssuingBank"]}
            assert {p.get("cardBrand") for p in paid} == {recurring.get("cardBrand")}
        paperless = contract["paperless"]
        if paperless:
            info = customer["customer"]["customerInfo"]
            assert paperless["email"] == info["email"]
            assert (paperless["customerId"], paperless["documentType"]) == (
                info["customerId"], info["documentType"])  # fmt: skip
            assert paperless["subcriptionStatusId"] == 1


# --- places, people and products ----------------------------------------------------------------

DEPARTMENTS = {
    "co": {"11": "Bogotá D.C.", "05": "Antioquia", "76": "Valle del Cauca", "08": "Atlántico",
           "13": "Bolívar", "68": "Santander", "66": "Risaralda", "17": "Caldas"},
    "gt": {"01": "Guatemala", "03": "Sacatepéquez", "09": "Quetzaltenango", "05": "Escuintla"},
    "sv": {"06": "San Salvador", "05": "La Libertad", "02": "Santa Ana", "12": "San Miguel"},
}  # fmt: skip
CITIES = {"Medellín": "Antioquia", "Cali": "Valle del Cauca", "Barranquilla": "Atlántico",
          "Bucaramanga": "Santander", "Mixco": "Guatemala", "Antigua Guatemala": "Sacatepéquez",
          "Santa Tecla": "La Libertad", "Soyapango": "San Salvador"}  # fmt: skip


@pytest.mark.parametrize("country", COUNTRIES)
def test_addresses_are_real_places(country: str) -> None:
    for _, contract in contracts(dataset(country)):
        address = contract["address"]
        # Municipality codes (DANE, INE) start with their department's code.
        code_width = 1000 if country == "co" else 100
        assert address["cityId"] // code_width == int(address["stateId"])
        if address["stateId"] in DEPARTMENTS[country]:
            assert address["stateName"] == DEPARTMENTS[country][address["stateId"]]
        assert CITIES.get(address["cityName"], address["stateName"]) == address["stateName"]
        assert address["countryId"] == country.upper()
        assert ("stratumId" in address) is (country == "co")
        if country == "co":
            assert 1 <= address["stratumId"] <= 6
            assert re.fullmatch(r"(Calle|Carrera|Avenida|Diagonal|Transversal) \d+[A-C]? # "
                                r"\d+-\d{2}( .+)?", address["streetAddress"])  # fmt: skip
        if address["cityName"] == "Guatemala":
            assert 1 <= address["zoneId"] <= 25
            assert address["streetAddress"].split(" Zona ")[1].startswith(str(address["zoneId"]))
        if country == "sv":
            assert address["streetAddress"].startswith(address["districtName"] + ", ")
        assert contract["contract"]["streetAddress"] == address["streetAddress"]
        assert contract["contactInformation"]["Address"] == address


@pytest.mark.parametrize("country", COUNTRIES)
def test_people_look_real(country: str) -> None:
    found = get_country(country)
    suffix = {"co": " S.A.S.", "gt": ", S.A.", "sv": ", S.A. de C.V."}[country]
    names = set()
    for customer in dataset(country)["customers"]:
        info = customer["customer"]["customerInfo"]
        segment = customer["customer"]["customerCharacteristics"]["segmentName"]
        assert found.normalize_phone(info["phoneNumber"])  # a valid mobile of the country
        names.add(info["name"])
        if customer["documentType"] == "NIT":
            assert info["name"].endswith(suffix) and "lastName" not in info
            assert info["email"].endswith("." + {"co": "com.co", "gt": "com.gt",
                                                 "sv": "com.sv"}[country])  # fmt: skip
            assert segment == "PYME"
        else:
            assert len(info["lastName"].split()) >= 2  # two surnames
            assert info["email"].split("@")[1] in {"gmail.com", "hotmail.com", "yahoo.com",
                                                   "outlook.com"}  # fmt: skip
            assert segment == "Residencial"
    assert len(names) >= 25
    vip = [c for c in dataset(country)["customers"]
           if c["customer"]["customerCharacteristics"]["VIP"]]  # fmt: skip
    assert 1 <= len(vip) <= 10


@pytest.mark.parametrize("country", COUNTRIES)
def test_products_offerings_and_offers(country: str) -> None:
    found = get_country(country)
    two_tv = 0
    for _, contract in contracts(dataset(country)):
        ids = [p["productId"] for p in contract["products"]]
        assert set(ids) <= {INTERNET, TV, PHONE}
        two_tv += ids.count(TV) == 2
        owned: dict[str, set[str]] = {}
        for product in contract["products"]:
            base, *extra = product["offeringList"]
            assert base["offeringType"] == "Principal" and len(extra) <= 3
            assert all(o["offeringType"] == "Adicional" for o in extra)
            assert all(o["currencyId"] == found.currency for o in product["offeringList"])
            assert all(o["priceAmount"] == found.money(o["priceAmount"]) > 0
                       for o in product["offeringList"])  # fmt: skip
            lines = {o.get("measuringElement") for o in product["offeringList"]}
            if product["productId"] == PHONE:
                (line,) = lines
                assert found.normalize_phone(line)  # a real landline number
            else:
                assert lines == {None}
            if base["mediaType"] != "Cobre" and product["productId"] != PHONE:
                assert base["deviceList"]
            for device in base.get("deviceList", []):
                mac = device["extendedUniqueIdentifier"]
                assert re.fullmatch(r"([0-9A-F]{2}:){5}[0-9A-F]{2}", mac)
            active = {o["offeringId"] for o in product["offeringList"] if o["active"]}
            owned.setdefault(str(product["productId"]), set()).update(active)
        offers = contract["availableOffers"]
        assert set(offers) == set(owned)
        for product_id, listed in offers.items():
            assert 2 <= len(listed) <= 5
            assert not {o["offeringId"] for o in listed} & owned[product_id]
            assert all(o["productId"] == product_id for o in listed)
    assert two_tv >= 1


# --- activity --------------------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES)
def test_calls_come_from_telefonia_lines(country: str) -> None:
    kinds: Counter[str] = Counter()
    for _, contract in contracts(dataset(country)):
        lines = {o["measuringElement"] for p in contract["products"] if p["productId"] == PHONE
                 for o in p["offeringList"]}  # fmt: skip
        assert {c["measuringElement"] for c in contract["calls"]} == lines
        for line in lines:
            count = sum(c["measuringElement"] == line for c in contract["calls"])
            assert 60 <= count <= 180  # 10 to 30 a month for six months
        for call in contract["calls"]:
            start, end = dated(call["dateTimeStart"]), dated(call["dateTimeEnd"])
            assert call["origin"] == call["measuringElement"]
            assert abs((end - start).total_seconds() / 60 - call["duration"]) < 0.01
            assert midnight(AS_OF - timedelta(days=185)) <= start < end
            assert start < midnight(AS_OF)
            kinds[call["destinationType"]] += 1
            if call["destinationType"] == "Celular":
                assert call["operatorName"] and "destinationCityName" not in call
            else:
                assert call["destinationCityName"] and call["destionationStateName"]
    assert set(kinds) == ({"Local", "Nacional", "Celular", "Internacional"} if country == "co"
                          else {"Nacional", "Celular", "Internacional"})  # fmt: skip


@pytest.mark.parametrize("country", COUNTRIES)
def test_service_requests_and_visits(country: str) -> None:
    now = midnight(AS_OF)
    for customer in dataset(country)["customers"]:
        planned = set()
        for contract in customer["contracts"]:
            for request in contract["serviceRequests"]:
                created = dated(request["creationDate"])
                assert now - timedelta(days=30) <= created < now
                assert request["serviceRequestId"].startswith("1-")
                actions = request.get("ServiceActionList", [])
                if request["status"] == "Cerrado":
                    ends = [dated(a["endDateTime"]) for a in actions] or [created]
                    assert all(created < end <= now for end in ends)
                    assert request["duration"] < (now - created).total_seconds() / 3600
                else:
                    assert request["duration"] == round((now - created).total_seconds() / 3600, 2)
                for action in actions:
                    assert action["technicianPictureURL"].startswith("https://")
                    assert action["SimplifiedOfferingList"]
                    if action["status"] == "Agendado":
                        assert dated(action["startDateTime"]) > now
                        planned.add((contract["contractId"], action["serviceActionId"]))
        visits = customer["scheduledVisits"]
        assert visits["customerId"] == customer["customerId"]
        listed = {
            (v["contractId"], a["serviceActionId"])
            for v in visits["scheduledVisitList"]
            for a in v["serviceActionList"]
        }
        assert listed == planned


# --- demo identities -------------------------------------------------------------------------


def overdue(contract: Record, as_of: date) -> bool:
    return any(not i["hasPayment"] and i["dueDate"] < as_of for i in contract["invoices"])


@pytest.mark.parametrize("as_of", [AS_OF, *OTHER_DAYS])
@pytest.mark.parametrize("country", COUNTRIES)
def test_demo_identities_keep_their_promises(country: str, as_of: date) -> None:
    customers = dataset(country, as_of)["customers"]
    demos = [c for c in customers if "demo" in c]
    assert 4 <= len(demos) <= 6 and demos == customers[: len(demos)]
    now = midnight(as_of)

    def first(customer: Record) -> Record:
        return customer["contracts"][0]

    assert any(len(c["contracts"]) == 3 and overdue(first(c), as_of) for c in demos)
    assert any(
        c["customer"]["customerCharacteristics"]["VIP"]
        and (first(c)["recurringBilling"] or {}).get("cardInfo")
        in {t["cardInfo"] for t in c["cardTokens"]}
        and first(c)["paperless"]
        for c in demos
    )
    local = {"Local"} if country == "co" else set()
    assert any(
        local <= {call["destinationType"] for call in first(c)["calls"]} and first(c)["calls"]
        for c in demos
    )
    assert any(c["documentType"] == "NIT" for c in demos)
    rare = "CE" if country == "co" else "PAS"
    assert any(c["documentType"] == rare for c in demos)

    def visit_ahead(customer: Record) -> bool:
        visits = customer["scheduledVisits"]["scheduledVisitList"]
        return any(dated(a["startDateTime"]) > now for v in visits for a in v["serviceActionList"])

    assert any(
        any(r["status"] != "Cerrado" for r in first(c)["serviceRequests"]) and visit_ahead(c)
        for c in demos
    )
    assert all(c["demo"] for c in demos)
