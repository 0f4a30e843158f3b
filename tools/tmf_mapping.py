"""The mapping of the contract onto the TM Forum Open APIs (v4), written from the adapter's
own code: docs/tmf-mapping.md and the JSON schemas of our extension `@type`s under
api/reference/tmf/extensions/.

    python -m tools.tmf_mapping           # write them
    python -m tools.tmf_mapping --check   # exit 1 when a committed file is stale

Records come from `selfcare.adapters.tmf.shapes` (every field, its path and conversion);
whether an attribute is TMF's own or an extension is decided by walking the TMF schema
excerpts (api/reference/tmf/) along the path. Which TMF calls each port method makes is
declared below (PORTS) and checked against reads.py/changes.py by
tests/unit/tools/test_tmf_mapping.py (the apis constants, filters and HTTP verbs each
method's source uses); which port methods each operation uses (OPERATIONS) is checked
against the functions' sources the same way.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from local.tmf_schema import COLLECTIONS, TMF_DIR, excerpt_path, load
from selfcare import ports
from selfcare.adapters.tmf import apis, changes, reads, shapes
from selfcare.adapters.tmf.backend import TmfBackend
from selfcare.adapters.tmf.codec import DATE, ID, SELECTOR, TIME, F, Shape

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "tmf-mapping.md"
EXTENSIONS = TMF_DIR / "extensions"
SPEC = ROOT / "api" / "openapi.yaml"
DRAFT4 = "http://json-schema.org/draft-04/schema#"
MERGE, JSON_PATCH = "merge patch", "JSON Patch Query"
EACH = "*"  # a path segment: every element of the list


# Port methods -> TMF calls ---------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    method: str  # HTTP
    resource: str  # the name of the apis constant of the collection
    target: str = ""  # after the collection: "/{invoiceId}"
    query: tuple[str, ...] = ()  # "name=value" (TMF630 filters, sort, limit)
    fields: str = ""
    patch: str = ""  # MERGE or JSON_PATCH
    body: str = ""  # what a write sends
    when: str = ""  # made only then


@dataclass(frozen=True)
class Port:
    calls: tuple[Call, ...] = ()
    uses: tuple[str, ...] = ()  # port methods it calls before its own calls
    then: tuple[str, ...] = ()  # ... and after
    along: tuple[str, ...] = ()  # ... at the same time as its own calls
    concurrent: bool = False  # its own calls (and `along`) are made at once
    table: str = ""  # the service's own table that answers it instead of the BSS
    note: str = ""


CONTRACT_REF = "/{contractId}"
ACCOUNT = "billingAccount.id={account}"
PRODUCTS_OF = (
    "productRelationship.product.id={contractId}",
    f"@type={apis.PRODUCT_TYPE}",
    "sort=id",
)
ACTIVE_METHOD = ("account.id={account}", "status=active", "limit=1")
MEDIUM = "/contact/0/contactMedium"
CONTACT_AGAIN = Call(
    "GET", "BILLING_ACCOUNT", "/{account}", fields="contact", when="the PATCH answers no body"
)


def _contact(operation: str, value: str = "") -> Call:
    body = f"[{{op: {operation}, path: {MEDIUM}{value}}}]"
    return Call("PATCH", "BILLING_ACCOUNT", "/{account}", patch=JSON_PATCH, body=body)


PHONE_QUERY = "?mediumType=phone&characteristic.phoneNumber={phone}"
EMAIL_QUERY = "?mediumType=email&characteristic.emailAddress={email}"
CARDS = "card tokens"

PORTS: dict[str, Port] = {
    # Directory
    "find_contract": Port(
        (Call("GET", "PRODUCT", CONTRACT_REF, fields=reads.REF_FIELDS),),
        note="cached per warm container, as every Directory answer",
    ),
    "find_customer": Port((Call("GET", "CUSTOMER", "/{customerKey}", fields="agreement"),)),
    "find_billing_account": Port(
        (
            Call(
                "GET",
                "PRODUCT",
                query=(
                    "billingAccount.id={billingAccountId}",
                    f"@type={apis.CONTRACT_TYPE}",
                    "limit=1",
                ),
                fields=reads.REF_FIELDS,
            ),
        )
    ),
    # BillingSystem
    "customer": Port((Call("GET", "CUSTOMER", "/{customerKey}"),)),
    "contract": Port((Call("GET", "PRODUCT", CONTRACT_REF),)),
    "contracts": Port(
        (
            Call(
                "GET",
                "PRODUCT",
                query=("id={contractId},{contractId}…", f"@type={apis.CONTRACT_TYPE}"),
            ),
        )
    ),
    "invoices": Port(
        (Call("GET", "CUSTOMER_BILL", query=(ACCOUNT, "sort=-billDate")),),
        uses=("find_contract",),
    ),
    "invoice": Port((Call("GET", "CUSTOMER_BILL", "/{invoiceId}"),), uses=("find_contract",)),
    "payment_info": Port(uses=("invoice_with_payment",)),
    "invoice_with_payment": Port(
        (
            Call("GET", "CUSTOMER_BILL", "/{invoiceId}"),
            Call(
                "GET", "PAYMENT", query=("paymentItem.item.id={invoiceId}", "account.id={account}")
            ),
        ),
        uses=("find_contract",),
        concurrent=True,
        note="the last payment of the account listed is the invoice's",
    ),
    "recurring_billing": Port(
        (Call("GET", "PAYMENT_METHOD", query=ACTIVE_METHOD),), uses=("find_contract",)
    ),
    "financing": Port((Call("GET", "PRODUCT", CONTRACT_REF, fields="financing"),)),
    "calls": Port(
        (
            Call(
                "GET",
                "USAGE",
                query=(
                    "contractId={contractId}",
                    "measuringElement={line}",
                    "usageDate.gte={fromDate}",
                    "usageDate.lt={toDate + 1 day}",
                    "sort=usageDate",
                ),
            ),
        )
    ),
    # BillingChanges
    "enrol_recurring_billing": Port(
        (Call("POST", "PAYMENT_METHOD", body="tokenizedCard or bankAccountDebit (RECURRING)"),),
        uses=("find_contract",),
    ),
    "update_recurring_billing": Port(
        (
            Call(
                "PATCH",
                "PAYMENT_METHOD",
                "/PM-{contractId}",
                patch=MERGE,
                body="RECURRING, a field now absent as null",
            ),
        ),
        uses=("find_contract",),
    ),
    "end_recurring_billing": Port(
        (Call("DELETE", "PAYMENT_METHOD", "/PM-{contractId}"),), uses=("recurring_card_token",)
    ),
    "create_invoice": Port(
        (
            Call(
                "POST",
                "BILL_ON_DEMAND",
                body="TigoCustomerBillOnDemand {billingAccount, amount, billDate}",
            ),
        ),
        uses=("find_contract",),
        then=("invoice",),
        note="the bill made (customerBill.id of the answer) is read back",
    ),
    "recurring_card_token": Port(
        (Call("GET", "PAYMENT_METHOD", query=ACTIVE_METHOD),), uses=("find_contract",)
    ),
    "set_invoice_flags": Port(
        (
            Call(
                "PATCH",
                "BILLING_ACCOUNT",
                "/{account}",
                patch=MERGE,
                body="{invoiceFlags: {hasRecurringBilling or hasPaperlessInvoice}}",
            ),
        ),
        uses=("find_contract",),
    ),
    "record_payment": Port(
        (Call("POST", "PAYMENT", body="TigoPayment (PAYMENT) with account and paymentItem"),),
        uses=("find_contract",),
    ),
    # ProductCatalog
    "products": Port((Call("GET", "PRODUCT", query=PRODUCTS_OF),)),
    "products_of": Port(
        (
            Call(
                "GET",
                "PRODUCT",
                query=(
                    "productRelationship.product.id={contractId},{contractId}…",
                    *PRODUCTS_OF[1:],
                ),
            ),
        ),
        note="one list for every contract, put in the customer's contract order",
    ),
    "product": Port(
        (
            Call("GET", "PRODUCT", "/{productKey}", when="a subscription number is given"),
            Call(
                "GET",
                "PRODUCT",
                query=(*PRODUCTS_OF, "productSpecification.id={productId}", "limit=1"),
                when="no subscription number is given",
            ),
        ),
        note="only a TigoProduct bundled by (isBundledBy) the contract",
    ),
    "available_offers": Port(
        (
            Call(
                "GET",
                "PRODUCT_OFFERING",
                query=("contractId={contractId}", "productSpecification.id={productId}", "sort=id"),
            ),
        ),
        along=("product",),
        concurrent=True,
        note="404 when the product is not the contract's",
    ),
    # CatalogChanges
    "add_offering": Port(
        (Call("POST", "PRODUCT_ORDER", body="one productOrderItem, action add"),),
        uses=("product", "available_offers"),
        note="the product and its offers read at once first: the order checked as the API"
        " answers (selfcare.offerings), the BSS deciding last",
    ),
    "remove_offering": Port(
        (Call("POST", "PRODUCT_ORDER", body="one productOrderItem, action delete"),),
        uses=("product", "available_offers"),
        note="the product and its offers read at once first, as add_offering",
    ),
    "monthly_charges": Port(uses=("products",)),
    # CaseSystem
    "service_requests": Port(
        (
            Call(
                "GET",
                "TROUBLE_TICKET",
                query=("relatedEntity.id={contractId}", "sort=-creationDate"),
            ),
        )
    ),
    "service_requests_of": Port(
        (
            Call(
                "GET",
                "TROUBLE_TICKET",
                query=("relatedEntity.id={contractId},{contractId}…", "sort=-creationDate"),
            ),
        ),
        note="one list for every contract, put in the customer's contract order",
    ),
    "scheduled_visits": Port(
        (
            Call("GET", "CUSTOMER", "/{customerKey}"),
            Call(
                "GET",
                "APPOINTMENT",
                query=("relatedParty.id={customerKey}", "sort=validFor.startDateTime"),
            ),
        ),
        concurrent=True,
    ),
    # Crm
    "contact_information": Port(
        (Call("GET", "BILLING_ACCOUNT", "/{account}", fields="contact"),), uses=("find_contract",)
    ),
    # CrmChanges
    "add_phone": Port((_contact("add"), CONTACT_AGAIN), uses=("find_contract",)),
    "update_phone": Port(
        (_contact("replace", PHONE_QUERY), CONTACT_AGAIN), uses=("find_contract",)
    ),
    "remove_phone": Port(
        (_contact("remove", PHONE_QUERY), CONTACT_AGAIN), uses=("contact_information",)
    ),
    "add_email": Port((_contact("add"), CONTACT_AGAIN), uses=("find_contract",)),
    "update_email": Port(
        (_contact("replace", EMAIL_QUERY), CONTACT_AGAIN), uses=("find_contract",)
    ),
    "remove_email": Port(
        (_contact("remove", EMAIL_QUERY), CONTACT_AGAIN), uses=("contact_information",)
    ),
    # CardVault: the service's own table (the checkout table with Backend tmf)
    "card_tokens": Port(table=CARDS),
    "card_token": Port(table=CARDS),
    "card_token_of": Port(table=CARDS),
    "keep_card_token": Port(table=CARDS),
    "forget_card_token": Port(table=CARDS),
    "forgot_card_token": Port(table=CARDS),
}


# Contract operations -> port methods --------------------------------------------------------
@dataclass(frozen=True)
class Op:
    ports: str = ""  # port methods, space-separated, in the order used (after the Directory)
    tables: str = ""  # the service's own tables
    note: str = ""


PAPERLESS, ATTEMPTS, IDEMPOTENCY = "paperless", "checkout attempts", "idempotency"
WRITE = IDEMPOTENCY
RELATED = "find_customer, find_contract only with affectRelatedContracts"
BY_ID = "products only for another subscription's number than the contract's own"
SETTLE = "record_payment and invoice_with_payment when an approval waits to be recorded"
CONTACT_WRITE = "the change at the BSS, answered from its result"

OPERATIONS: dict[str, Op] = {
    "GetInvoicesByContractId": Op("invoices"),
    "CreateInvoiceByContractId": Op(
        "invoices create_invoice", WRITE, "invoices: what is outstanding"
    ),
    "GetInvoiceByContractIdAndInvoiceId": Op("invoice"),
    "GetInvoicePaymentInfoByContractIdAndInvoiceId": Op(
        "payment_info invoice", note="invoice only when unpaid (404: unknown or not paid)"
    ),
    "GetRecurringBillingInfoByContractId": Op("recurring_billing"),
    "CreateRecurringBillingInfoByContractId": Op(
        "customer contract card_token enrol_recurring_billing recurring_billing set_invoice_flags",
        f"{CARDS}, {WRITE}",
        "card_token: the card's TokenInfo from the vault",
    ),
    "UpdateRecurringBillingInfoByContractId": Op(
        "customer contract card_token recurring_billing update_recurring_billing",
        f"{CARDS}, {WRITE}",
    ),
    "DeleteRecurringBillingInfoByContractId": Op(
        "end_recurring_billing recurring_billing set_invoice_flags", WRITE
    ),
    "GetPaperlessInvoiceInfoByContractId": Op(tables=PAPERLESS),
    "CreatePaperlessInvoiceInfoByContractId": Op(
        "find_customer find_contract set_invoice_flags", f"{PAPERLESS}, {WRITE}", RELATED
    ),
    "UpdatePaperlessInvoiceInfoByContractId": Op(
        "find_customer find_contract set_invoice_flags", f"{PAPERLESS}, {WRITE}", RELATED
    ),
    "DeletePaperlessInvoiceInfoByContractId": Op(
        "find_customer find_contract set_invoice_flags", f"{PAPERLESS}, {WRITE}", RELATED
    ),
    "GetPaperlessInvoiceInfoByContractIdAndIdTypeAndId": Op("products", PAPERLESS, BY_ID),
    "CreatePaperlessInvoiceInfoByContractIdandAndIdTypeAndId": Op(
        "products find_customer find_contract set_invoice_flags",
        f"{PAPERLESS}, {WRITE}",
        f"{BY_ID}; {RELATED}",
    ),
    "UpdatePaperlessInvoiceInfoByContractIdAndIdTypeAndId": Op(
        "products find_customer find_contract set_invoice_flags",
        f"{PAPERLESS}, {WRITE}",
        f"{BY_ID}; {RELATED}",
    ),
    "DeletePaperlessInvoiceInfoByContractIdandSubscriptionNumber": Op(
        "products find_customer find_contract set_invoice_flags",
        f"{PAPERLESS}, {WRITE}",
        f"{BY_ID}; {RELATED}",
    ),
    "GetInvoicesByCustomerId": Op("invoices", note="the customer's first contract"),
    "GetInvoiceByCustomerIdAndInvoiceId": Op("invoice", note="each contract until found"),
    "GetContractsByCustomerId": Op("contracts"),
    "GetCustomerByCustomerId": Op("customer"),
    "GetCustomerByContractId": Op("customer"),
    "GetCheckOutByContractIdAndInvoiceId": Op(
        "invoice record_payment invoice_with_payment",
        ATTEMPTS,
        f"invoice only when no attempt exists; {SETTLE}",
    ),
    "CreateCheckOutForContractIdAndInvoiceId": Op(
        "invoice financing record_payment invoice_with_payment",
        f"{ATTEMPTS}, {WRITE}",
        f"financing only for less than the amount due; {SETTLE} (an expired attempt)",
    ),
    "GetCheckOutByContractIdAndInvoiceIdAndPaymentToken": Op(
        "invoice record_payment invoice_with_payment",
        ATTEMPTS,
        f"invoice only when no attempt exists; {SETTLE}",
    ),
    "GetAvailableSpoolBillingDatesByContractId": Op("invoices"),
    "GetSpoolURLByContractIdAndBillingDate": Op("invoices"),
    "GetSpoolURLByContractIdAndInvoiceId": Op("invoice"),
    "GetInvoicePDFByContractIdAndInvoiceId": Op("invoice_with_payment"),
    "GetInvoicePDFByBillingAccountIdAndInvoiceId": Op("invoice_with_payment"),
    "GetBalanceByContractId": Op(
        "invoices recurring_billing", note="recurring_billing only for a contract with no invoice"
    ),
    "GetLocalCallsByContractIdAndMeasuringElement": Op("calls"),
    "GetCallsByContractIdAndMeasuringElement": Op("calls"),
    "GetFinancingByContractId": Op("financing"),
    "GetProductsByContractId": Op("products"),
    "GetProductByContractIdAndProductId": Op("product"),
    "AddOfferingByContractIdAndProductId": Op("add_offering", WRITE),
    "DeleteOfferingByContractIdAndProductId": Op("remove_offering", WRITE),
    "GetProductByContractIdAndProductIdAndSubscriptionNumber": Op("product"),
    "GetProductsByCustomerId": Op("products_of", note="every contract in one read, to the limit"),
    "GetCardTokensByCustomerId": Op("card_tokens", CARDS),
    "CreateCardTokenForCustomerId": Op(
        "card_token_of card_tokens keep_card_token card_token",
        f"{CARDS}, {WRITE}",
        "the card itself goes to the payment gateway, never to the BSS",
    ),
    "DeleteCardTokenByCustomerId": Op(
        "recurring_card_token card_token forgot_card_token forget_card_token",
        f"{CARDS}, {WRITE}",
        "recurring_card_token of each contract: 409 while a recurring billing charges the card",
    ),
    "GetAvailableOffersByContractIdAndProductId": Op("available_offers"),
    "GetServiceRequestsByContractId": Op("service_requests"),
    "GetServiceRequestsByCustomerId": Op("service_requests_of", note="every contract in one read"),
    "GetScheduledVisitsByCustomerId": Op("scheduled_visits"),
    "GetContactInformationByContractId": Op("contact_information"),
    "GetPhonesContactInformationByContractId": Op("contact_information"),
    "AddPhonesContactInformationByContractId": Op("add_phone", WRITE, CONTACT_WRITE),
    "UpdatePhonesContactInformationByContractId": Op("update_phone", WRITE, CONTACT_WRITE),
    "RemovePhonesContactInformationByContractId": Op("remove_phone", WRITE, CONTACT_WRITE),
    "GetEmailsFromContactInformationByContractId": Op("contact_information"),
    "AddEmailContactInformationByContractId": Op("add_email", WRITE, CONTACT_WRITE),
    "UpdateEmailsContactInformationByContractId": Op("update_email", WRITE, CONTACT_WRITE),
    "RemoveEmailContactInformationByContractId": Op("remove_email", WRITE, CONTACT_WRITE),
    # Outside the contract (x-non-contract): the gateways' side and signed document links
    "ReceivePaymentNotification": Op(
        "invoice record_payment invoice_with_payment", ATTEMPTS, "invoice: a retry after a decline"
    ),
    "GetSandboxGatewayPage": Op(tables="the sandbox gateway's sessions"),
    "DecideSandboxGatewayPayment": Op(
        "invoice record_payment invoice_with_payment",
        f"{ATTEMPTS}, the sandbox gateway's sessions",
    ),
    "GetPayuCheckoutPage": Op("invoice", ATTEMPTS),
    "DownloadSpoolDocument": Op(
        "find_contract invoice_with_payment", note="the signed link's contract"
    ),
}


def directory_of(path: str) -> list[str]:
    """The Directory lookups every request of `path` makes first (selfcare.access.resolve)."""
    found = []
    if "{customerId}" in path:
        found.append("find_customer")
    if "{contractId}" in path:
        found.append("find_contract")
    if "{billingAccountId}" in path:
        found.append("find_billing_account")
    return found


# Records -> TMF resources --------------------------------------------------------------------
@dataclass(frozen=True)
class Home:
    """Where a record lives: a TMF resource (`api`'s `definition`) of `types`, at `at`."""

    api: str
    definition: str
    types: tuple[str, ...]
    base: str
    record: str  # the contract's schema (api/openapi.yaml components)
    at: str = ""


HOMES: dict[str, Home] = {  # the shapes a resource starts with, in the document's order
    "CUSTOMER": Home("TMF629", "Customer", ("Customer",), "", "CustomerExtendedInfo"),
    "CONTRACT": Home("TMF637", "Product", (apis.CONTRACT_TYPE,), "Product", "Contract"),
    "ADDRESS": Home("TMF637", "Product", (apis.CONTRACT_TYPE,), "Product", "Address", "address"),
    "FINANCING": Home(
        "TMF637", "Product", (apis.CONTRACT_TYPE,), "Product", "FinancingInfo", "financing"
    ),
    "PRODUCT": Home("TMF637", "Product", (apis.PRODUCT_TYPE,), "Product", "Product"),
    "OFFER": Home(
        "TMF620",
        "ProductOffering",
        ("TigoQualifiedOffering",),
        "ProductOffering",
        "CommercialOffering",
    ),
    "INVOICE": Home("TMF678", "CustomerBill", ("TigoCustomerBill",), "CustomerBill", "Invoice"),
    "PAYMENT": Home("TMF676", "Payment", ("TigoPayment",), "Payment", "paymentInfo"),
    "RECURRING": Home(
        "TMF670",
        "PaymentMethod",
        ("tokenizedCard", "bankAccountDebit"),
        "PaymentMethod",
        "RecurringBillingInfo",
    ),
    "CONTACT": Home(
        "TMF666",
        "BillingAccount",
        ("TigoBillingAccount",),
        "BillingAccount",
        "CustomerDetailInfo",
    ),
    "CALL": Home("TMF635", "Usage", ("TigoVoiceUsage",), "Usage", "CallDetail"),
    "SERVICE_REQUEST": Home(
        "TMF621", "TroubleTicket", ("TigoServiceRequest",), "TroubleTicket", "ServiceRequest"
    ),
    "VISIT_ACTION": Home("TMF646", "Appointment", ("TigoVisit",), "Appointment", "ServiceAction"),
    "VISIT_PLACE": Home("TMF646", "Appointment", ("TigoVisit",), "Appointment", "ScheduledVisit"),
}
RECORDS = {  # the contract's schema of each shape reached through another
    "CUSTOMER_INFO": "CustomerInfo",
    "CUSTOMER_CHARACTERISTICS": "CustomerCharacteristics",
    "BUNDLED_ITEM": "BundledItem",
    "OFFERING": "Offering",
    "EMAIL": "CustomerEmail",
    "PHONE": "CustomerPhone",
    "IDENTIFICATION": "CustomerIdentification",
}
SUBTYPES = {"TigoContactMedium": "ContactMedium"}  # @type of a list element -> its @baseType

# Extension attributes no shape holds: filters and writes of reads.py/changes.py.
EXTRAS: dict[str, dict[str, dict[str, Any]]] = {
    "TigoQualifiedOffering": {
        "contractId": {"type": "string", "description": "The contract whose product may take it"}
    },
    "TigoVoiceUsage": {
        "contractId": {"type": "string", "description": "The contract of the line"},
        "measuringElement": {"type": "string", "description": "The line (national number)"},
    },
    "TigoBillingAccount": {
        "invoiceFlags": {
            "type": "object",
            "description": "The flags every invoice of the account shows (merge-patched)",
            "properties": {
                "hasRecurringBilling": {"type": "boolean"},
                "hasPaperlessInvoice": {"type": "boolean"},
            },
        }
    },
    "tokenizedCard": {"token": {"type": "string", "description": "The payment gateway's token"}},
    "bankAccountDebit": {},
    "TigoCustomerBillOnDemand": {
        "amount": {
            "type": "object",
            "description": "The amount of the partial invoice",
            "properties": {"unit": {"type": "string"}, "value": {"type": "number"}},
        },
        "billDate": {"type": "string", "format": "date", "description": "Its date"},
    },
}
EXTRA_HOMES = {"TigoCustomerBillOnDemand": ("TMF678", "CustomerBillOnDemand")}

WHY = {
    apis.CONTRACT_TYPE: "A contract has no resource of its own in TMF: it is the bundle product"
    " (TMF637) its products are bundled by (`isBundledBy`). Its service address and financing"
    " terms have no Product attribute.",
    apis.PRODUCT_TYPE: "A product of a contract, its offerings bundled in it by value: legacy ids"
    " and names, status text, media type, devices and bundled items have no Product attribute.",
    "TigoQualifiedOffering": "TMF620 lists a catalogue, not what one product of one contract"
    " may take: the contract (a filter), promotions, included assets and details.",
    "TigoCustomerBill": "The contract's view of an invoice: its contract, billing name and"
    " address, minimum payment, extended due date, period and flags (payment, recurring"
    " billing, paperless, VIP) have no CustomerBill attribute.",
    "TigoCustomerBillOnDemand": "A partial-payment invoice of an amount on a date:"
    " CustomerBillOnDemand has neither.",
    "TigoPayment": "The bank and card brand of a payment received.",
    "tokenizedCard": "TMF670's own `@type` (an enum): the recurring billing's contract, billing"
    " name, masked card, expiry, bank, the contract's payment method code and the card token.",
    "bankAccountDebit": "TMF670's own `@type` (an enum): a debit's contract, billing name, the"
    " account's last digits, bank and the contract's payment method code.",
    "TigoBillingAccount": "A contract's contact information lives on its billing account's"
    " contact (TMF666 Contact), which has no names, address, checksum or identifications;"
    " and the invoice flags kept per account.",
    "TigoContactMedium": "Whether the CRM validated a phone or email.",
    "TigoVoiceUsage": "A call's contract and line, by which calls are listed; the call itself"
    " is in usageCharacteristic.",
    "TigoServiceRequest": "Status text, assigned group, service actions, duration and product"
    " name have no TroubleTicket attribute.",
    "TigoVisit": "A technician's visit: status text, schedule type, the technician's picture"
    " and company, the offerings it installs and the service address's city, state and"
    " neighbourhood have no Appointment attribute.",
}

KINDS = {
    DATE: "date ⇄ date-time at 00:00, country offset",
    TIME: "local time ⇄ date-time, country offset",
    ID: "number ⇄ string",
}


# TMF schemas, walked along the codec's paths ------------------------------------------------
Node = tuple[dict[str, Any], str]  # a schema and the name of its definition


class Tmf:
    def __init__(self, api: str) -> None:
        self.api = api
        self.definitions: dict[str, Any] = load(api)["definitions"]

    def node(self, definition: str) -> Node:
        return self.definitions[definition], definition

    def resolve(self, schema: dict[str, Any], name: str) -> Node:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.definitions[name]
        return schema, name

    def properties(self, schema: dict[str, Any]) -> dict[str, Any]:
        schema, _ = self.resolve(schema, "")
        found: dict[str, Any] = {}
        for part in schema.get("allOf", ()):
            found.update(self.properties(part))
        found.update(schema.get("properties", {}))
        return found

    def items(self, node: Node) -> Node | None:
        schema, name = self.resolve(*node)
        if schema.get("type") != "array" or "items" not in schema:
            return None
        return self.resolve(schema["items"], name)

    def step(self, node: Node, segment: str) -> Node | None:
        """The schema `segment` leads to from `node`; None when TMF defines no such thing."""
        if segment == EACH or segment.isdigit():
            return self.items(node)
        match = SELECTOR.match(segment)
        key = match["key"] if match else segment
        found = self.properties(node[0]).get(key)
        if found is None:
            return None
        child = self.resolve(found, key)
        if match:
            element = self.items(child)
            attribute = match["attr"] or "name"
            if element is None or attribute not in self.properties(element[0]):
                return None
            return element
        return child


@dataclass(frozen=True)
class Placed:
    """A shape where it lives: its resource and `@type`s, its place in the resource."""

    name: str
    shape: Shape
    record: str
    home: Home
    types: tuple[str, ...]  # the @type(s) of the object its extension attributes belong to
    context: tuple[str, str]  # (api, definition) the types extend
    prefix: tuple[str, ...]  # segments from the context's root
    shown: str  # where, as the document shows it
    parent: str = ""


def shape_names() -> dict[int, str]:
    return {id(v): k for k, v in vars(shapes).items() if isinstance(v, Shape)}


def segments(path: str) -> list[str]:
    return path.split(".")


def placed() -> list[Placed]:
    """Every shape, each once, from its home: sub-shapes right after the shape holding them."""
    names, out, seen = shape_names(), [], set()

    def visit(item: Placed) -> None:
        if item.name in seen:
            return
        seen.add(item.name)
        out.append(item)
        for f in item.shape.fields:
            sub = f.nested or f.items
            if sub is None:
                continue
            name = names[id(sub)]
            child = replace(item, name=name, shape=sub, record=RECORDS[name], parent=item.name)
            if f.nested is not None:  # the same object
                visit(child)
                continue
            where = "".join(f"[{k}={v}]" for k, v in sub.where.items()) or "[]"
            shown = ".".join(p for p in (item.shown, f.path or f.name) if p) + where
            prefix = (*item.prefix, *segments(f.path or f.name), EACH)
            sub_type = sub.fixed.get("@type")
            if sub_type and sub_type not in item.types:  # elements of a type of their own
                definition = _walk(item.context, prefix)
                if definition is None:
                    raise LookupError(f"{name}: its own @type in no TMF object")
                context = (item.context[0], definition[1])
                visit(replace(child, types=(sub_type,), context=context, prefix=(), shown=shown))
            else:
                visit(replace(child, prefix=prefix, shown=shown))

    for name, home in HOMES.items():
        context, prefix = (home.api, home.definition), tuple(segments(home.at)) if home.at else ()
        shape = getattr(shapes, name)
        visit(Placed(name, shape, home.record, home, home.types, context, prefix, home.at))
    return out


def _walk(context: tuple[str, str], path: tuple[str, ...] | list[str]) -> Node | None:
    tmf = Tmf(context[0])
    node: Node | None = tmf.node(context[1])
    for segment in path:
        if node is None:
            return None
        node = tmf.step(node, segment)
    return node


def standard_until(context: tuple[str, str], path: list[str]) -> int:
    """How many leading segments of `path` TMF defines (len(path): all of them)."""
    tmf = Tmf(context[0])
    node: Node | None = tmf.node(context[1])
    for count, segment in enumerate(path):
        node = tmf.step(node, segment) if node is not None else None
        if node is None:
            return count
    return len(path)


def is_extension(item: Placed, path: str) -> bool:
    full = [*item.prefix, *segments(path)]
    return standard_until(item.context, full) < len(full)


# The contract's schemas (api/openapi.yaml) as plain JSON Schema --------------------------------
@cache
def _spec() -> dict[str, Any]:
    with SPEC.open(encoding="utf-8") as f:
        found: dict[str, Any] = yaml.safe_load(f)
    return found


def contract_schemas() -> dict[str, Any]:
    found: dict[str, Any] = _spec()["components"]["schemas"]
    return found


def plain(schema: dict[str, Any], schemas: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """An OpenAPI 3.0 schema of the contract as JSON Schema draft 4: $refs inlined, only
    type, format, enum, description, items and properties kept."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return {"type": "object"}
        return plain(schemas[name], schemas, (*seen, name))
    out: dict[str, Any] = {}
    for part in schema.get("allOf", ()):
        out.update(plain(part, schemas, seen))
    for key in ("type", "format", "enum", "description"):
        if key in schema:
            out[key] = schema[key]
    if "items" in schema:
        out["items"] = plain(schema["items"], schemas, seen)
    if "properties" in schema:
        out["properties"] = {k: plain(v, schemas, seen) for k, v in schema["properties"].items()}
    return out


# Extension schemas -------------------------------------------------------------------------------
@dataclass
class Extension:
    type: str
    base: str
    context: tuple[str, str]
    tree: dict[str, Any]


def _leaf(f: F, record: str, schemas: dict[str, Any]) -> dict[str, Any]:
    if f.kind in (DATE, TIME):
        return {"type": "string", "format": "date-time"}
    if f.kind == ID:
        return {"type": "string"}
    found: dict[str, Any] = plain(schemas[record]["properties"][f.name], schemas)
    return found


def _put(node: dict[str, Any], rest: list[str], leaf: dict[str, Any]) -> None:
    """Extension attributes along `rest` (all of them TMF's unknown) under `node`."""
    for position, segment in enumerate(rest):
        last = position == len(rest) - 1
        following = None if last else rest[position + 1]
        if segment == EACH or segment.isdigit():
            node = node.setdefault("items", {"type": "object"})
            continue
        match = SELECTOR.match(segment)
        key = match["key"] if match else segment
        properties = node.setdefault("properties", {})
        if last:
            _merge(properties, key, leaf)
            return
        if match or following == EACH or (following or "").isdigit():
            node = properties.setdefault(key, {"type": "array", "items": {"type": "object"}})
            if match:
                node = node["items"]
        else:
            node = properties.setdefault(key, {"type": "object"})


def _merge(properties: dict[str, Any], key: str, leaf: dict[str, Any]) -> None:
    current = properties.get(key)
    if current is None:
        properties[key] = leaf
    elif "properties" in current and "properties" in leaf:
        for name, value in leaf["properties"].items():
            _merge(current["properties"], name, value)


def _insert(tree: dict[str, Any], context: tuple[str, str], path: list[str], leaf: Any) -> None:
    """Put `leaf` at `path` when part of it is an extension: the part TMF defines becomes
    bare properties/items, the rest typed objects."""
    standard = standard_until(context, path)
    if standard == len(path):
        return
    node = tree
    for segment in path[:standard]:
        match = SELECTOR.match(segment)
        if segment == EACH or segment.isdigit():
            node = node.setdefault("items", {})
        else:
            node = node.setdefault("properties", {}).setdefault(
                match["key"] if match else segment, {}
            )
            if match:
                node = node.setdefault("items", {})
    _put(node, path[standard:], leaf)


def extensions() -> dict[str, Extension]:
    """Each extension @type: the attributes it adds to its TMF definition."""
    schemas, found = contract_schemas(), dict[str, Extension]()
    for item in placed():
        for type_ in item.types:
            if type_ == item.context[1]:  # TMF's own type (Customer)
                continue
            entry = found.get(type_)
            if entry is None:
                entry = found[type_] = Extension(type_, _base(item), item.context, {})
                entry.tree["properties"] = {"@type": {"enum": [type_]}}
            for f in item.shape.fields:
                if f.nested is not None:
                    continue
                if f.items is not None:
                    sub_type = f.items.fixed.get("@type")
                    if sub_type and sub_type not in item.types:  # elements of their own type
                        at = [*item.prefix, *segments(f.path or f.name)]
                        _point(entry.tree, at, f"{sub_type}.json")
                    continue
                leaf = _leaf(f, item.record, schemas)
                for path in (f.path or f.name, *f.also):
                    _insert(entry.tree, item.context, [*item.prefix, *segments(path)], leaf)
    for type_, attributes in EXTRAS.items():
        if type_ not in found:
            api, definition = EXTRA_HOMES[type_]
            found[type_] = Extension(type_, definition, (api, definition), {})
            found[type_].tree["properties"] = {"@type": {"enum": [type_]}}
        for name, schema in attributes.items():
            _merge(found[type_].tree["properties"], name, schema)
    return found


def _base(item: Placed) -> str:
    return item.home.base if item.context[1] == item.home.definition else item.context[1]


def _point(tree: dict[str, Any], path: list[str], ref: str) -> None:
    """The elements of the list at `path` (TMF's own) are also of the schema `ref`."""
    node = tree
    for segment in path:
        if segment.isdigit():
            node = node.setdefault("items", {})
        else:
            node = node.setdefault("properties", {}).setdefault(segment, {})
    node.setdefault("items", {})["$ref"] = ref


def extension_schema(entry: Extension) -> dict[str, Any]:
    api, definition = entry.context
    base = f"../{excerpt_path(api).name}#/definitions/{definition}"
    return {
        "$schema": DRAFT4,
        "title": entry.type,
        "description": f"{WHY[entry.type]} Extends {api} {definition}"
        f" (@baseType {entry.base}); written by tools/tmf_mapping.py.",
        "allOf": [{"$ref": base}, {"type": "object", **entry.tree}],
    }


def extension_files() -> dict[Path, str]:
    return {
        EXTENSIONS / f"{name}.json": json.dumps(extension_schema(entry), indent=2) + "\n"
        for name, entry in sorted(extensions().items())
    }


# Reading the adapter's source ------------------------------------------------------------------
RESOURCES: dict[str, str] = {  # apis constant -> TMF API, from its comment in apis.py
    name: api
    for name, api in re.findall(
        r'^([A-Z_]+) = "[^"]+"\s+# (TMF\d+)', inspect.getsource(apis), re.MULTILINE
    )
}


def closure(port: str) -> str:
    """The source of a TmfBackend method and of every method and module helper it calls."""
    helpers = {**vars(reads), **vars(changes)}
    texts: list[str] = []
    seen: set[tuple[bool, str]] = set()
    todo = [(True, port)]
    while todo:
        method, name = todo.pop()
        if (method, name) in seen:
            continue
        seen.add((method, name))
        member = getattr(TmfBackend, name, None) if method else helpers.get(name)
        if not inspect.isfunction(member):
            continue
        text = inspect.getsource(member)
        texts.append(text)
        todo.extend((True, n) for n in re.findall(r"self\.(\w+)\(", text))
        todo.extend((False, n) for n in re.findall(r"(?<![\w.])(?<!def )(_\w+)\(", text))
    return "\n".join(texts)


def resources_in(text: str) -> set[str]:
    return {name for name in re.findall(r"\bapis\.([A-Z_]+)\b", text) if name in RESOURCES}


def shapes_in(text: str) -> set[str]:
    return set(re.findall(r"\bshapes\.([A-Z_]+)\b", text))


def port_groups() -> list[tuple[str, list[str]]]:
    """(protocol, its methods) of selfcare.ports.Backend, in its order."""
    return [
        (
            cls.__name__,
            [n for n in cls.__dict__ if not n.startswith("_") and callable(getattr(cls, n))],
        )
        for cls in ports.Backend.__mro__
        if cls.__module__ == ports.__name__ and cls is not ports.Backend
    ]


def expanded(port: str) -> list[tuple[str, Call]]:
    """(port, call) of every TMF call `port` may make, in order, those of the ports it uses
    included."""
    entry = PORTS[port]
    found: list[tuple[str, Call]] = []
    for used in entry.uses:
        found.extend(expanded(used))
    found.extend((port, call) for call in entry.calls)
    for used in (*entry.along, *entry.then):
        found.extend(expanded(used))
    return found


# The document ---------------------------------------------------------------------------------
def leaf(resource: str) -> str:
    return str(getattr(apis, resource)).rsplit("/", 1)[-1]


def call_text(call: Call) -> str:
    text = f"{RESOURCES[call.resource]} {call.method} {leaf(call.resource)}{call.target}"
    query = [*call.query, *([f"fields={call.fields}"] if call.fields else [])]
    if query:
        text += "?" + "&".join(query)
    text = f"`{text}`"
    if call.patch:
        text += f" ({call.patch}{': ' + call.body if call.body else ''})"
    elif call.body:
        text += f" ({call.body})"
    if call.when:
        text += f" when {call.when}"
    return text


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in _spec()["paths"].items()
        for method, operation in item.items()
        if method in ("get", "put", "post", "delete", "patch")
    ]


def op_ports(path: str, op: Op) -> list[str]:
    return list(dict.fromkeys([*directory_of(path), *op.ports.split()]))


def op_calls(path: str, op: Op) -> list[str]:
    calls: list[str] = []
    for port in op_ports(path, op):
        for owner, call in expanded(port):
            if owner.startswith("find_"):  # in full in section 2
                call = replace(call, fields="")
            calls.append(call_text(call) + (" (cached)" if owner.startswith("find_") else ""))
    return list(dict.fromkeys(calls))


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _operations_table(rows: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    out = [
        _row(
            "operation", "request", "port methods", "TMF calls", "the service's own tables; notes"
        ),
        _row(*["---"] * 5),
    ]
    for method, path, operation in rows:
        op_id = operation["operationId"]
        op = OPERATIONS[op_id]
        names = ", ".join(f"`{p}`" for p in op_ports(path, op)) or "none"
        calls = "<br>".join(op_calls(path, op)) or "none: the service's own tables only"
        notes = "; ".join(x for x in (op.tables, op.note) if x)
        out.append(_row(f"`{op_id}`", f"{method} `{path}`", names, calls, notes))
    return out


def _ports_table() -> list[str]:
    out = [_row("port method", "TMF calls", "notes"), _row("---", "---", "---")]
    for protocol, methods in port_groups():
        for name in methods:
            entry = PORTS[name]
            parts = [f"→ `{used}`" for used in entry.uses]
            own = [call_text(call) for call in entry.calls] + [f"`{p}`" for p in entry.along]
            if entry.concurrent and len(own) > 1:
                own = [" ∥ ".join(own) + " (at once)"]
            parts.extend(own)
            parts.extend(f"→ `{used}`" for used in entry.then)
            if entry.table:
                parts.append(f"none: the {entry.table} table (checkout table)")
            out.append(_row(f"{protocol}.`{name}`", "<br>".join(parts), entry.note))
    return out


def _read_by() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for _, methods in port_groups():
        for name in methods:
            for shape in sorted(shapes_in(closure(name))):
                found.setdefault(shape, []).append(name)
    return found


def _record_sections() -> list[str]:
    out: list[str] = []
    read_by, names = _read_by(), shape_names()
    for item in placed():
        home = item.home
        kind = " / ".join(item.types)
        where = f"{home.api} `{item.context[1]}`, `@type` {kind}"
        if item.shown:
            where += f", at `{item.shown}`"
        elif item.parent:
            where += f", the same object as `{item.parent}`"
        direct = ", ".join(f"`{p}`" for p in read_by.get(item.name, ()))
        used = " and ".join(
            x for x in (f"through `{item.parent}`" if item.parent else "", direct) if x
        )
        used = used or "no port method yet (the stand-in serves it)"
        out += ["", f"### `{item.name}` → `{item.record}`", "", f"{where}. Used by: {used}."]
        fixed = ", ".join(f"`{k}` = `{json.dumps(v)}`" for k, v in item.shape.fixed.items())
        if fixed:
            out += ["", f"Written on every one: {fixed}."]
        out += ["", _row("field", "TMF attribute", "conversion", "home"), _row(*["---"] * 4)]
        for f in item.shape.fields:
            path = f.path or f.name
            attribute = f"`{path}`" + "".join(f", also `{a}` (written, not read)" for a in f.also)
            if f.nested is not None:
                sub = names[id(f.nested)]
                out.append(_row(f"`{f.name}`", "(the same object)", f"`{sub}` below", "TMF"))
                continue
            conversion = KINDS.get(f.kind, "")
            if f.items is not None:
                conversion = f"each element: `{names[id(f.items)]}`"
            home_text = (
                f"extension (@type {kind})" if f.path is None or is_extension(item, path) else "TMF"
            )
            out.append(_row(f"`{f.name}`", attribute, conversion, home_text))
    return out


def _extensions_table(found: dict[str, Extension]) -> list[str]:
    out = [
        _row("`@type`", "`@baseType`", "extends", "attributes added", "schema", "why"),
        _row(*["---"] * 6),
    ]
    for name, entry in sorted(found.items()):
        api, definition = entry.context
        attributes = ", ".join(f"`{a}`" for a in added(entry.tree))
        link = f"[{name}.json](../api/reference/tmf/extensions/{name}.json)"
        out.append(
            _row(f"`{name}`", entry.base, f"{api} {definition}", attributes, link, WHY[name])
        )
    return out


def added(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """The attributes an extension tree adds, as paths (`[]`: each element of a list)."""
    found: list[str] = []
    for name, node in tree.get("properties", {}).items():
        path = f"{prefix}{name}"
        if name == "@type":
            continue
        if "type" in node:
            found.append(path)
            continue
        found.extend(added(node, f"{path}."))
        items = node.get("items", {})
        if "$ref" in items:
            found.append(f"{path}[] (@type {items['$ref'].removesuffix('.json')})")
        found.extend(added(items, f"{path}[]."))
    return found


def _apis_table() -> list[str]:
    used: dict[str, list[str]] = {}
    for name, entry in PORTS.items():
        for call in entry.calls:
            used.setdefault(call.resource, [])
            if name not in used[call.resource]:
                used[call.resource].append(name)
    out = [
        _row("TMF API", "collection (under BssBaseUrl)", "schema", "called by"),
        _row(*["---"] * 4),
    ]
    for resource, api in RESOURCES.items():
        path = getattr(apis, resource)
        schema = COLLECTIONS.get(path, (api, ""))[1] or "(writes only)"
        callers = ", ".join(f"`{p}`" for p in used.get(resource, []))
        out.append(_row(api, f"`{path}`", schema, callers))
    return out


@dataclass(frozen=True)
class Feature:
    name: str
    needed: str
    test: Any  # (call) -> bool


def _filters(call: Call) -> list[tuple[str, str]]:
    return [tuple(q.split("=", 1)) for q in call.query]  # type: ignore[misc]


FEATURES = (
    Feature(
        "Attribute filters, dot notation through lists",
        "`billingAccount.id=…`, `productRelationship.product.id=…`: a path through a list"
        " matches when any element does",
        lambda c: any("." in k and k.split(".")[-1] not in ("gte", "lt") for k, _ in _filters(c)),
    ),
    Feature(
        "Range operators",
        "`usageDate.gte=…&usageDate.lt=…` (dates compared as the BSS stores them)",
        lambda c: any(k.endswith((".gte", ".lt")) for k, _ in _filters(c)),
    ),
    Feature("Several values (OR)", "`id=a,b,c`", lambda c: any("," in v for _, v in _filters(c))),
    Feature(
        "Extension attributes as filters",
        "`contractId=…`, `measuringElement=…` (`@type` extension attributes)",
        lambda c: any(k in ("contractId", "measuringElement") for k, _ in _filters(c)),
    ),
    Feature(
        "`sort`",
        "`sort=-billDate` (`-` descending)",
        lambda c: any(k == "sort" for k, _ in _filters(c)),
    ),
    Feature(
        "`fields`",
        "partial responses; `id` and `@type` asked for explicitly",
        lambda c: bool(c.fields),
    ),
    Feature(
        "`offset`/`limit` paging",
        "pages of `limit` items from `offset`; `X-Total-Count` on lists (optional: a short"
        " page ends the list)",
        lambda c: c.method == "GET" and not c.target,
    ),
    Feature(
        "JSON Patch Query (TMF630)",
        "`PATCH` with `application/json-patch-query+json`: one `add`/`replace`/`remove` whose"
        " path may select a list element by query",
        lambda c: c.patch == JSON_PATCH,
    ),
    Feature(
        "JSON merge patch",
        "`PATCH` with `application/merge-patch+json` (RFC 7386: null removes)",
        lambda c: c.patch == MERGE,
    ),
    Feature(
        "`Idempotency-Key`",
        "honoured on POST, PATCH and DELETE: a repeat of the same request answers as the first"
        " (the key is a hash of the caller's change and the request)",
        lambda c: c.method != "GET",
    ),
)


def _features_table() -> list[str]:
    out = [_row("feature", "what the BSS must do", "used by"), _row(*["---"] * 3)]
    for feature in FEATURES:
        users = [name for name, entry in PORTS.items() if any(feature.test(c) for c in entry.calls)]
        out.append(_row(feature.name, feature.needed, ", ".join(f"`{u}`" for u in users)))
    return out


def _ids_table() -> list[str]:
    rows = [
        ("customer", "`customer/{customerKey}`, relatedParty ids",
         apis.customer_key("cc", "10307011"), "apis.customer_key: `<TYPE>-<number>`"),
        ("contract", "`product/{contractId}` (`@type` TigoContract)", "84257928",
         "the contract id itself"),
        ("product of a contract", "`product/{productKey}` (`@type` TigoProduct)",
         apis.product_key("84257928", 3, "3124567"),
         "apis.product_key: `<contractId>-<productId, 6 digits>-<subscription>`"),
        ("qualified offering", "`productOffering/{id}`", apis.offer_key("84257928", 3, "HBOMAX"),
         "apis.offer_key: `<contractId>-<productId>-<offeringId>`"),
        ("recurring payment method", "`paymentMethod/{id}`",
         apis.payment_method_key("84257928"), "apis.payment_method_key: `PM-<contractId>`"),
        ("billing account", "`billingAccount/{id}`", "the contract's billingAccountId",
         "the BSS's"),
        ("invoice", "`customerBill/{id}`", "the contract's invoiceId", "the BSS's"),
    ]  # fmt: skip
    out = [_row("what", "where", "id", "made by"), _row(*["---"] * 4)]
    out += [_row(*row) for row in rows]
    return out


def document() -> str:
    rows = operations()
    contract = [r for r in rows if not r[2].get("x-non-contract")]
    other = [r for r in rows if r[2].get("x-non-contract")]
    found = extensions()
    lines = [
        "# The contract on TM Forum Open APIs (Backend `tmf`)",
        "",
        "<!-- Written by `python -m tools.tmf_mapping` from selfcare.adapters.tmf (shapes, apis,",
        "reads, changes), api/openapi.yaml and the TMF schemas under api/reference/tmf/.",
        "Do not edit by hand: `python -m tools.tmf_mapping --check` fails when it is stale. -->",
        "",
        "With `Backend=tmf` every read and change of the contract goes to the country's BSS"
        " through the TM Forum Open APIs **v4** (schemas:"
        " [api/reference/tmf](../api/reference/tmf/)),"
        " except what the service keeps itself: card tokens (the checkout table), paperless"
        " subscriptions, checkout attempts and idempotency records.",
        "",
        "Contents: [1. Operations](#1-operations--port-methods--tmf-calls) ·"
        " [2. Port methods](#2-port-methods--tmf-calls) · [3. Records](#3-records--tmf-attributes)"
        " · [4. Extension types](#4-extension-types) · [5. Ids](#5-ids) ·"
        " [6. What the BSS must support](#6-what-the-bss-must-support)",
        "",
        "## 1. Operations → port methods → TMF calls",
        "",
        f"The contract's {len(contract)} operations. Every request first resolves the ids in its"
        " path (`selfcare.access.resolve`): `{contractId}` → `find_contract`,"
        " `{billingAccountId}` → `find_billing_account`, `{docTypeId}/{customerId}` →"
        " `find_customer`, each cached per warm container (marked *cached*: made once per"
        " container and id). Calls are listed once each, in order; some are conditional (see the"
        " port methods in section 2). Writes keep their answer in the idempotency table, so a"
        " retried request is answered, not applied again.",
        "",
        *_operations_table(contract),
        "",
        f"Outside the contract ({len(other)} routes: payment gateways' notifications and pages,"
        " signed document links):",
        "",
        *_operations_table(other),
        "",
        "## 2. Port methods → TMF calls",
        "",
        "`selfcare.ports.Backend`, implemented by `selfcare.adapters.tmf` (`reads.py`,"
        " `changes.py`, `backend.py`). `{account}` is the contract's billing account id"
        " (`find_contract`); `→` a port method used first (or after); `∥` calls made at once.",
        "",
        *_ports_table(),
        "",
        "## 3. Records → TMF attributes",
        "",
        "Each record of the contract, field by field, as `selfcare.adapters.tmf.shapes` maps it"
        " (one table both ways: the adapter reads with it, the stand-in writes with it). Paths:"
        " dotted attributes, list indexes (`taxItem.0`), selectors (`characteristic[segmentId]`:"
        " the element whose `name` is segmentId; `contactMedium[mediumType=email]`). *TMF*: the"
        " attribute is in the TMF v4 schema; *extension*: an attribute of our `@type` (TMF's"
        " polymorphic extension pattern, section 4), found by walking the schema along the path.",
        *_record_sections(),
        "",
        "## 4. Extension types",
        "",
        "Where TMF has no attribute for something the contract answers, the resource carries"
        " it as an attribute of our sub-class (`@type`, with `@baseType` the TMF resource). Each"
        " has a JSON Schema (draft 4, `allOf` the TMF definition and the attributes added) under"
        " [api/reference/tmf/extensions](../api/reference/tmf/extensions/), written from the"
        " shapes by the same tool; `@schemaLocation` may point at them.",
        "",
        *_extensions_table(found),
        "",
        "## 5. Ids",
        "",
        "Ids the adapter builds from the contract's (`selfcare.adapters.tmf.apis`), and the"
        " BSS's own ids it passes through:",
        "",
        *_ids_table(),
        "",
        "A contract's facts (`find_contract`): `id`, the customer as"
        " `relatedParty[role=Customer].id` (`<TYPE>-<number>`), `billingAccount.id`,"
        " `productCharacteristic[subscriptionNumber].value` and"
        " `productCharacteristic[lines].value` (its voice lines); a customer's contracts are its"
        " `agreement` ids, oldest first.",
        "",
        "## 6. What the BSS must support",
        "",
        "TMF APIs and collections, relative to `BssBaseUrl` (which ends in `/tmf-api`):",
        "",
        *_apis_table(),
        "",
        "TMF630 (REST design guidelines) features the adapter relies on:",
        "",
        *_features_table(),
        "",
        "Also: OAuth2 client credentials at `tokenUrl` (HTTP Basic client authentication;"
        " `expires_in` honoured; a 401 takes a new token once); 404 for an unknown id on GET"
        " and DELETE, 409 for a change the record's state refuses, 400/422 for a malformed one;"
        " JSON numbers for money. `ETag` is optional: the adapter does not send `If-Match`.",
        "",
    ]
    return "\n".join(lines)


def written() -> dict[Path, str]:
    return {DOC: document(), **extension_files()}


def stale() -> list[Path]:
    """Files that differ from what the code writes now (extension schemas no longer written
    included)."""
    expected = written()
    found = [p for p, text in expected.items() if not p.is_file() or p.read_text("utf-8") != text]
    found += [p for p in sorted(EXTENSIONS.glob("*.json")) if p not in expected]
    return found


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.tmf_mapping", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when a file is stale")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        for path in found:
            print(f"stale: {_shown(path)} (python -m tools.tmf_mapping)")
        return 1 if found else 0
    EXTENSIONS.mkdir(parents=True, exist_ok=True)
    for path in sorted(EXTENSIONS.glob("*.json")):
        path.unlink()
    DOC.parent.mkdir(parents=True, exist_ok=True)
    for path, text in written().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {_shown(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
