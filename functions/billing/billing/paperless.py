"""Paperless invoice subscriptions: which routes a country uses, what a request may say,
and which contracts a change reaches (affectRelatedContracts)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Literal

from billing.events import QUIET, Events
from selfcare import params
from selfcare.access import Scope
from selfcare.countries import Country
from selfcare.errors import InvalidParameter, NotFound
from selfcare.identity import Caller
from selfcare.ports import (
    BillingChanges,
    ContractRef,
    Directory,
    PaperlessSubscriptions,
    ProductCatalog,
    Record,
    Target,
)

ID_TYPES = ("subscriptions", "billingaccounts")
SUBSCRIBED = (1, "Suscrito")
APPS = ("MiTigoWeb", "CanalesAlternos")  # the contract's registeringAppName values
REGISTERING_APPS = {app.lower(): app for app in APPS}

Action = Literal["create", "update", "delete"]
ACTIONS: dict[str, Action] = {"POST": "create", "PUT": "update", "DELETE": "delete"}
STATUS: dict[Action, int] = {"create": 201, "update": 200, "delete": 200}
METRICS: dict[Action, str] = {
    "create": "PaperlessSubscriptions",
    "delete": "PaperlessCancellations",
}


@dataclass(frozen=True, slots=True)
class Change:
    """A paperless change as its request asks it: what, of which subscriptions (the route's
    first), by whom (the audit details) and from which version (If-Match), if one."""

    action: Action
    targets: list[Target]
    details: dict[str, Any]
    expected: int | None


def asked(
    method: str,
    request: Any,
    if_match_header: str | None,
    scope: Scope,
    directory: Directory,
    id_type: str | None,
    id_: str | None,
) -> Change:
    """The change a POST, PUT or DELETE asks (400 for an If-Match that is no ETag of ours,
    an IP address that is none, an app the contract does not name)."""
    expected = if_match(if_match_header)
    related = bool(request.affectRelatedContracts)
    found = targets(scope, directory, id_type, id_, related)
    return Change(ACTIONS[method], found, audit_details(scope.caller, request), expected)


def read(
    store: PaperlessSubscriptions, contract: ContractRef, id_type: str | None, id_: str | None
) -> tuple[Record, int]:
    """The subscription and its version; 404 when there is none."""
    found = store.read(Target(contract.contract_id, id_type, id_))
    if found is None:
        inner = f"{id_type}/{id_} of " if id_type else ""
        raise NotFound(
            f"{inner}contract {contract.contract_id} is not subscribed to paperless invoices"
        )
    return found


def apply(
    change: Change,
    request: Any,
    contract: ContractRef,
    country: Country,
    store: PaperlessSubscriptions,
    billing: BillingChanges,
    events: Events = QUIET,
) -> tuple[Record, int, dict[str, str]]:
    """Make the change (all its targets or none) and answer it: body, status and the new
    version's ETag (create and update). Invoices then show it (hasPaperlessInvoice)."""
    found, details, expected = change.targets, change.details, change.expected
    version: int | None = None
    if change.action == "delete":
        answer = delete(store, found, details, expected)
    else:
        info = subscription(request, contract, country)
        if change.action == "create":
            answer, version = create(store, found, info, details)
        else:
            answer, version = update(store, found, info, details, expected)
    metric = METRICS.get(change.action)
    if metric is not None:
        events.metric(metric, len(found))
    reflect_on_invoices(store, billing, found, events)
    headers = {"ETag": etag(version)} if version is not None else {}
    return answer, STATUS[change.action], headers


def check_id_type(
    country: Country, contract: ContractRef, id_type: str, id_: str, catalog: ProductCatalog
) -> None:
    """The idType route exists only where the country uses it, for an id of the contract:
    its billing account, or any of its subscriptions (one per product)."""
    if id_type not in ID_TYPES:
        raise InvalidParameter("idType", f"expected one of {', '.join(ID_TYPES)}")
    if country.paperless_id_type is None:
        raise NotFound(f"{country.name} subscribes paperless invoices by contractId only")
    if id_type != country.paperless_id_type:
        raise InvalidParameter("idType", f"{country.name} uses '{country.paperless_id_type}'")
    if id_ == own_id(contract, id_type):
        return  # the contract's own: no read
    known = (
        subscriptions(catalog, contract)
        if id_type == "subscriptions"
        else [own_id(contract, id_type)]
    )
    if id_ not in known:
        listed = ", ".join(known)
        raise NotFound(
            f"No {id_type}/{id_} in contract {contract.contract_id}; its {id_type}: {listed}"
        )


def own_id(contract: ContractRef, id_type: str) -> str:
    return (
        contract.subscription_number if id_type == "subscriptions" else contract.billing_account_id
    )


def subscriptions(catalog: ProductCatalog, contract: ContractRef) -> list[str]:
    """The contract's subscription numbers (those of its products), its own first."""
    numbers = [
        str(offering["subscriptionNumber"])
        for product in catalog.products(contract.contract_id)
        for offering in product.get("offeringList") or ()
        if offering.get("subscriptionNumber") is not None
    ]
    return list(dict.fromkeys([contract.subscription_number, *numbers]))


def targets(
    scope: Scope, directory: Directory, id_type: str | None, id_: str | None, related: bool
) -> list[Target]:
    """The route's subscription first, then, when asked, every other contract's own one."""
    contract = scope.need_contract()
    found = [Target(contract.contract_id, id_type, id_ if id_type else None)]
    if related:
        holder = directory.find_customer(contract.document_type, contract.customer_id)
        for other_id in holder.contract_ids if holder else ():
            other = directory.find_contract(other_id) if other_id != contract.contract_id else None
            if other is not None:
                own = own_id(other, id_type) if id_type else None
                found.append(Target(other.contract_id, id_type, own))
    return found


def subscription(request: Any, contract: ContractRef, country: Country) -> Record:
    """The paperlessInvoiceInfo a create or update request describes."""
    if request.documentType and request.documentType.upper() != contract.document_type:
        raise InvalidParameter("documentType", "is not the contract holder's document type")
    if request.customerId:
        _, number = country.parse_document(contract.document_type, request.customerId)
        if number != contract.customer_id:
            raise InvalidParameter("customerId", "is not the contract holder's document")
    info: Record = {
        "email": request.email.lower(),
        "customerId": contract.customer_id,
        "documentType": contract.document_type,
        "subcriptionStatusId": SUBSCRIBED[0],
        "subcriptionStatusMessage": SUBSCRIBED[1],
    }
    if request.alternateEmail:
        if request.alternateEmail.lower() == info["email"]:
            raise InvalidParameter("alternateEmail", "must differ from email")
        info["alternateEmail"] = request.alternateEmail.lower()
    if request.phoneNumber:
        info["phoneNumber"] = country.national_phone(request.phoneNumber, "phoneNumber")
    if request.billingId is not None:
        info["billingId"] = request.billingId
    return info


def audit_details(caller: Caller, request: Any) -> dict[str, Any]:
    """Who changed it, through which app, from where and why (kept with every change)."""
    if request.customerIpAddress:
        try:
            ipaddress.ip_address(request.customerIpAddress)
        except ValueError:
            raise InvalidParameter("customerIpAddress", "not an IPv4 or IPv6 address") from None
    app = request.registeringAppName
    if app is not None:
        app = REGISTERING_APPS.get(app.strip().lower())
        if app is None:
            raise InvalidParameter("registeringAppName", f"expected {' or '.join(APPS)}")
    details = {
        "who": {k: v for k, v in _who(caller).items() if v},
        "registeringAppName": app,
        "customerIpAddress": request.customerIpAddress,
        "unsubscribeReasonId": request.unsubscribeReasonId,
        "updateReason": request.updateReason,
    }
    return {k: v for k, v in details.items() if v is not None}


def _who(caller: Caller) -> dict[str, str | None]:
    return {
        "kind": caller.kind,
        "subject": caller.subject,
        "clientId": caller.client_id,
        "documentType": caller.document_type,
        "customerId": caller.customer_id,
    }


def create(
    store: PaperlessSubscriptions, found: list[Target], info: Record, details: dict[str, Any]
) -> tuple[Record, int]:
    version = store.create(found, info, details)
    message = f"Paperless invoice subscribed for {_contracts(found)}"
    return {"response": "OK", "message": message}, version


def update(
    store: PaperlessSubscriptions,
    found: list[Target],
    info: Record,
    details: dict[str, Any],
    expected: int | None,
) -> tuple[Record, int]:
    version = store.update(found, info, details, expected)
    return {
        "response": "OK",
        "message": f"Paperless invoice updated for {_contracts(found)}",
    }, version


def delete(
    store: PaperlessSubscriptions,
    found: list[Target],
    details: dict[str, Any],
    expected: int | None,
) -> Record:
    store.delete(found, details, expected)
    return {"response": "OK", "message": f"Paperless invoice removed for {_contracts(found)}"}


def if_match(header: str | None) -> int | None:
    """The version a client read (the ETag of its GET), to change only that version."""
    if header is None:
        return None
    version = params.ascii_int(header.strip().removeprefix("W/").strip('"'), 12)
    if version is None:
        raise InvalidParameter("If-Match", 'expected the ETag of a paperless subscription: "3"')
    return version


def etag(version: int) -> str:
    return f'"{version}"'


def _contracts(found: list[Target]) -> str:
    return ", ".join(target.describe() for target in found)


def reflect_on_invoices(
    store: PaperlessSubscriptions, billing: BillingChanges, found: list[Target], events: Events
) -> None:
    """Invoices show hasPaperlessInvoice; the billing system learns of every change. The
    subscription is already kept: a failure here is reported, not the caller's problem."""
    for target in found:
        try:
            has_any = store.has_any(target.contract_id)
            billing.set_invoice_flags(target.contract_id, hasPaperlessInvoice=has_any)
        except Exception as error:  # whatever failed, the subscription and the answer stand
            events.flags_not_updated(target.contract_id, error)
