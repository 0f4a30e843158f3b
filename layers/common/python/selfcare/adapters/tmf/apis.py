"""The TM Forum Open APIs (v4) the adapter calls: each resource's collection, relative to
the BSS's base URL (which ends in /tmf-api), and how ids are formed."""

from __future__ import annotations

CUSTOMER = "customerManagement/v4/customer"  # TMF629
BILLING_ACCOUNT = "accountManagement/v4/billingAccount"  # TMF666
PRODUCT = "productInventory/v4/product"  # TMF637
PRODUCT_OFFERING = "productCatalogManagement/v4/productOffering"  # TMF620
PRODUCT_ORDER = "productOrderingManagement/v4/productOrder"  # TMF622
CUSTOMER_BILL = "customerBillManagement/v4/customerBill"  # TMF678
BILL_ON_DEMAND = "customerBillManagement/v4/customerBillOnDemand"  # TMF678
PAYMENT = "paymentManagement/v4/payment"  # TMF676
PAYMENT_METHOD = "paymentMethod/v4/paymentMethod"  # TMF670
USAGE = "usageManagement/v4/usage"  # TMF635
TROUBLE_TICKET = "troubleTicket/v4/troubleTicket"  # TMF621
APPOINTMENT = "appointment/v4/appointment"  # TMF646

CONTRACT_TYPE, PRODUCT_TYPE = "TigoContract", "TigoProduct"


def customer_key(document_type: str, customer_id: str) -> str:
    """A customer's id at the BSS: its identity document, as "<TYPE>-<number>"."""
    return f"{document_type.upper()}-{customer_id}"


def customer_of(key: str) -> tuple[str, str]:
    document_type, _, number = key.partition("-")
    return document_type, number


def product_key(contract_id: str, product_id: int, subscription: str) -> str:
    """A contract's product in the inventory: sorts by product, then subscription."""
    return f"{contract_id}-{int(product_id):06d}-{subscription}"


def offer_key(contract_id: str, product_id: int, offering_id: str) -> str:
    return f"{contract_id}-{int(product_id):06d}-{offering_id}"


def payment_method_key(contract_id: str) -> str:
    return f"PM-{contract_id}"
