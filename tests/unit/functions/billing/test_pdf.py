"""The invoice PDF: a real document of the invoice as billed, never a stale one."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader

from billing import pdf
from selfcare.countries import get_country
from selfcare.ports import ContractRef

CONTRACT = ContractRef("84257928", "CC", "1020304050", "900", "S1")
INVOICE = {
    "invoiceId": "84257928-20261101",
    "contractId": "84257928",
    "billingName": "María Fernanda Rojas",
    "billingAccountId": "900",
    "period": "Noviembre 2026",
    "creationDate": "2026-11-01",
    "dueDate": "2026-11-16",
    "invoiceAmount": Decimal(232700),
    "taxAmount": Decimal("37154.62"),
    "dueAmount": Decimal(232700),
}


def text(document: bytes) -> str:
    assert document.startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document)).pages)


def test_the_document_names_the_invoice_the_billed_name_and_the_holders_document():
    shown = text(pdf.render(get_country("co"), CONTRACT, INVOICE))
    assert "84257928-20261101" in shown and "María Fernanda Rojas" in shown
    assert "CC 1020304050" in shown and "COP 232.700" in shown
    assert "Pagada" not in shown
    assert "sandbox" not in shown.lower()  # the same document fronts a real back office


def test_a_payment_or_a_change_renders_anew_and_the_same_facts_the_same_document():
    country = get_country("co")
    unpaid = pdf.render(country, CONTRACT, INVOICE)
    assert pdf.render(country, CONTRACT, dict(INVOICE)) == unpaid
    payment = {"paymentDate": "2026-11-10", "paymentMethod": "Tarjeta de crédito"}
    paid = {**INVOICE, "dueAmount": Decimal(0), "hasPayment": True}
    shown = text(pdf.render(country, CONTRACT, paid, payment))
    assert "Pagada" in shown and "2026-11-10" in shown and "COP 0" in shown
    assert "Pagada" not in text(pdf.render(country, CONTRACT, INVOICE))  # not the paid copy
