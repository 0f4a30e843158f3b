"""Contact information (phones and emails) kept for a contract."""

from __future__ import annotations

from selfcare.errors import NotFound
from selfcare.ports import ContractRef, Crm, Record


def information(crm: Crm, contract: ContractRef) -> Record:
    found = crm.contact_information(contract.contract_id)
    if found is None:
        raise NotFound(f"No contact information for contract {contract.contract_id}")
    return found


def phones(crm: Crm, contract: ContractRef) -> list[Record]:
    return list(information(crm, contract).get("customerPhoneList") or [])


def emails(crm: Crm, contract: ContractRef) -> list[Record]:
    return list(information(crm, contract).get("customerEmailList") or [])
