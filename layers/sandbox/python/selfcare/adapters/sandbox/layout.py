"""Where the sandbox keeps each piece of its dataset in its table (pk, sk).

One partition per customer, contract and billing account, so that every read of a single
resource is one GetItem or one Query:

  CUSTOMER#<TYPE>#<id>   #CUSTOMER                 customer (CustomerExtendedInfo), contractIds
                         VISITS                    scheduledVisits (ScheduledVisitInfo)
                         CARD#<createdAt>#<token>  token (TokenInfo)
  CONTRACT#<id>          #CONTRACT                 contract, address, owner, billingAccountId,
                                                   subscriptionNumber, lines, financing
                         CONTACT                   contactInformation (CustomerDetailInfo)
                         RECURRING                 recurringBilling (RecurringBillingInfo)
                         INV#<creationDate>#<id>   invoice, paymentInfo
                         PROD#<productId>#<sub>    product (Product)
                         OFFERS#<productId>        offers (CommercialOffering list)
                         SR#<creationDate>#<id>    serviceRequest (ServiceRequest)
                         CALL#<line>#<YYYY-MM>     calls (the line's CallDetails that month)
  BILLINGACCOUNT#<id>    #REF                      contractId
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from selfcare.storable import storable
from selfcare.stores.cards import CARD, customer_pk  # the card vault's keys, kept here too

Item = dict[str, Any]

CUSTOMER, VISITS, CONTRACT, CONTACT, RECURRING, REF = (
    "#CUSTOMER",
    "VISITS",
    "#CONTRACT",
    "CONTACT",
    "RECURRING",
    "#REF",
)
INVOICE, PRODUCT, OFFERS, REQUEST, CALL = "INV#", "PROD#", "OFFERS#", "SR#", "CALL#"


def contract_pk(contract_id: str) -> str:
    return f"CONTRACT#{contract_id}"


def billing_account_pk(billing_account_id: str) -> str:
    return f"BILLINGACCOUNT#{billing_account_id}"


def invoice_prefix(contract_id: str, invoice_id: str) -> str:
    """Where invoice `invoice_id` of the contract can be: its id <contractId>-<YYYYMM><nn>
    names the month it was issued (the sort key's creation date); any invoice otherwise."""
    month = invoice_id.removeprefix(f"{contract_id}-")
    if len(month) == 8 and month.isascii() and month.isdigit() and month != invoice_id:
        return f"{INVOICE}{month[:4]}-{month[4:6]}"
    return INVOICE


def product_prefix(product_id: int) -> str:
    return f"{PRODUCT}{product_id:06d}#"


def offers_sk(product_id: int) -> str:
    return f"{OFFERS}{product_id:06d}"


def call_bounds(line: str, start: date, end: date) -> tuple[str, str]:
    """The months holding a line's calls between two dates (one Query reads them all)."""
    return f"{CALL}{line}#{start:%Y-%m}", f"{CALL}{line}#{end:%Y-%m}"


def dataset_items(dataset: Mapping[str, Any]) -> Iterator[Item]:
    """Every item of a generated dataset (see generator.generate_dataset)."""
    for customer in dataset["customers"]:
        yield from _customer_items(customer)


def _item(pk: str, sk: str, **attributes: Any) -> Item:
    return storable({"pk": pk, "sk": sk, **attributes})


def _customer_items(customer: Mapping[str, Any]) -> Iterator[Item]:
    doc_type, customer_id = customer["documentType"], customer["customerId"]
    pk = customer_pk(doc_type, customer_id)
    contracts = customer["contracts"]
    yield _item(
        pk,
        CUSTOMER,
        documentType=doc_type,
        customerId=customer_id,
        customer=customer["customer"],
        contractIds=[c["contractId"] for c in contracts],
    )
    yield _item(pk, VISITS, scheduledVisits=customer["scheduledVisits"])
    for token in customer.get("cardTokens", []):
        card = {k: v for k, v in token.items() if k != "createdAt"}
        yield _item(pk, f"{CARD}{token['createdAt']}#{token['cardToken']}", token=card)
    cards = {t["cardInfo"]: t["cardToken"] for t in customer.get("cardTokens", [])}
    for contract in contracts:
        yield from _contract_items(contract, doc_type, customer_id, cards)


def _contract_items(
    contract: Mapping[str, Any], doc_type: str, customer_id: str, cards: Mapping[str, str]
) -> Iterator[Item]:
    contract_id = contract["contractId"]
    pk = contract_pk(contract_id)
    calls = contract.get("calls", [])
    lines = sorted({call["measuringElement"] for call in calls} | set(_voice_lines(contract)))
    yield _item(
        pk,
        CONTRACT,
        contractId=contract_id,
        documentType=doc_type,
        customerId=customer_id,
        billingAccountId=str(contract["billingAccountId"]),
        subscriptionNumber=str(contract["subscriptionNumber"]),
        lines=lines,
        contract=contract["contract"],
        address=contract["address"],
        financing=contract["financing"],
    )
    yield _item(billing_account_pk(str(contract["billingAccountId"])), REF, contractId=contract_id)
    yield _item(pk, CONTACT, contactInformation=contract["contactInformation"])
    recurring = contract.get("recurringBilling")
    if recurring:  # a card enrolment charges one of the holder's tokens (debits charge none)
        token = cards.get(str(recurring.get("cardInfo")))
        yield _item(pk, RECURRING, recurringBilling=recurring, cardToken=token)
    for invoice in contract["invoices"]:
        body = {k: v for k, v in invoice.items() if k != "paymentInfo"}
        sk = f"{INVOICE}{storable(invoice['creationDate'])}#{invoice['invoiceId']}"
        yield _item(pk, sk, invoice=body, paymentInfo=invoice.get("paymentInfo"))
    for product in contract["products"]:
        subscription = _subscription_of(product)
        yield _item(
            pk, f"{product_prefix(int(product['productId']))}{subscription}", product=product
        )
    for product_id, offers in contract.get("availableOffers", {}).items():
        yield _item(pk, offers_sk(int(product_id)), offers=offers)
    for request in contract.get("serviceRequests", []):
        sk = f"{REQUEST}{request['creationDate']}#{request['serviceRequestId']}"
        yield _item(pk, sk, serviceRequest=request)
    months: dict[str, list[dict[str, Any]]] = {}
    for call in sorted(calls, key=lambda c: str(c["dateTimeStart"])):
        sk = f"{CALL}{call['measuringElement']}#{str(call['dateTimeStart'])[:7]}"
        months.setdefault(sk, []).append({k: v for k, v in call.items() if k != "measuringElement"})
    for sk, detail in months.items():
        yield _item(pk, sk, calls=detail)


def _subscription_of(product: Mapping[str, Any]) -> str:
    offerings = product.get("offeringList") or []
    return str(offerings[0]["subscriptionNumber"]) if offerings else "0"


def _voice_lines(contract: Mapping[str, Any]) -> Iterator[str]:
    for product in contract["products"]:
        for offering in product.get("offeringList") or []:
            if offering.get("measuringElement"):
                yield str(offering["measuringElement"])
