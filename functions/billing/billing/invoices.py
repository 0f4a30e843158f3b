"""Invoices, payments, balance and financing of a contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from selfcare.countries import Country
from selfcare.errors import Conflict, InvalidParameter, NotFound
from selfcare.ports import BillingChanges, BillingSystem, ContractRef, CustomerRef, Record


class Invoicing(BillingSystem, BillingChanges, Protocol):
    """The billing system as a new invoice needs it: what is outstanding, then the invoice."""


def by_contract(billing: BillingSystem, contract: ContractRef, limit: int) -> list[Record]:
    return billing.invoices(contract.contract_id, limit)


def by_customer(billing: BillingSystem, customer: CustomerRef, limit: int) -> list[Record]:
    """The contract says: only the customer's first contract."""
    if not customer.contract_ids:
        return []
    return billing.invoices(customer.contract_ids[0], limit)


def one(billing: BillingSystem, contract: ContractRef, invoice_id: str) -> Record:
    invoice = billing.invoice(contract.contract_id, invoice_id)
    if invoice is None:
        raise NotFound(f"No invoice {invoice_id} in contract {contract.contract_id}")
    return invoice


def one_of_customer(billing: BillingSystem, customer: CustomerRef, invoice_id: str) -> Record:
    for contract_id in customer.contract_ids:
        invoice = billing.invoice(contract_id, invoice_id)
        if invoice is not None:
            return invoice
    raise NotFound(f"No invoice {invoice_id} for this customer")


def payment(billing: BillingSystem, contract: ContractRef, invoice_id: str) -> Record:
    info = billing.payment_info(contract.contract_id, invoice_id)
    if info is None:
        one(billing, contract, invoice_id)  # 404 for an unknown invoice, else "not paid"
        raise NotFound(f"Invoice {invoice_id} has no payment")
    return info


def balance(billing: BillingSystem, contract: ContractRef, country: Country) -> Record:
    """What is outstanding on the contract, summed over its unpaid invoices."""
    invoices = billing.invoices(contract.contract_id)
    due = [i for i in invoices if not i.get("hasPayment") and Decimal(i.get("dueAmount", 0)) > 0]
    result: dict[str, Any] = {
        "dueAmount": country.money(sum((Decimal(i["dueAmount"]) for i in due), Decimal(0))),
        "dueInvoicesCount": len(due),
        "hasRecurringBilling": _has_recurring_billing(billing, contract, invoices),
    }
    minimums = [Decimal(i["minPaymentAmount"]) for i in due if i.get("minPaymentAmount")]
    if minimums:
        result["minPaymentAmount"] = country.money(sum(minimums, Decimal(0)))
    if due:
        result["dueDate"] = min(i["dueDate"] for i in due)
    if invoices:
        newest = invoices[0]
        result["period"] = newest.get("period")
        result["lastUpdateDate"] = newest.get("creationDate")
    return {k: v for k, v in result.items() if v is not None}


def _has_recurring_billing(
    billing: BillingSystem, contract: ContractRef, invoices: list[Record]
) -> bool:
    """The newest invoice carries the flag as the contract now stands (kept so on every
    change), which spares a read; a contract with no invoice yet is asked directly."""
    flag = invoices[0].get("hasRecurringBilling") if invoices else None
    if isinstance(flag, bool):
        return flag
    return billing.recurring_billing(contract.contract_id) is not None


def recurring(billing: BillingSystem, contract: ContractRef) -> Record:
    info = billing.recurring_billing(contract.contract_id)
    if info is None:
        raise NotFound(f"Contract {contract.contract_id} has no recurring billing")
    return info


def financing(billing: BillingSystem, contract: ContractRef) -> Record:
    return billing.financing(contract.contract_id) or {"isAvailable": False}


def create(
    billing: Invoicing,
    contract: ContractRef,
    amount: Decimal | None,
    country: Country,
    today: date | None = None,
) -> Record:
    """A partial-payment invoice for part of what is outstanding (201 with its invoiceId),
    dated today where the country is."""
    today = country.today() if today is None else today
    if amount is None:
        raise InvalidParameter("amount", "required: the amount of the new invoice")
    if amount <= 0:
        raise InvalidParameter("amount", "must be positive")
    if not country.has_valid_precision(amount):
        raise InvalidParameter(
            "amount", f"{country.currency} takes at most {country.currency_decimals} decimals"
        )
    due = [i for i in billing.invoices(contract.contract_id) if not i.get("hasPayment")]
    outstanding = sum((Decimal(i.get("dueAmount", 0)) for i in due), Decimal(0))
    if outstanding <= 0:
        raise Conflict(f"Contract {contract.contract_id} has nothing outstanding")
    if amount > outstanding:
        raise InvalidParameter(
            "amount", f"exceeds what is outstanding ({country.money(outstanding)})"
        )
    invoice = billing.create_invoice(contract.contract_id, amount, today, country)
    return {"invoiceId": invoice["invoiceId"]}
