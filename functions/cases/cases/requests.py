"""Service requests of a contract or customer, and the customer's scheduled visits."""

from __future__ import annotations

from selfcare.ports import CaseSystem, ContractRef, CustomerRef, Record


def of_contract(cases: CaseSystem, contract: ContractRef) -> list[Record]:
    return cases.service_requests(contract.contract_id)


def of_customer(cases: CaseSystem, customer: CustomerRef) -> list[Record]:
    found = cases.service_requests_of(customer.contract_ids)
    return sorted(found, key=lambda request: str(request.get("creationDate", "")), reverse=True)


def scheduled_visits(cases: CaseSystem, customer: CustomerRef) -> Record:
    visits = cases.scheduled_visits(customer.document_type, customer.customer_id)
    return visits or {"customerId": customer.customer_id, "scheduledVisitList": []}
