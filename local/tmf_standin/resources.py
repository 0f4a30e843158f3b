"""The sandbox dataset as TM Forum resources, mapped by the adapter's own shapes
(selfcare.adapters.tmf.shapes), so that the stand-in serves what a BSS following the
mapping table would."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from selfcare.adapters.tmf import apis, shapes
from selfcare.storable import storable

Resource = dict[str, Any]
Collections = dict[str, dict[str, Resource]]  # collection path -> id -> resource

TICKET_STATUS = {"Abierto": "acknowledged", "En progreso": "inProgress", "Cerrado": "closed"}
VISIT_STATUS = {"Agendado": "confirmed", "Cancelado": "cancelled", "Completado": "completed"}


def build(dataset: Mapping[str, Any], offset: str) -> Collections:
    """Every resource of a generated dataset (see generator.generate_dataset), by collection."""
    collections: Collections = {}
    for collection, resource in _resources(storable(dataset), offset):
        collections.setdefault(collection, {})[resource["id"]] = resource
    return collections


def _resources(dataset: Mapping[str, Any], offset: str) -> Iterator[tuple[str, Resource]]:
    for customer in dataset["customers"]:
        yield from customer_resources(customer, offset)


def customer_resources(customer: Mapping[str, Any], offset: str) -> Iterator[tuple[str, Resource]]:
    """A customer's resources: itself, its contracts' and its appointments."""
    key = apis.customer_key(customer["documentType"], customer["customerId"])
    yield apis.CUSTOMER, _customer(customer, key, offset)
    cards = {t["cardInfo"]: t["cardToken"] for t in customer.get("cardTokens", [])}
    for contract in customer["contracts"]:
        yield from _contract(contract, key, cards, offset)
    visits = customer["scheduledVisits"]
    for visit in visits.get("scheduledVisitList", []):
        place = {k: v for k, v in visit.items() if k != "serviceActionList"}
        for action in visit.get("serviceActionList", []):
            appointment = shapes.VISIT_ACTION.to_tmf(action, offset)
            shapes.VISIT_PLACE.to_tmf(place, offset, appointment)
            appointment.setdefault("relatedParty", []).append(
                {"id": key, "role": "customer", "@referredType": "Customer"}
            )
            for party in appointment["relatedParty"]:
                party.setdefault("@referredType", "Individual")  # the technician
            if "relatedPlace" in appointment:
                appointment["relatedPlace"].update(
                    role="serviceAddress", **{"@referredType": "GeographicAddress"}
                )
            for entity in appointment.get("relatedEntity", []):
                entity.setdefault("@referredType", "Product")
            appointment["status"] = VISIT_STATUS.get(action.get("status"), "initialized")
            yield apis.APPOINTMENT, appointment


def _customer(customer: Mapping[str, Any], key: str, offset: str) -> Resource:
    info = customer["customer"]["customerInfo"]
    name = " ".join(p for p in (info.get("name"), info.get("lastName")) if p)
    kind = "Organization" if info.get("documentType") == "NIT" else "Individual"
    resource: Resource = {"id": key, "name": name}
    shapes.CUSTOMER.to_tmf(customer["customer"], offset, resource)
    resource["engagedParty"] = {"id": key, "name": name, "@referredType": kind}
    resource["agreement"] = [
        {"id": c["contractId"], "name": f"Contrato {c['contractId']}", "@referredType": "Agreement"}
        for c in customer["contracts"]
    ]
    return resource


def _contract(
    contract: Mapping[str, Any], key: str, cards: Mapping[str, str], offset: str
) -> Iterator[tuple[str, Resource]]:
    contract_id = contract["contractId"]
    account = str(contract["billingAccountId"])
    lines = sorted(
        {c["measuringElement"] for c in contract.get("calls", [])}
        | {
            str(o["measuringElement"])
            for p in contract["products"]
            for o in p.get("offeringList") or []
            if o.get("measuringElement")
        }
    )
    product: Resource = {
        "id": contract_id,
        "name": f"Contrato {contract_id}",
        "@type": apis.CONTRACT_TYPE,
        "@baseType": "Product",
        "isBundle": True,
        "status": "active",
    }
    shapes.CONTRACT.to_tmf(contract["contract"], offset, product)
    product.setdefault("productCharacteristic", []).extend(
        [
            {"name": "subscriptionNumber", "value": str(contract["subscriptionNumber"])},
            {"name": "lines", "valueType": "array", "value": lines},
        ]
    )
    product["relatedParty"] = [{"id": key, "role": "Customer", "@referredType": "Customer"}]
    product["billingAccount"] = {"id": account, "@referredType": "BillingAccount"}
    product["agreement"] = [{"id": contract_id}]
    product["address"] = shapes.ADDRESS.to_tmf(contract["address"], offset)
    product["financing"] = shapes.FINANCING.to_tmf(contract["financing"], offset)
    yield apis.PRODUCT, product

    holder = " ".join(
        str(p)
        for p in (
            contract["contactInformation"].get("name"),
            contract["contactInformation"].get("lastName"),
        )
        if p
    )
    billing_account: Resource = {
        "id": account,
        "name": f"Cuenta {account}",
        "accountType": "billing",
        "state": "active",
        "relatedParty": [
            {"id": key, "role": "Customer", "@referredType": "Customer", "name": holder}
        ],
        "contractId": contract_id,
        "@type": "TigoBillingAccount",
        "@baseType": "BillingAccount",
    }
    shapes.CONTACT.to_tmf(contract["contactInformation"], offset, billing_account)
    since = min(
        (
            str(o["registrationDate"])
            for p in contract["products"]
            for o in p.get("offeringList") or []
        ),
        default="2000-01-01",
    )
    for contact in billing_account.get("contact", []):
        contact.update(
            contactType="billing", validFor={"startDateTime": f"{since}T00:00:00{offset}"}
        )
        if "relatedParty" in contact:
            contact["relatedParty"].update({"@referredType": "Individual", "name": holder})
    recurring = contract.get("recurringBilling")
    if recurring:
        method_id = apis.payment_method_key(contract_id)
        billing_account["defaultPaymentMethod"] = {"id": method_id}
        token = contract.get("recurringCardToken") or cards.get(str(recurring.get("cardInfo")))
        yield apis.PAYMENT_METHOD, payment_method(recurring, account, token, offset)
    yield apis.BILLING_ACCOUNT, billing_account

    for invoice in contract["invoices"]:
        yield apis.CUSTOMER_BILL, customer_bill(invoice, offset)
        paid = invoice.get("payments") or (
            [invoice["paymentInfo"]] if invoice.get("paymentInfo") else []
        )
        for info in paid:  # in the order applied: the last is the invoice's paymentInfo
            yield apis.PAYMENT, payment(invoice, info, account, offset)
    for held in contract["products"]:
        yield apis.PRODUCT, inventory_product(contract_id, held, offset)
    for product_id, offers in contract.get("availableOffers", {}).items():
        for offer in offers:
            resource = shapes.OFFER.to_tmf(offer, offset)
            resource["id"] = apis.offer_key(contract_id, int(product_id), offer["offeringId"])
            resource["contractId"] = contract_id
            resource["lifecycleStatus"] = "Launched"
            for number, price in enumerate(resource.get("productOfferingPrice", [])):
                price["id"] = f"{resource['id']}-{number}"
            yield apis.PRODUCT_OFFERING, resource
    for request in contract.get("serviceRequests", []):
        ticket = shapes.SERVICE_REQUEST.to_tmf(request, offset)
        ticket.setdefault("relatedEntity", []).append(
            {"id": contract_id, "role": "contract", "@referredType": "Product"}
        )
        ticket["status"] = TICKET_STATUS.get(request.get("status"), "pending")
        for entity in ticket["relatedEntity"]:
            entity.setdefault("@referredType", "Service")
        yield apis.TROUBLE_TICKET, ticket
    calls = sorted(contract.get("calls", []), key=lambda c: str(c["dateTimeStart"]))
    for index, call in enumerate(calls):
        usage = shapes.CALL.to_tmf(
            {k: v for k, v in call.items() if k != "measuringElement"}, offset
        )
        usage["id"] = f"{call['measuringElement']}-{index:05d}"
        usage["measuringElement"] = call["measuringElement"]
        usage["contractId"] = contract_id
        yield apis.USAGE, usage


def inventory_product(contract_id: str, held: Mapping[str, Any], offset: str) -> Resource:
    offerings = held.get("offeringList") or []
    subscription = str(offerings[0]["subscriptionNumber"]) if offerings else "0"
    resource: Resource = {"id": apis.product_key(contract_id, held["productId"], subscription)}
    shapes.PRODUCT.to_tmf(held, offset, resource)
    for relationship in resource.get("productRelationship", []):
        relationship["product"]["id"] = (
            f"{resource['id']}-{relationship['product']['productOffering']['id']}"
        )
        for price in relationship["product"].get("productPrice", []):
            price.update(priceType="recurring", recurringChargePeriod="month")
        relationship["product"]["status"] = (
            "active" if relationship["product"].get("active") else "terminated"
        )
    resource.setdefault("productRelationship", []).append(
        {
            "relationshipType": "isBundledBy",
            "product": {"id": contract_id, "@referredType": "Product"},
        }
    )
    resource["status"] = "active"
    return resource


def customer_bill(invoice: Mapping[str, Any], offset: str) -> Resource:
    body = {k: v for k, v in invoice.items() if k not in ("paymentInfo", "payments")}
    bill = shapes.INVOICE.to_tmf(body, offset)
    due, amount = invoice.get("dueAmount"), invoice.get("invoiceAmount")
    bill["state"] = "settled" if due == 0 else "partiallyPaid" if due != amount else "sent"
    for item in bill.get("taxItem", []):
        item.setdefault("taxCategory", "VAT")
    return bill


def payment(
    invoice: Mapping[str, Any], info: Mapping[str, Any], account: str, offset: str
) -> Resource:
    resource = shapes.PAYMENT.to_tmf(info, offset)
    currency = invoice.get("currencyId")
    resource["totalAmount"]["unit"] = resource["amount"]["unit"] = currency
    resource["account"] = {"id": account, "@referredType": "BillingAccount"}
    resource["paymentItem"] = [
        {
            "item": {"id": invoice["invoiceId"], "@referredType": "CustomerBill"},
            "amount": {"unit": currency, "value": info.get("paymentAmount")},
        }
    ]
    resource.setdefault("paymentMethod", {"id": "unspecified"})  # required by TMF676
    resource["status"] = "succeeded"
    return resource


def payment_method(
    recurring: Mapping[str, Any], account: str, token: str | None, offset: str
) -> Resource:
    resource = shapes.RECURRING.to_tmf(recurring, offset)
    resource["id"] = apis.payment_method_key(str(recurring["contractId"]))
    resource["account"] = [{"id": account, "@referredType": "BillingAccount"}]
    resource["@type"] = "tokenizedCard" if recurring.get("cardInfo") else "bankAccountDebit"
    resource["name"] = f"Pago recurrente {recurring['contractId']}"
    if token:
        resource["token"] = token
    return resource
