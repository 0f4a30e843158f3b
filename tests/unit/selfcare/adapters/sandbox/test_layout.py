"""Where the sandbox keeps invoices: each one is found in the narrow range its id names."""

from __future__ import annotations

from datetime import date

import pytest

from selfcare.adapters.items import MemoryItems
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country

AS_OF = date(2026, 11, 26)


@pytest.mark.parametrize("country", ["co", "gt", "sv"])
def test_every_invoice_sits_under_the_month_its_id_names(country):
    items = list(layout.dataset_items(generate_dataset(country, AS_OF, 40)))
    invoices = [i for i in items if i["sk"].startswith(layout.INVOICE)]
    assert invoices
    for item in invoices:
        found = item["invoice"]
        prefix = layout.invoice_prefix(found["contractId"], found["invoiceId"])
        assert prefix != layout.INVOICE and item["sk"].startswith(prefix)


def test_ids_of_another_shape_are_looked_for_among_all_invoices():
    assert layout.invoice_prefix("100", "100-2026110") == layout.INVOICE  # 7 digits
    assert layout.invoice_prefix("100", "200-20261101") == layout.INVOICE  # another contract
    assert layout.invoice_prefix("100", "100-2026x101") == layout.INVOICE
    assert layout.invoice_prefix("100", "100-20261101") == "INV#2026-11"


def test_invoices_issued_later_are_found_by_id_and_unknown_ones_are_not():
    dataset = generate_dataset("co", AS_OF, 40)
    backend = SandboxBackend(MemoryItems(layout.dataset_items(dataset)))
    contract = dataset["customers"][0]["contracts"][0]["contractId"]
    issued = backend.issue_monthly_invoice(contract, date(2026, 12, 1), get_country("co"))
    assert issued["invoiceId"] == f"{contract}-20261201"
    assert backend.invoice(contract, issued["invoiceId"]) == issued
    found = backend.invoice_with_payment(contract, issued["invoiceId"])
    assert found == (issued, None)
    assert backend.invoice(contract, f"{contract}-20261202") is None
    assert backend.invoice_with_payment(contract, f"{contract}-20251201") is None
