"""The Swagger reference and where each of its definitions lives among the models."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from selfcare.models import billing, cases, common, customer, portfolio, tokenization

ROOT = Path(__file__).resolve().parents[4]
REFERENCE_NAME = "home-self-care-api.swagger.yaml"

GROUPS: dict[ModuleType, set[str]] = {
    common: {"errorBody", "successBody", "URLaddress", "docTypeEnum"},
    billing: {
        "Invoice", "InvoiceList", "paymentInfo", "paperlessInvoiceInfo",
        "paperlessInvoiceInfoRequest", "RecurringBillingInfo", "RecurringBillingInfoRequest",
        "BillingBalance", "FinancingInfo", "CallDetail", "CallDetailList", "CheckOutInfo",
        "CheckOutReference", "Contract", "ContractList", "BillingDateList",
    },
    customer: {
        "Address", "CustomerInfo", "CustomerDetailInfo", "CustomerEmail", "CustomerEmailList",
        "CustomerPhone", "CustomerPhoneList", "CustomerEmailUpdate", "CustomerPhoneUpdate",
        "CustomerIdentification", "CustomerCharacteristics", "CustomerExtendedInfo",
    },
    portfolio: {
        "Product", "ProductList", "Offering", "OfferingList", "BundledItem", "Device",
        "DeviceList", "CommercialOffering", "CommercialOfferingList", "OfferingRequest",
        "Product_Old_Please_Deleteme",
    },
    tokenization: {
        "TokenInfo", "TokenInfoList", "CardDetails", "cardTokenizationRequest",
        "CreateCardTokenizationRequest",
    },
    cases: {
        "ServiceRequest", "ServiceRequestList", "ServiceAction", "ScheduledVisit",
        "ScheduledVisitInfo", "SimplifiedOffering",
    },
}  # fmt: skip

# Required by the contract but not declared there; the only properties we add.
ADDED = {"ServiceRequest": {"duration": "number"}, "CustomerDetailInfo": {"customerId": "string"}}


@cache
def reference() -> dict[str, Any]:
    candidates = [
        Path(os.environ.get("HSC_REFERENCE", ROOT / "api" / "reference" / REFERENCE_NAME)),
        Path("/work/shared/reference") / REFERENCE_NAME,
    ]
    for path in candidates:
        if path.is_file():
            return yaml.safe_load(path.read_text(encoding="utf-8"))
    pytest.fail(f"reference contract not found; set HSC_REFERENCE (looked in {candidates})")


def definitions() -> dict[str, Any]:
    return reference()["definitions"]


def model(name: str) -> Any:
    module = next(m for m, names in GROUPS.items() if name in names)
    return getattr(module, name)


def objects() -> list[str]:
    return [n for n, d in definitions().items() if d.get("type", "object") == "object"]


def arrays() -> list[str]:
    return [n for n, d in definitions().items() if d.get("type") == "array"]
