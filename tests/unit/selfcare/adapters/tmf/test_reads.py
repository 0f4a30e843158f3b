"""The TMF reads' own state: a contract's billing account is kept per container (it never
changes), but who owns a contract and its lines are asked of the BSS each time (the access
layer decides how long to trust them)."""

from __future__ import annotations

import copy
from typing import Any

from selfcare.adapters.tmf import apis
from selfcare.adapters.tmf.reads import TmfReads

CONTRACT = {
    "id": "8001",
    "@type": apis.CONTRACT_TYPE,
    "relatedParty": [{"id": "CC-123", "role": "Customer"}],
    "billingAccount": {"id": "BA-1"},
    "productCharacteristic": [
        {"name": "subscriptionNumber", "value": "S-1"},
        {"name": "lines", "value": ["6011111111"]},
    ],
}


class Bss:
    def __init__(self) -> None:
        self.contract = copy.deepcopy(CONTRACT)
        self.asked: list[tuple[str, Any]] = []

    def get(self, path: str, params: Any = None, fields: Any = None) -> Any:
        self.asked.append(("get", path))
        return copy.deepcopy(self.contract) if path == f"{apis.PRODUCT}/8001" else None

    def list(self, path: str, params: Any = None, fields: Any = None, limit: Any = None) -> list:
        self.asked.append(("list", path, dict(params or {})))
        return []


def test_a_contracts_lines_and_owner_are_asked_anew_its_billing_account_is_kept():
    bss = Bss()
    reads = TmfReads(bss, "-05:00")  # type: ignore[arg-type]
    first = reads.find_contract("8001")
    assert first is not None and first.lines == ("6011111111",)
    assert (first.document_type, first.customer_id) == ("CC", "123")

    bss.contract["productCharacteristic"][1]["value"] = ["6011111111", "6012222222"]
    again = reads.find_contract("8001")
    assert again is not None and again.lines == ("6011111111", "6012222222")
    assert len(bss.asked) == 2

    reads.invoices("8001")  # the billing account is known: one list, no lookup
    assert bss.asked[2:] == [
        ("list", apis.CUSTOMER_BILL, {"billingAccount.id": "BA-1", "sort": "-billDate"})
    ]
