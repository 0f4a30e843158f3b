"""Contact information (phones and emails) kept for a contract, and its changes.

Requests are the contract's bodies (selfcare.models.customer); the field an operation needs
is required even where the model leaves it optional. Phones are accepted national or
E.164 for the stack's country and kept and answered as national numbers; emails are kept
lower-case. A `validated` sent by the caller is ignored: only the CRM sets it. What is
refused and why (duplicates, missing entries, limits, the last email) is the CRM's rule
(see selfcare.adapters.sandbox.contacts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from selfcare.countries import Country
from selfcare.errors import InvalidParameter, NotFound
from selfcare.ports import ContractRef, Crm, CrmChanges, Record

if TYPE_CHECKING:  # pydantic loads only with the write routes
    from selfcare.models.customer import (
        CustomerEmail,
        CustomerEmailUpdate,
        CustomerPhone,
        CustomerPhoneUpdate,
    )


def information(crm: Crm, contract: ContractRef) -> Record:
    found = crm.contact_information(contract.contract_id)
    if found is None:
        raise NotFound(f"No contact information for contract {contract.contract_id}")
    return found


def phones(crm: Crm, contract: ContractRef) -> list[Record]:
    return list(information(crm, contract).get("customerPhoneList") or [])


def emails(crm: Crm, contract: ContractRef) -> list[Record]:
    return list(information(crm, contract).get("customerEmailList") or [])


# Changes ------------------------------------------------------------------------------------
def add_phone(
    crm: CrmChanges, country: Country, contract: ContractRef, request: CustomerPhone
) -> Record:
    phone = {"phone": _phone(country, request.phone, "phone")}
    if request.phoneType is not None:
        phone["phoneType"] = _phone_type(request.phoneType, "phoneType")
    return crm.add_phone(contract.contract_id, phone)


def update_phone(
    crm: CrmChanges, country: Country, contract: ContractRef, request: CustomerPhoneUpdate
) -> Record:
    old = _phone(country, request.oldPhone, "oldPhone")
    phone = {"phone": _phone(country, request.newPhone, "newPhone")}
    if request.newPhoneType is not None:  # absent: the entry keeps its type
        phone["phoneType"] = _phone_type(request.newPhoneType, "newPhoneType")
    entry = crm.update_phone(contract.contract_id, old, phone)
    answer = {"oldPhone": old, "newPhone": entry["phone"]}
    if entry.get("phoneType") is not None:
        answer["newPhoneType"] = entry["phoneType"]
    return answer


def remove_phone(
    crm: CrmChanges, country: Country, contract: ContractRef, request: CustomerPhone
) -> Record:
    return crm.remove_phone(contract.contract_id, _phone(country, request.phone, "phone"))


def add_email(crm: CrmChanges, contract: ContractRef, request: CustomerEmail) -> Record:
    return crm.add_email(contract.contract_id, {"email": _email(request.email, "email")})


def update_email(crm: CrmChanges, contract: ContractRef, request: CustomerEmailUpdate) -> Record:
    old = _email(request.oldEmail, "oldEmail")
    entry = crm.update_email(contract.contract_id, old, _email(request.newEmail, "newEmail"))
    return {"oldEmail": old, "newEmail": entry["email"]}


def remove_email(crm: CrmChanges, contract: ContractRef, request: CustomerEmail) -> Record:
    return crm.remove_email(contract.contract_id, _email(request.email, "email"))


# Request values ------------------------------------------------------------------------------
def _phone(country: Country, value: str | None, field: str) -> str:
    """The national number of `value` (national or E.164 of the stack's country)."""
    if value is None:
        raise InvalidParameter(field, "required")
    return country.national_phone(value, field)


def _phone_type(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidParameter(field, "must not be blank")
    return text


def _email(value: str | None, field: str) -> str:
    """The model checked its shape; addresses are kept and compared lower-case."""
    if value is None:
        raise InvalidParameter(field, "required")
    return value.lower()
