"""A valid request for every change the contract offers, built from the sandbox dataset:
which customer it suits, its path values and its body. The events in events/ and the
authorization tests use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from selfcare.countries import get_country

Customer = dict[str, Any]

NEW_PHONE = {"co": "3104445566", "gt": "55554444", "sv": "77778888"}
NEW_EMAIL = "nuevo.contacto@example.com"


@dataclass(frozen=True)
class Sample:
    operation_id: str
    method: str
    template: str  # contract path, as api/openapi.yaml spells it
    suits: Callable[[Customer], bool]
    values: Callable[[str, Customer], dict[str, str]]
    body: Callable[[str, Customer], dict[str, Any] | None]
    status: int  # the success status the contract declares


def first(customer: Customer) -> dict[str, Any]:
    return dict(customer["contracts"][0])


def _contract(country: str, customer: Customer) -> dict[str, str]:
    contract = first(customer)
    id_type = get_country(country).paperless_id_type or "subscriptions"
    own = (
        contract["subscriptionNumber"]
        if id_type == "subscriptions"
        else contract["billingAccountId"]
    )
    return {"contractId": contract["contractId"], "idType": id_type, "id": str(own)}


def _customer(country: str, customer: Customer) -> dict[str, str]:
    return {"docTypeId": customer["documentType"].lower(), "customerId": customer["customerId"]}


def _owing(customer: Customer) -> bool:
    return any(not i["hasPayment"] for i in first(customer)["invoices"])


def _card(customer: Customer) -> str:
    return str(customer["cardTokens"][0]["cardToken"])


def _recurring_by_card(customer: Customer) -> bool:
    recurring = first(customer).get("recurringBilling") or {}
    return any(t["cardInfo"] == recurring.get("cardInfo") for t in customer.get("cardTokens", []))


def _recurring_token(customer: Customer) -> str:
    info = first(customer)["recurringBilling"]["cardInfo"]
    return next(str(t["cardToken"]) for t in customer["cardTokens"] if t["cardInfo"] == info)


def _offer(customer: Customer) -> tuple[str, str] | None:
    """(productId, offeringId) of an offer the first contract may add."""
    contract = first(customer)
    products = {str(p["productId"]) for p in contract["products"]}
    for product_id, offers in contract.get("availableOffers", {}).items():
        if product_id in products and offers and not offers[0].get("promotionCode"):
            return product_id, str(offers[0]["offeringId"])
    return None


def _extra(customer: Customer) -> tuple[str, str] | None:
    """(productId, offeringId) of an active additional offering of the first product of
    its id (the one the routes change)."""
    seen: set[int] = set()
    for product in first(customer)["products"]:
        if product["productId"] in seen:
            continue
        seen.add(product["productId"])
        for offering in product.get("offeringList", [])[1:]:
            if offering.get("active") and offering.get("offeringType") != "Principal":
                return str(product["productId"]), str(offering["offeringId"])
    return None


def _must(found: tuple[str, str] | None) -> tuple[str, str]:
    if found is None:
        raise LookupError("this customer does not suit the sample")
    return found


def _phones(customer: Customer) -> list[str]:
    return [p["phone"] for p in first(customer)["contactInformation"].get("customerPhoneList", [])]


def _emails(customer: Customer) -> list[str]:
    return [e["email"] for e in first(customer)["contactInformation"].get("customerEmailList", [])]


def _paperless(customer: Customer) -> bool:
    return bool(first(customer).get("paperless"))


def _paperless_body(country: str, customer: Customer) -> dict[str, Any]:
    return {"email": "factura.hogar@example.com", "registeringAppName": "MiTigoWeb"}


def _oldest_unpaid(customer: Customer) -> dict[str, Any]:
    """The oldest unpaid invoice of the first contract (seeding may leave a payment in
    process on the newest one of demo customers)."""
    return next(i for i in first(customer)["invoices"] if not i["hasPayment"])


def _number(value: Any) -> int | float:
    amount = Decimal(value)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _checkout_values(country: str, customer: Customer) -> dict[str, str]:
    return {**_contract(country, customer), "invoiceId": _oldest_unpaid(customer)["invoiceId"]}


def _checkout_body(country: str, customer: Customer) -> dict[str, Any]:
    invoice = _oldest_unpaid(customer)
    info = customer["customer"]["customerInfo"]
    return {
        "invoiceId": invoice["invoiceId"],
        "paymentAmount": _number(invoice["dueAmount"]),
        "customerInfo": {"customerId": customer["customerId"], "email": info.get("email")},
        "paymentDescription": f"Pago factura {invoice['invoiceId']}",
    }


def _free_token(customer: Customer) -> str | None:
    """A card token of the customer that no recurring billing charges."""
    charged = {
        str((k.get("recurringBilling") or {}).get("cardInfo")) for k in customer["contracts"]
    }
    return next(
        (
            str(t["cardToken"])
            for t in customer.get("cardTokens", [])
            if t["cardInfo"] not in charged
        ),
        None,
    )


def _card_body(country: str, customer: Customer) -> dict[str, Any]:
    return {
        "customerInfo": {
            "customerId": customer["customerId"],
            "documentType": customer["documentType"],
        },
        "cardDetails": {
            "cardNumber": "4111111111111111",
            "cardExpirationDate": "203012",
            "cardVerificationValue": "123",
            "cardBrand": "VISA",
            "cardPrintedName": "TITULAR DE PRUEBA",
        },
        "transactionId": "tx-card-1",
    }


CONTRACT = "/billing/contracts/{contractId}"
PAPERLESS = CONTRACT + "/paperlessInvoiceInfo"
BY_ID_TYPE = CONTRACT + "/{idType}/{id}/paperlessInvoiceInfo"
RECURRING = CONTRACT + "/recurringBillingInfo"
PRODUCT = "/portfolio/contracts/{contractId}/products/{productId}"
CONTACT = "/customer/contracts/{contractId}/contactinformation"

CARDS = "/tokenization/doc-type/{docTypeId}/customers/{customerId}/cardtokens/"


def _paperless_samples() -> list[Sample]:
    """Subscribe, change and cancel, by contract and by idType/id: what suits and the
    status by method, the rest alike."""
    names = {
        PAPERLESS: (
            "CreatePaperlessInvoiceInfoByContractId",
            "UpdatePaperlessInvoiceInfoByContractId",
            "DeletePaperlessInvoiceInfoByContractId",
        ),
        BY_ID_TYPE: (
            "CreatePaperlessInvoiceInfoByContractIdandAndIdTypeAndId",
            "UpdatePaperlessInvoiceInfoByContractIdAndIdTypeAndId",
            "DeletePaperlessInvoiceInfoByContractIdandSubscriptionNumber",
        ),
    }
    methods: list[tuple[str, Callable[[Customer], bool], int]] = [
        ("POST", lambda cu: not _paperless(cu), 201),
        ("PUT", _paperless, 200),
        ("DELETE", _paperless, 200),
    ]
    return [
        Sample(name, method, template, suits, _contract, _paperless_body, status)
        for template, operations in names.items()
        for name, (method, suits, status) in zip(operations, methods, strict=True)
    ]


def _offering_sample(
    operation_id: str, method: str, find: Callable[[Customer], tuple[str, str] | None]
) -> Sample:
    """Add an offer the first contract may take (_offer), or delete an extra it has (_extra)."""
    return Sample(
        operation_id,
        method,
        PRODUCT,
        lambda cu: find(cu) is not None,
        lambda c, cu: {**_contract(c, cu), "productId": _must(find(cu))[0]},
        lambda c, cu: {"offeringId": _must(find(cu))[1]},
        201,
    )


SAMPLES = [
    Sample(
        "CreateCardTokenForCustomerId",
        "POST",
        CARDS,
        lambda cu: len(cu.get("cardTokens", [])) < 5,
        lambda c, cu: {},
        _card_body,
        201,
    ),
    Sample(
        "DeleteCardTokenByCustomerId",
        "DELETE",
        CARDS,
        lambda cu: _free_token(cu) is not None,
        lambda c, cu: {},
        lambda c, cu: {"cardToken": _free_token(cu)},
        200,
    ),
    Sample(
        "CreateCheckOutForContractIdAndInvoiceId",
        "POST",
        CONTRACT + "/invoices/{invoiceId}/checkOut",
        lambda cu: _owing(cu) and not cu.get("demo"),  # demo holders have a payment in process
        _checkout_values,
        _checkout_body,
        201,
    ),
    Sample(
        "CreateInvoiceByContractId",
        "POST",
        CONTRACT + "/invoices/",
        _owing,
        _contract,
        lambda c, cu: {"amount": 1},
        201,
    ),
    Sample(
        "CreateRecurringBillingInfoByContractId",
        "POST",
        RECURRING,
        lambda cu: bool(cu.get("cardTokens")) and not first(cu).get("recurringBilling"),
        _contract,
        lambda c, cu: {"cardToken": _card(cu)},
        201,
    ),
    Sample(
        "UpdateRecurringBillingInfoByContractId",
        "PUT",
        RECURRING,
        _recurring_by_card,
        _contract,
        lambda c, cu: {
            "cardToken": _recurring_token(cu),
            "recurringBillingInfo": {"cardIssuingBank": "Banco"},
        },
        200,
    ),
    Sample(
        "DeleteRecurringBillingInfoByContractId",
        "DELETE",
        RECURRING,
        _recurring_by_card,
        _contract,
        lambda c, cu: {"cardToken": _recurring_token(cu)},
        200,
    ),
    *_paperless_samples(),
    _offering_sample("AddOfferingByContractIdAndProductId", "POST", _offer),
    _offering_sample("DeleteOfferingByContractIdAndProductId", "DELETE", _extra),
    Sample(
        "AddPhonesContactInformationByContractId",
        "POST",
        CONTACT + "/phones/",
        lambda cu: len(_phones(cu)) < 10,
        _contract,
        lambda c, cu: {"phone": NEW_PHONE[c], "phoneType": "Casa"},
        200,
    ),
    Sample(
        "UpdatePhonesContactInformationByContractId",
        "PUT",
        CONTACT + "/phones/",
        lambda cu: bool(_phones(cu)),
        _contract,
        lambda c, cu: {
            "oldPhone": _phones(cu)[0],
            "newPhone": NEW_PHONE[c],
            "newPhoneType": "Móvil",
        },
        200,
    ),
    Sample(
        "RemovePhonesContactInformationByContractId",
        "DELETE",
        CONTACT + "/phones/",
        lambda cu: bool(_phones(cu)),
        _contract,
        lambda c, cu: {"phone": _phones(cu)[-1]},
        200,
    ),
    Sample(
        "AddEmailContactInformationByContractId",
        "POST",
        CONTACT + "/emails/",
        lambda cu: len(_emails(cu)) < 10,
        _contract,
        lambda c, cu: {"email": NEW_EMAIL},
        200,
    ),
    Sample(
        "UpdateEmailsContactInformationByContractId",
        "PUT",
        CONTACT + "/emails/",
        lambda cu: bool(_emails(cu)),
        _contract,
        lambda c, cu: {"oldEmail": _emails(cu)[0], "newEmail": NEW_EMAIL},
        200,
    ),
    Sample(
        "RemoveEmailContactInformationByContractId",
        "DELETE",
        CONTACT + "/emails/",
        lambda cu: len(_emails(cu)) > 1,
        _contract,
        lambda c, cu: {"email": _emails(cu)[-1]},
        200,
    ),
]

BY_OPERATION = {sample.operation_id: sample for sample in SAMPLES}


def customer_values(country: str, customer: Customer) -> dict[str, str]:
    return _customer(country, customer)
