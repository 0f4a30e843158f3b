"""Invoice logic over an in-memory billing system."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from billing import calls, invoices
from selfcare.countries import get_country
from selfcare.errors import NotFound
from selfcare.ports import ContractRef, CustomerRef

CONTRACT = ContractRef("100", "CC", "1020304050", "900", "S1", ("6014567890",))


def invoice(n: int, due: str, paid: bool, minimum: str | None = None) -> dict:
    found = {
        "invoiceId": f"100-{n}",
        "contractId": "100",
        "creationDate": f"2026-{n:02d}-01",
        "dueDate": f"2026-{n:02d}-16",
        "period": f"P{n}",
        "invoiceAmount": Decimal(due),
        "dueAmount": Decimal(0) if paid else Decimal(due),
        "hasPayment": paid,
    }
    if minimum:
        found["minPaymentAmount"] = Decimal(minimum)
    return found


class Billing:
    def __init__(self, found: list[dict], recurring: bool = False) -> None:
        self.found = found  # oldest first
        self.recurring = recurring
        self.calls_seen: list[tuple] = []

    def invoices(self, contract_id, limit=None):
        newest = [i for i in reversed(self.found) if i["contractId"] == contract_id]
        return newest[:limit] if limit else newest

    def invoice(self, contract_id, invoice_id):
        return next((i for i in self.invoices(contract_id) if i["invoiceId"] == invoice_id), None)

    def payment_info(self, contract_id, invoice_id):
        found = self.invoice(contract_id, invoice_id)
        return {"paymentId": "P"} if found and found["hasPayment"] else None

    def recurring_billing(self, contract_id):
        return {"cardInfo": "411111XXXXXX1111"} if self.recurring else None

    def calls(self, contract_id, line, start, end):
        self.calls_seen.append((contract_id, line, start, end))
        return [
            {"destination": "1", "duration": 1.0, "destinationType": "Local"},
            {"destination": "2", "duration": 2.0, "destinationType": "Celular"},
        ]


def test_balance_sums_the_unpaid_invoices_and_dates_the_oldest_debt():
    billing = Billing(
        [
            invoice(8, "100.50", False, "10"),
            invoice(9, "200", True),
            invoice(10, "300.25", False, "30"),
        ],
        recurring=True,
    )
    balance = invoices.balance(billing, CONTRACT, get_country("sv"))
    assert balance["dueAmount"] == Decimal("400.75") and balance["dueInvoicesCount"] == 2
    assert balance["minPaymentAmount"] == Decimal("40.00")
    assert balance["dueDate"] == "2026-08-16" and balance["period"] == "P10"
    assert balance["lastUpdateDate"] == "2026-10-01" and balance["hasRecurringBilling"] is True


def test_a_fully_paid_contract_owes_nothing():
    balance = invoices.balance(Billing([invoice(9, "200", True)]), CONTRACT, get_country("co"))
    assert (
        balance["dueAmount"] == 0 and balance["dueInvoicesCount"] == 0 and "dueDate" not in balance
    )


def test_invoices_by_customer_read_only_the_first_contract():
    billing = Billing([invoice(9, "1", False), {**invoice(10, "2", False), "contractId": "200"}])
    customer = CustomerRef("CC", "1020304050", ("200", "100"))
    assert [i["invoiceId"] for i in invoices.by_customer(billing, customer, 5)] == ["100-10"]


def test_payment_info_tells_unknown_invoices_from_unpaid_ones():
    billing = Billing([invoice(9, "1", False), invoice(10, "1", True)])
    assert invoices.payment(billing, CONTRACT, "100-10") == {"paymentId": "P"}
    with pytest.raises(NotFound, match="has no payment"):
        invoices.payment(billing, CONTRACT, "100-9")
    with pytest.raises(NotFound, match="No invoice"):
        invoices.payment(billing, CONTRACT, "100-11")


@pytest.mark.parametrize("line", ["6014567890", "+576014567890"])
def test_calls_accept_national_and_e164_lines(line):
    billing = Billing([])
    query = {"fromDate": "2026-10-01", "toDate": "2026-10-31"}
    found = calls.calls(billing, CONTRACT, line, query, local_only=True, country=get_country("co"))
    assert [c["destination"] for c in found] == ["1"]
    assert billing.calls_seen == [("100", "6014567890", date(2026, 10, 1), date(2026, 10, 31))]


class CountingBilling(Billing):
    def __init__(self, found: list[dict], recurring: bool = False) -> None:
        super().__init__(found, recurring)
        self.recurring_asked = 0

    def recurring_billing(self, contract_id):
        self.recurring_asked += 1
        return super().recurring_billing(contract_id)


@pytest.mark.parametrize("enrolled", [True, False])
def test_the_balance_takes_recurring_billing_from_the_newest_invoice_without_another_read(
    enrolled,
):
    flagged = [{**invoice(n, "10", False), "hasRecurringBilling": enrolled} for n in (8, 9)]
    billing = CountingBilling(flagged, recurring=not enrolled)  # the flag is what counts
    balance = invoices.balance(billing, CONTRACT, get_country("co"))
    assert balance["hasRecurringBilling"] is enrolled and billing.recurring_asked == 0


def test_a_contract_without_invoices_is_asked_for_its_recurring_billing():
    billing = CountingBilling([], recurring=True)
    balance = invoices.balance(billing, CONTRACT, get_country("co"))
    assert balance["hasRecurringBilling"] is True and billing.recurring_asked == 1
    assert balance["dueAmount"] == 0 and balance["dueInvoicesCount"] == 0
