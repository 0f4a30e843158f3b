"""The TMF backend's reads: every read port answered by the BSS through the TM Forum Open
APIs (v4), mapped by `shapes` (docs/tmf-mapping.md). Each takes one round trip, or two made
concurrently; a contract's billing account is a fact kept per warm container. A resource
of another shape than its API's is the BSS answering unreadably (502), never a 500."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from selfcare.adapters.tmf import apis, shapes
from selfcare.adapters.tmf.client import TmfClient
from selfcare.adapters.tmf.codec import Shape, get
from selfcare.countries import fixed_zone
from selfcare.ports import ContractRef, CustomerRef, Record

REF_FIELDS = "id,@type,relatedParty,billingAccount,productCharacteristic"
ACCOUNTS_KEPT = 4096


class TmfReads:
    """The read ports (Directory, BillingSystem, ProductCatalog, CaseSystem, Crm)."""

    def __init__(self, client: TmfClient, utc_offset: str) -> None:
        self.client = client
        self.offset = utc_offset
        self.tz = fixed_zone(utc_offset)
        # contract -> its billing account: fixed for a contract's life, so kept per container
        # (ownership and lines are asked anew: the access layer keeps those five minutes)
        self._accounts: dict[str, str] = {}

    # Directory ---------------------------------------------------------------------------------
    def find_contract(self, contract_id: str) -> ContractRef | None:
        found = self.client.get(f"{apis.PRODUCT}/{contract_id}", fields=REF_FIELDS.split(","))
        return self._ref(found) if _is_contract(found) else None

    def find_customer(self, document_type: str, customer_id: str) -> CustomerRef | None:
        key = apis.customer_key(document_type, customer_id)
        found = self.client.get(f"{apis.CUSTOMER}/{key}", fields=["agreement"])
        if not isinstance(found, dict):
            return None
        contracts = tuple(str(a["id"]) for a in _dicts(found.get("agreement")) if a.get("id"))
        return CustomerRef(document_type.upper(), customer_id, contracts)

    def find_billing_account(self, billing_account_id: str) -> ContractRef | None:
        found = self.client.list(
            apis.PRODUCT,
            {"billingAccount.id": billing_account_id, "@type": apis.CONTRACT_TYPE},
            REF_FIELDS.split(","),
            limit=1,
        )
        return self._ref(found[0]) if found and _is_contract(found[0]) else None

    def _ref(self, product: dict[str, Any]) -> ContractRef:
        party: dict[str, Any] = next(
            (p for p in _dicts(product.get("relatedParty")) if p.get("role") == "Customer"), {}
        )
        document_type, customer_id = apis.customer_of(str(party.get("id", "")))
        account = get(product, "billingAccount.id")
        lines = get(product, "productCharacteristic[lines].value") or []
        if not _is_id(product.get("id")) or not _is_id(account) or not isinstance(lines, list):
            raise self.client.unreadable()
        ref = ContractRef(
            contract_id=str(product["id"]),
            document_type=document_type,
            customer_id=customer_id,
            billing_account_id=str(account),
            subscription_number=str(
                get(product, "productCharacteristic[subscriptionNumber].value")
            ),
            lines=tuple(lines),
        )
        if len(self._accounts) >= ACCOUNTS_KEPT:
            self._accounts.clear()
        self._accounts[ref.contract_id] = ref.billing_account_id
        return ref

    def _read(self, shape: Shape, resource: Any) -> Record:
        """`shape`'s record of a resource the BSS sent; of another shape, its 502."""
        try:
            return shape.from_tmf(resource, self.tz)
        except (ValueError, TypeError, ArithmeticError, KeyError, AttributeError):
            raise self.client.unreadable() from None

    def _account(self, contract_id: str) -> str | None:
        known = self._accounts.get(contract_id)
        if known is not None:
            return known
        ref = self.find_contract(contract_id)
        return ref.billing_account_id if ref else None

    # Billing -----------------------------------------------------------------------------------
    def customer(self, document_type: str, customer_id: str) -> Record | None:
        found = self.client.get(f"{apis.CUSTOMER}/{apis.customer_key(document_type, customer_id)}")
        return self._read(shapes.CUSTOMER, found) if isinstance(found, dict) else None

    def contract(self, contract_id: str) -> Record | None:
        found = self.client.get(f"{apis.PRODUCT}/{contract_id}")
        return self._read(shapes.CONTRACT, found) if _is_contract(found) else None

    def contracts(self, contract_ids: Sequence[str]) -> list[Record]:
        if not contract_ids:
            return []
        found = self.client.list(
            apis.PRODUCT, {"id": ",".join(contract_ids), "@type": apis.CONTRACT_TYPE}
        )
        by_id = {str(p.get("id")): p for p in found if _is_contract(p)}
        return [self._read(shapes.CONTRACT, by_id[c]) for c in contract_ids if c in by_id]

    def invoices(self, contract_id: str, limit: int | None = None) -> list[Record]:
        account = self._account(contract_id)
        if account is None:
            return []
        found = self.client.list(
            apis.CUSTOMER_BILL,
            {"billingAccount.id": account, "sort": "-billDate"},
            limit=limit,
        )
        return [self._read(shapes.INVOICE, bill) for bill in found]

    def invoice(self, contract_id: str, invoice_id: str) -> Record | None:
        account = self._account(contract_id)
        bill = self.client.get(f"{apis.CUSTOMER_BILL}/{invoice_id}") if account else None
        if not isinstance(bill, dict) or not _billed_to(bill, account):
            return None
        return self._read(shapes.INVOICE, bill)

    def payment_info(self, contract_id: str, invoice_id: str) -> Record | None:
        found = self.invoice_with_payment(contract_id, invoice_id)
        return found[1] if found else None

    def invoice_with_payment(
        self, contract_id: str, invoice_id: str
    ) -> tuple[Record, Record | None] | None:
        account = self._account(contract_id)
        if account is None:
            return None
        bill, payments = self.client.concurrently(
            lambda: self.client.get(f"{apis.CUSTOMER_BILL}/{invoice_id}"),
            lambda: self.client.list(
                apis.PAYMENT, {"paymentItem.item.id": invoice_id, "account.id": account}
            ),
        )
        if not _billed_to(bill, account):
            return None
        paid = [self._read(shapes.PAYMENT, p) for p in payments if get(p, "account.id") == account]
        paid.sort(key=lambda p: str(p.get("paymentDate") or ""))  # a day's in the BSS's order
        return self._read(shapes.INVOICE, bill), paid[-1] if paid else None

    def _payment_method(self, contract_id: str) -> dict[str, Any] | None:
        account = self._account(contract_id)
        if account is None:
            return None
        found = self.client.list(
            apis.PAYMENT_METHOD, {"account.id": account, "status": "active"}, limit=1
        )
        return found[0] if found else None

    def recurring_billing(self, contract_id: str) -> Record | None:
        method = self._payment_method(contract_id)
        return self._read(shapes.RECURRING, method) if method else None

    def recurring_card_token(self, contract_id: str) -> str | None:
        method = self._payment_method(contract_id)
        return str(method["token"]) if method and method.get("token") else None

    def financing(self, contract_id: str) -> Record | None:
        found = self.client.get(f"{apis.PRODUCT}/{contract_id}", fields=["financing"])
        if not _is_contract(found) or not isinstance(found.get("financing"), dict):
            return None
        return self._read(shapes.FINANCING, found["financing"])

    def calls(self, contract_id: str, line: str, start: date, end: date) -> list[Record]:
        found = self.client.list(
            apis.USAGE,
            {
                "contractId": contract_id,
                "measuringElement": line,
                "usageDate.gte": start.isoformat(),
                "usageDate.lt": (end + timedelta(days=1)).isoformat(),
                "sort": "usageDate",
            },
        )
        return [self._read(shapes.CALL, usage) for usage in found]

    # Product catalogue -------------------------------------------------------------------------
    def products(self, contract_id: str, limit: int | None = None) -> list[Record]:
        found = self.client.list(apis.PRODUCT, _products_of(contract_id), limit=limit)
        return [self._read(shapes.PRODUCT, p) for p in found]

    def products_of(self, contract_ids: Sequence[str], limit: int | None = None) -> list[Record]:
        """One list for every contract (`a,b` is either, TMF630), put in contract order."""
        if not contract_ids:
            return []
        query = {**_products_of(",".join(contract_ids))}
        found = self.client.list(apis.PRODUCT, query)
        grouped: dict[str, list[dict[str, Any]]] = {c: [] for c in contract_ids}
        for product in found:
            for owner in _owners(product):
                if owner in grouped:
                    grouped[owner].append(product)
        ordered = [self._read(shapes.PRODUCT, p) for c in contract_ids for p in grouped[c]]
        return ordered if limit is None else ordered[:limit]

    def product(
        self, contract_id: str, product_id: int, subscription_number: str | None = None
    ) -> Record | None:
        if subscription_number is not None:
            key = apis.product_key(contract_id, product_id, subscription_number)
            found = self.client.get(f"{apis.PRODUCT}/{key}")
            return self._held(found, contract_id)
        query = {**_products_of(contract_id), "productSpecification.id": str(product_id)}
        listed = self.client.list(apis.PRODUCT, query, limit=1)
        return self._held(listed[0], contract_id) if listed else None

    def _held(self, found: Any, contract_id: str) -> Record | None:
        if not isinstance(found, dict) or found.get("@type") != apis.PRODUCT_TYPE:
            return None
        return self._read(shapes.PRODUCT, found) if contract_id in _owners(found) else None

    def available_offers(self, contract_id: str, product_id: int) -> list[Record] | None:
        product, offers = self._product_and_offers(contract_id, product_id)
        return None if product is None else offers  # None: no such product in the contract

    def _product_and_offers(
        self, contract_id: str, product_id: int
    ) -> tuple[Record | None, list[Record]]:
        """The contract's product and the offerings available for it: one round trip."""
        query = {
            "contractId": contract_id,
            "productSpecification.id": str(product_id),
            "sort": "id",
        }
        answers: list[Any] = self.client.concurrently(
            lambda: self.product(contract_id, product_id),
            lambda: self.client.list(apis.PRODUCT_OFFERING, query),
        )
        return answers[0], [self._read(shapes.OFFER, offer) for offer in answers[1]]

    # Cases -------------------------------------------------------------------------------------
    def service_requests(self, contract_id: str) -> list[Record]:
        return self.service_requests_of([contract_id])

    def service_requests_of(self, contract_ids: Sequence[str]) -> list[Record]:
        """One list for every contract, put in contract order (each newest first)."""
        if not contract_ids:
            return []
        found = self.client.list(
            apis.TROUBLE_TICKET,
            {"relatedEntity.id": ",".join(contract_ids), "sort": "-creationDate"},
        )
        grouped: dict[str, list[dict[str, Any]]] = {c: [] for c in contract_ids}
        for ticket in found:
            owner = get(ticket, "relatedEntity[role=contract].id")
            if isinstance(owner, str) and owner in grouped:
                grouped[owner].append(ticket)
        return [self._read(shapes.SERVICE_REQUEST, t) for c in contract_ids for t in grouped[c]]

    def scheduled_visits(self, document_type: str, customer_id: str) -> Record | None:
        key = apis.customer_key(document_type, customer_id)
        customer, appointments = self.client.concurrently(
            lambda: self.client.get(f"{apis.CUSTOMER}/{key}"),
            lambda: self.client.list(
                apis.APPOINTMENT, {"relatedParty.id": key, "sort": "validFor.startDateTime"}
            ),
        )
        if not isinstance(customer, dict):
            return None
        info = self._read(shapes.CUSTOMER, customer)["customerInfo"]
        visits: dict[str, Record] = {}
        for appointment in appointments:
            if get(appointment, "relatedParty[role=customer].id") != key:
                continue
            place = self._read(shapes.VISIT_PLACE, appointment)
            visit = visits.setdefault(
                str(place.get("contractId")), {**place, "serviceActionList": []}
            )
            visit["serviceActionList"].append(self._read(shapes.VISIT_ACTION, appointment))
        order = [str(a.get("id")) for a in _dicts(customer.get("agreement"))]
        listed = [visits[c] for c in order if c in visits]
        header = {
            "customerId": info.get("customerId"),
            "msisdn": info.get("phoneNumber"),
            "customerName": customer.get("name"),
            "customerPhone": info.get("phoneNumber"),
        }
        return {**{k: v for k, v in header.items() if v is not None}, "scheduledVisitList": listed}

    # CRM ---------------------------------------------------------------------------------------
    def contact_information(self, contract_id: str) -> Record | None:
        account = self._account(contract_id)
        found = (
            self.client.get(f"{apis.BILLING_ACCOUNT}/{account}", fields=["contact"])
            if account
            else None
        )
        if not isinstance(found, dict) or not found.get("contact"):
            return None
        return self._read(shapes.CONTACT, found)


def _is_contract(found: Any) -> bool:
    return isinstance(found, dict) and found.get("@type") == apis.CONTRACT_TYPE


def _billed_to(bill: Any, account: str | None) -> bool:
    return (
        isinstance(bill, dict) and account is not None and get(bill, "billingAccount.id") == account
    )


def _products_of(contract_id: str) -> dict[str, str]:
    return {
        "productRelationship.product.id": contract_id,
        "@type": apis.PRODUCT_TYPE,
        "sort": "id",
    }


def _owners(product: dict[str, Any]) -> set[Any]:
    """The contracts a product of the inventory belongs to."""
    owners = (
        get(r, "product.id")
        for r in _dicts(product.get("productRelationship"))
        if r.get("relationshipType") == "isBundledBy"
    )
    return {owner for owner in owners if isinstance(owner, str)}


def _dicts(found: Any) -> list[dict[str, Any]]:
    """The objects of a list the BSS sent (anything else in it, or instead of it, is none)."""
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _is_id(found: Any) -> bool:
    return isinstance(found, str | int) and not isinstance(found, bool) and str(found) != ""
