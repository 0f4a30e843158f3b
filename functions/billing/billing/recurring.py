"""Recurring billing: enrol, update and end automatic payment of a contract's invoices,
with a card the payment gateway tokenized or (Colombia) a bank account by debit."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Any

from selfcare.countries import Country
from selfcare.errors import InvalidParameter
from selfcare.ports import Backend, ContractRef, Record

CREDIT, DEBIT = "2", "1"  # the contract's codes (Colombia: Debit = 1, Credit = 2)
LAST_FOUR = re.compile(r"[0-9]{4}")
EXPIRY = re.compile(r"[0-9]{4}(0[1-9]|1[0-2])")
DEBIT_COUNTRIES = ("co",)


def describe(
    backend: Backend, contract: ContractRef, country: Country, request: Any, today: date
) -> tuple[Record, str | None]:
    """The RecurringBillingInfo to keep, and the card token it charges (None for debit)."""
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
        if given and given.paymentMethod in (CREDIT, DEBIT):
            info["paymentMethod"] = given.paymentMethod
    elif country.code in DEBIT_COUNTRIES and given and given.paymentMethod == DEBIT:
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
        info["cardIssuingBank"] = given.cardIssuingBank
    if given.phoneNumber:
        info["phoneNumber"] = country.national_phone(country.normalize_phone(given.phoneNumber))
    if given.customerIpAddress:
        try:
            ipaddress.ip_address(given.customerIpAddress)
        except ValueError:
            raise InvalidParameter(
                "recurringBillingInfo.customerIpAddress", "not an IP address"
            ) from None
        info["customerIpAddress"] = given.customerIpAddress


def enrol(backend: Backend, contract: ContractRef, info: Record, token: str | None) -> Record:
    backend.enrol_recurring_billing(contract.contract_id, info, token)
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


def end(backend: Backend, contract: ContractRef, token: str | None) -> Record:
    if not token:
        raise InvalidParameter("cardToken", "required: the card the recurring billing charges")
    backend.end_recurring_billing(contract.contract_id, token)
    return {
        "response": "OK",
        "message": f"Recurring billing ended for contract {contract.contract_id}",
    }
