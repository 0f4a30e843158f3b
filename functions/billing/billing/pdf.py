"""The invoice as a PDF document (fpdf2, imported only when a PDF is asked for)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from selfcare.countries import Country, get_country
from selfcare.ports import ContractRef

BRAND = "Tigo Hogar"


def _money(country: Country, value: Any) -> str:
    amount = country.money(Decimal(str(value if value is not None else 0)))
    whole, _, cents = f"{amount:,.{country.currency_decimals}f}".partition(".")
    whole = whole.replace(",", ".") if country.currency == "COP" else whole
    return f"{country.currency} {whole}{'.' + cents if cents else ''}"


def render(
    country: Country,
    contract: ContractRef,
    invoice: Mapping[str, Any],
    payment: Mapping[str, Any] | None = None,
) -> bytes:
    """The invoice as billed: to the name it carries, under the contract holder's document.
    A warm container keeps the last documents it rendered (rendering costs ~2.5 ms; the
    same invoice is asked for again and again): a paid or changed invoice renders anew."""
    facts = json.dumps([invoice, payment], sort_keys=True, default=str)
    return _rendered(country.code, contract, facts)


@lru_cache(maxsize=64)
def _rendered(code: str, contract: ContractRef, facts: str) -> bytes:
    invoice, payment = json.loads(facts)
    return _render(get_country(code), contract, invoice, payment)


def _render(
    country: Country,
    contract: ContractRef,
    invoice: Mapping[str, Any],
    payment: Mapping[str, Any] | None,
) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"Factura {invoice['invoiceId']}")
    pdf.set_author(BRAND)
    pdf.set_creator("Home Self Care API")
    # Dated as the invoice, not as the request: the same invoice is always the same bytes.
    pdf.set_creation_date(_issued(country, invoice))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, f"{BRAND} - {country.name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 8, f"Factura No. {invoice['invoiceId']}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    rows = [
        ("Cliente", str(invoice.get("billingName", ""))),
        ("Documento", f"{contract.document_type.upper()} {contract.customer_id}"),
        ("Contrato", str(invoice.get("contractId", ""))),
        ("Cuenta de facturación", str(invoice.get("billingAccountId", ""))),
        ("Dirección", str(invoice.get("streetAddress", ""))),
        ("Periodo", str(invoice.get("period", ""))),
        ("Fecha de emisión", str(invoice.get("creationDate", ""))),
        ("Fecha límite de pago", str(invoice.get("dueDate", ""))),
        ("Valor de la factura", _money(country, invoice.get("invoiceAmount"))),
        (
            f"IVA incluido ({country.vat_rate * 100:.0f} %)",
            _money(country, invoice.get("taxAmount")),
        ),
        ("Saldo pendiente", _money(country, invoice.get("dueAmount"))),
    ]
    if payment:
        rows.append(
            ("Pagada", f"{payment.get('paymentDate', '')} - {payment.get('paymentMethod', '')}")
        )
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(70, 8, label)
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(0, 5, "Documento generado por la API Home Self Care.")  # whatever the backend
    return bytes(pdf.output())


def _issued(country: Country, invoice: Mapping[str, Any]) -> datetime:
    """Midnight of the invoice's creation date where the country is."""
    try:
        day = date.fromisoformat(str(invoice.get("creationDate")))
    except ValueError:
        day = date(2000, 1, 1)
    return datetime(day.year, day.month, day.day, tzinfo=country.zone)
