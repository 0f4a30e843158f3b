"""The sandbox backend: every back-office port answered from the sandbox table."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from selfcare.adapters import receipts
from selfcare.adapters.items import ConditionFailed, Items, Write
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.billing import SandboxBilling
from selfcare.adapters.sandbox.contacts import SandboxContacts
from selfcare.adapters.sandbox.offerings import SandboxOfferings
from selfcare.errors import Conflict
from selfcare.ports import ContractRef, CustomerRef, Record


class SandboxBackend(SandboxContacts, SandboxOfferings, SandboxBilling):
    """Implements `selfcare.ports.Backend` over an `Items` store (DynamoDB or memory).
    Reads are here; changes live in one mixin per area beside it."""

    def __init__(self, items: Items) -> None:
        self.items = items

    def _field(self, pk: str, sk: str, name: str) -> Any:
        """`name` of the item at (pk, sk); None when there is no such item."""
        item = self.items.get(pk, sk)
        return item.get(name) if item else None

    # Directory -------------------------------------------------------------------------
    def find_contract(self, contract_id: str) -> ContractRef | None:
        item = self.items.get(layout.contract_pk(contract_id), layout.CONTRACT)
        return _contract_ref(item) if item else None

    def find_customer(self, document_type: str, customer_id: str) -> CustomerRef | None:
        item = self.items.get(layout.customer_pk(document_type, customer_id), layout.CUSTOMER)
        if not item:
            return None
        return CustomerRef(item["documentType"], item["customerId"], tuple(item["contractIds"]))

    def find_billing_account(self, billing_account_id: str) -> ContractRef | None:
        ref = self.items.get(layout.billing_account_pk(billing_account_id), layout.REF)
        return self.find_contract(ref["contractId"]) if ref else None

    # Billing -----------------------------------------------------------------------------
    def customer(self, document_type: str, customer_id: str) -> Record | None:
        return self._field(
            layout.customer_pk(document_type, customer_id), layout.CUSTOMER, "customer"
        )

    def contract(self, contract_id: str) -> Record | None:
        return self._field(layout.contract_pk(contract_id), layout.CONTRACT, "contract")

    def contracts(self, contract_ids: Sequence[str]) -> list[Record]:
        keys = [(layout.contract_pk(contract_id), layout.CONTRACT) for contract_id in contract_ids]
        return [item["contract"] for item in self.items.get_many(keys) if item]

    def invoices(self, contract_id: str, limit: int | None = None) -> list[Record]:
        found = self.items.query(
            layout.contract_pk(contract_id), prefix=layout.INVOICE, newest_first=True, limit=limit
        )
        return [item["invoice"] for item in found]

    def invoice(self, contract_id: str, invoice_id: str) -> Record | None:
        item = self._invoice_item(contract_id, invoice_id)
        return item["invoice"] if item else None

    def payment_info(self, contract_id: str, invoice_id: str) -> Record | None:
        item = self._invoice_item(contract_id, invoice_id)
        return item.get("paymentInfo") if item else None

    def invoice_with_payment(
        self, contract_id: str, invoice_id: str
    ) -> tuple[Record, Record | None] | None:
        item = self._invoice_item(contract_id, invoice_id)
        return (item["invoice"], item.get("paymentInfo")) if item else None

    def _invoice_item(self, contract_id: str, invoice_id: str) -> dict[str, Any] | None:
        pk = layout.contract_pk(contract_id)
        for item in self.items.query(pk, prefix=layout.invoice_prefix(contract_id, invoice_id)):
            if item["invoice"]["invoiceId"] == invoice_id:
                return item
        return None

    def recurring_billing(self, contract_id: str) -> Record | None:
        return self._field(layout.contract_pk(contract_id), layout.RECURRING, "recurringBilling")

    def financing(self, contract_id: str) -> Record | None:
        return self._field(layout.contract_pk(contract_id), layout.CONTRACT, "financing")

    def calls(self, contract_id: str, line: str, start: date, end: date) -> list[Record]:
        found = self.items.query(
            layout.contract_pk(contract_id), between=layout.call_bounds(line, start, end)
        )
        first, last = start.isoformat(), end.isoformat()
        return [
            call
            for month in found
            for call in month["calls"]
            if first <= str(call["dateTimeStart"])[:10] <= last
        ]

    # Product catalogue -------------------------------------------------------------------
    def products(self, contract_id: str, limit: int | None = None) -> list[Record]:
        found = self.items.query(
            layout.contract_pk(contract_id), prefix=layout.PRODUCT, limit=limit
        )
        return [item["product"] for item in found]

    def product(
        self, contract_id: str, product_id: int, subscription_number: str | None = None
    ) -> Record | None:
        pk = layout.contract_pk(contract_id)
        if subscription_number is not None:
            return self._field(
                pk, layout.product_prefix(product_id) + subscription_number, "product"
            )
        found = self.items.query(pk, prefix=layout.product_prefix(product_id), limit=1)
        return found[0]["product"] if found else None

    def available_offers(self, contract_id: str, product_id: int) -> list[Record] | None:
        return self._field(layout.contract_pk(contract_id), layout.offers_sk(product_id), "offers")

    # Cases ---------------------------------------------------------------------------------
    def service_requests(self, contract_id: str) -> list[Record]:
        found = self.items.query(
            layout.contract_pk(contract_id), prefix=layout.REQUEST, newest_first=True
        )
        return [item["serviceRequest"] for item in found]

    def scheduled_visits(self, document_type: str, customer_id: str) -> Record | None:
        return self._field(
            layout.customer_pk(document_type, customer_id), layout.VISITS, "scheduledVisits"
        )

    # CRM -----------------------------------------------------------------------------------
    def contact_information(self, contract_id: str) -> Record | None:
        return self._field(layout.contract_pk(contract_id), layout.CONTACT, "contactInformation")

    # Card vault ----------------------------------------------------------------------------
    def card_tokens(self, document_type: str, customer_id: str, limit: int) -> list[Record]:
        found = self.items.query(
            layout.customer_pk(document_type, customer_id),
            prefix=layout.CARD,
            newest_first=True,
            limit=limit,
        )
        return [item["token"] for item in found]

    def card_token(self, document_type: str, customer_id: str, token: str) -> Record | None:
        found = self.items.query(layout.customer_pk(document_type, customer_id), prefix=layout.CARD)
        return next((i["token"] for i in found if i["token"]["cardToken"] == token), None)

    def card_token_of(
        self, document_type: str, customer_id: str, card_info: str, card_brand: str, expiry: str
    ) -> Record | None:
        found = self.items.query(layout.customer_pk(document_type, customer_id), prefix=layout.CARD)
        card = (card_info, card_brand, expiry)
        return next((i["token"] for i in found if _card_of(i) == card), None)

    def keep_card_token(
        self, document_type: str, customer_id: str, token: Record, expiry: str, most: int
    ) -> Record:
        """Under CARD#<keptAt>#<token> in the customer's partition, where the sandbox gateway
        keeps its own: keeping one it wrote already changes nothing. A concurrent change of
        the customer's cards (the newest stands guard) makes us read them again."""
        info = _token_info(token)
        pk = layout.customer_pk(document_type, customer_id)
        card = (info["cardInfo"], info["cardBrand"], expiry)
        for _ in range(CARD_ATTEMPTS):
            held = self.items.query(pk, prefix=layout.CARD, newest_first=True)
            kept = next((i for i in held if i["token"]["cardToken"] == info["cardToken"]), None)
            kept = kept or next((i for i in held if _card_of(i) == card), None)
            if kept is not None:
                return dict(kept["token"])
            if len(held) >= most:
                raise Conflict(f"A customer may keep at most {most} cards; delete one first")
            sk = layout.card_sk(held, info["cardToken"])
            item = {"pk": pk, "sk": sk, "token": info, "cardExpirationDate": expiry}
            writes = [Write.put(layout.storable(item), absent=True)]
            if held:
                guard, version = held[0], int(held[0].get("version", 0))
                writes.append(Write.put({**guard, "version": version + 1}, version=version))
            try:
                self.items.write(*writes)
            except ConditionFailed:
                continue
            return info
        raise Conflict("The customer's cards changed meanwhile; retry")

    def forget_card_token(self, document_type: str, customer_id: str, token: str) -> None:
        pk = layout.customer_pk(document_type, customer_id)
        held = self.items.query(pk, prefix=layout.CARD)
        # unconditional: gone already is as well; the receipt says this change forgot it
        gone = [Write.delete(pk, i["sk"]) for i in held if i["token"]["cardToken"] == token]
        receipts.write(self.items, *gone)

    def forgot_card_token(self, document_type: str, customer_id: str, token: str) -> bool:
        return receipts.find(self.items) is not None


def _contract_ref(item: dict[str, Any]) -> ContractRef:
    return ContractRef(
        contract_id=item["contractId"],
        document_type=item["documentType"],
        customer_id=item["customerId"],
        billing_account_id=item["billingAccountId"],
        subscription_number=item["subscriptionNumber"],
        lines=tuple(item.get("lines", ())),
    )


# Card vault ----------------------------------------------------------------------------------
CARD_ATTEMPTS = 3
TOKEN_INFO = ("cardToken", "cardInfo", "cardBrand", "cardPrintedName")
# What redaction.mask_pan makes of a number: first 6 + XXXXXX + last 4, or XXXX + last 4.
MASKED = re.compile(r"(?:[0-9]{6}XXXXXX|XXXX)[0-9]{0,4}")


def _token_info(token: Record) -> Record:
    """The TokenInfo fields of `token`, and nothing else; its cardInfo must be masked."""
    info = {key: token[key] for key in TOKEN_INFO if token.get(key) is not None}
    if not info.get("cardToken") or not info.get("cardBrand"):
        raise ValueError("a card token needs its cardToken and cardBrand")
    if not isinstance(info.get("cardInfo"), str) or not MASKED.fullmatch(info["cardInfo"]):
        raise ValueError("a card token's cardInfo must be a masked number")
    return info


def _card_of(item: dict[str, Any]) -> tuple[Any, Any, Any]:
    token = item["token"]
    return token.get("cardInfo"), token.get("cardBrand"), item.get("cardExpirationDate")
