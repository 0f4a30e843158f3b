"""Recurring billing: enrol, update and end automatic payment of a contract's invoices,
with a card the payment gateway tokenized or (Colombia) a bank account by debit."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Any

from billing.events import QUIET, Events
from selfcare.countries import Country
from selfcare.errors import InvalidParameter
from selfcare.ports import Backend, ContractRef, Record
from selfcare.redaction import holds_card_number

CREDIT, DEBIT = "2", "1"  # the contract's codes (Colombia: Debit = 1, Credit = 2)
LAST_FOUR = re.compile(r"[0-9]{4}")
EXPIRY = re.compile(r"[0-9]{4}(0[1-9]|1[0-2])")
DEBIT_COUNTRIES = ("co",)


def describe(
    backend: Backend,
    contract: ContractRef,
    country: Country,
    request: Any,
    today: date | None = None,
) -> tuple[Record, str | None]:
    """The RecurringBillingInfo to keep, and the card token it charges (None for debit);
    registered today where the country is."""
    today = country.today() if today is None else today
    given = request.recurringBillingInfo
    holder = (backend.customer(contract.document_type, contract.customer_id) or {}).get(
        "customerInfo", {}
    )
    details = backend.contract(contract.contract_id) or {}
    info: Record = {
        "contractId": contract.contract_id,
        "billingId": details.get("billingId"),
        "billingName": " ".join(p for p in (holder.get("name"), holder.get("lastName")) if p),
        "registrationDate": today,
    }
    method = given.paymentMethod if given else None
    if method is not None and method not in (CREDIT, DEBIT):
        raise InvalidParameter(
            "recurringBillingInfo.paymentMethod", f"expected {DEBIT} (debit) or {CREDIT} (credit)"
        )
    token = request.cardToken
    if token:
        card = backend.card_token(contract.document_type, contract.customer_id, token)
        if card is None:
            raise InvalidParameter(
                "cardToken", "not a card the payment gateway holds for this customer"
            )
        info.update(
            cardInfo=card.get("cardInfo"), cardBrand=card.get("cardBrand"), paymentMethod=CREDIT
        )
        if method is not None:
            info["paymentMethod"] = method
    elif country.code in DEBIT_COUNTRIES and given and method == DEBIT:
        if not given.cardInfo or not LAST_FOUR.fullmatch(given.cardInfo):
            raise InvalidParameter("recurringBillingInfo.cardInfo", "the account's last 4 digits")
        if not given.cardIssuingBank:
            raise InvalidParameter("recurringBillingInfo.cardIssuingBank", "required for a debit")
        info.update(cardInfo=given.cardInfo, paymentMethod=DEBIT)
    else:
        raise InvalidParameter("cardToken", "required: a card token from the payment gateway")
    if given:
        _copy_checked(given, info, country, today)
    return {k: v for k, v in info.items() if v not in (None, "")}, token


def _copy_checked(given: Any, info: Record, country: Country, today: date) -> None:
    if given.cardExpirationDate:
        if (
            not EXPIRY.fullmatch(given.cardExpirationDate)
            or given.cardExpirationDate < f"{today:%Y%m}"
        ):
            raise InvalidParameter(
                "recurringBillingInfo.cardExpirationDate", "YYYYMM, not in the past"
            )
        info["cardExpirationDate"] = given.cardExpirationDate
    if given.cardIssuingBank:
        if holds_card_number(given.cardIssuingBank):  # kept and echoed: never a card number
            raise InvalidParameter("recurringBillingInfo.cardIssuingBank", "a bank's name")
        info["cardIssuingBank"] = given.cardIssuingBank
    if given.phoneNumber:
        info["phoneNumber"] = country.national_phone(
            given.phoneNumber, "recurringBillingInfo.phoneNumber"
        )
    if given.customerIpAddress:
        try:
            ipaddress.ip_address(given.customerIpAddress)
        except ValueError:
            raise InvalidParameter(
                "recurringBillingInfo.customerIpAddress", "not an IP address"
            ) from None
        info["customerIpAddress"] = given.customerIpAddress


def enrol_as_asked(
    backend: Backend, contract: ContractRef, country: Country, request: Any, events: Events
) -> Record:
    """POST recurringBillingInfo: the enrolment the request describes, made."""
    info, token = describe(backend, contract, country, request)
    return enrol(backend, contract, info, token, events)


def enrol(
    backend: Backend,
    contract: ContractRef,
    info: Record,
    token: str | None,
    events: Events = QUIET,
) -> Record:
    backend.enrol_recurring_billing(contract.contract_id, info, token)
    reflect_on_invoices(backend, contract.contract_id, events)
    return {
        "response": "OK",
        "message": f"Recurring billing enrolled for contract {contract.contract_id}",
    }


def update(backend: Backend, contract: ContractRef, info: Record, token: str | None) -> Record:
    current = backend.recurring_billing(contract.contract_id)
    if current and current.get("registrationDate"):
        info["registrationDate"] = current["registrationDate"]  # enrolled then, changed now
    backend.update_recurring_billing(contract.contract_id, info, token)
    return {
        "response": "OK",
        "message": f"Recurring billing updated for contract {contract.contract_id}",
    }


def end(
    backend: Backend, contract: ContractRef, token: str | None, events: Events = QUIET
) -> Record:
    if not token:
        raise InvalidParameter("cardToken", "required: the card the recurring billing charges")
    backend.end_recurring_billing(contract.contract_id, token)
    reflect_on_invoices(backend, contract.contract_id, events)
    return {
        "response": "OK",
        "message": f"Recurring billing ended for contract {contract.contract_id}",
    }


def reflect_on_invoices(backend: Backend, contract_id: str, events: Events = QUIET) -> None:
    """Every invoice shows hasRecurringBilling as the contract now stands (the newest one
    already does: the backend flags it with the change). The change is kept: a failure here
    is reported, not the caller's problem, and the next change (or a retry) converges."""
    try:
        enrolled = backend.recurring_billing(contract_id) is not None
        backend.set_invoice_flags(contract_id, hasRecurringBilling=enrolled)
    except Exception as error:  # whatever failed, the change stands and so does the answer
        events.flags_not_updated(contract_id, error)
