"""The TMF backend's changes: each one BSS write, sent with an Idempotency-Key made of the
change (selfcare.change) and the write itself, so that a client retrying its request with
the same key is answered by the BSS as the first time (a lost answer is never a 409). The
BSS decides (its 404 and 409 are ours, with messages naming no value); a 400 to a caller's
value is that value's 400."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from selfcare import change
from selfcare import offerings as rules
from selfcare.adapters.tmf import apis, shapes
from selfcare.adapters.tmf.client import JSON_PATCH_QUERY, Rejected, _number
from selfcare.adapters.tmf.codec import get
from selfcare.adapters.tmf.reads import TmfReads
from selfcare.errors import Conflict, InvalidParameter, NotFound, ServiceError, UpstreamError
from selfcare.ports import Record

if TYPE_CHECKING:
    from datetime import date

MEDIUM = "/contact/0/contactMedium"


@dataclass(frozen=True, slots=True)
class Medium:
    """A kind of contact medium: its contract list and field, its TMF shape and query, how
    values compare, and the 409 of each change."""

    medium: str
    listed: str
    field: str
    shape: shapes.Shape
    query: str
    key: Callable[[str], str]
    refusals: Mapping[str, str]


def _digits(value: Any) -> str:
    return "".join(c for c in str(value) if c.isdigit())


PHONE = Medium(
    "phone",
    "customerPhoneList",
    "phone",
    shapes.PHONE,
    "characteristic.phoneNumber",
    _digits,
    {
        "add": "The phone is already a contact of this contract, or it keeps all it may",
        "replace": "The new phone is already a contact of this contract",
        "remove": "The phone cannot be removed now",
    },
)
EMAIL = Medium(
    "email",
    "customerEmailList",
    "email",
    shapes.EMAIL,
    "characteristic.emailAddress",
    str.lower,
    {
        "add": "The email is already a contact of this contract, or it keeps all it may",
        "replace": "The new email is already a contact of this contract",
        "remove": "A contract keeps at least one email (invoices are sent to it);"
        " add another before removing this one",
    },
)


def _key(method: str, path: str, body: Any) -> str | None:
    """The write's Idempotency-Key: the same for every retry of the same change."""
    current = change.current()
    if current is None:
        return None
    text = json.dumps(body, sort_keys=True, default=_number)
    return hashlib.sha256(f"{current}\n{method} {path}\n{text}".encode()).hexdigest()[:40]


@dataclass(frozen=True, slots=True)
class Order:
    """One offering added to (action add) or removed from (delete) a contract's product."""

    action: str
    contract_id: str
    product_id: int
    offering_id: str
    promotion_code: str | None = None


class TmfChanges(TmfReads):
    """CrmChanges, CatalogChanges, BillingChanges (TmfBackend adds the card vault)."""

    def _account_of(self, contract_id: str) -> str:
        account = self._account(contract_id)
        if account is None:
            raise NotFound(f"No contract {contract_id}")
        return account

    # CRM: TMF630 JSON Patch on the billing account's contact ------------------------------
    def _contact_patch(
        self, contract_id: str, operation: dict[str, Any], missing: str, taken: str
    ) -> dict[str, Any]:
        account = self._account_of(contract_id)
        path = f"{apis.BILLING_ACCOUNT}/{account}"
        body = [operation]
        try:
            found = self.client.patch(path, body, _key("PATCH", path, body), JSON_PATCH_QUERY)
        except NotFound:
            raise NotFound(missing) from None
        except Conflict:
            raise Conflict(taken) from None
        if not isinstance(found, dict):
            found = self.client.get(path, fields=["contact"]) or {}
        return self._read(shapes.CONTACT, found)

    def _medium(
        self, kind: Medium, contract_id: str, op: str, old: str | None, value: Any
    ) -> Record:
        """One change of a phone or an email: the entry as it now stands (as it stood, for
        a removal)."""
        entry = None
        if op == "remove":  # answered with what it was: read before it goes
            before = self.contact_information(contract_id) or {}
            entry = _entry(before.get(kind.listed), kind.field, old, kind.key)
        operation: dict[str, Any] = {"op": op, "path": MEDIUM}
        if old is not None:  # the value percent-encoded: `a+b@x.co` is no `a b@x.co`
            where = quote(str(old), safe="@")
            operation["path"] = f"{MEDIUM}?mediumType={kind.medium}&{kind.query}={where}"
        if value is not None:
            operation["value"] = kind.shape.to_tmf(value, "")
        missing = (
            f"No contact information for contract {contract_id}"
            if op == "add"
            else f"That {kind.field} is not a contact of this contract"
        )
        info = self._contact_patch(contract_id, operation, missing, kind.refusals[op])
        if entry is not None:  # a removal
            return entry
        return _entry(info.get(kind.listed), kind.field, value[kind.field], kind.key)

    def add_phone(self, contract_id: str, phone: Record) -> Record:
        return self._medium(PHONE, contract_id, "add", None, phone)

    def update_phone(self, contract_id: str, old_phone: str, phone: Record) -> Record:
        return self._medium(PHONE, contract_id, "replace", old_phone, phone)

    def remove_phone(self, contract_id: str, phone: str) -> Record:
        return self._medium(PHONE, contract_id, "remove", phone, None)

    def add_email(self, contract_id: str, email: Record) -> Record:
        return self._medium(EMAIL, contract_id, "add", None, email)

    def update_email(self, contract_id: str, old_email: str, email: str) -> Record:
        return self._medium(EMAIL, contract_id, "replace", old_email, {"email": email})

    def remove_email(self, contract_id: str, email: str) -> Record:
        return self._medium(EMAIL, contract_id, "remove", email, None)

    # Catalogue: TMF622 product orders ------------------------------------------------------
    def _order(self, asked: Order) -> Record:
        action, contract_id, product_id = asked.action, asked.contract_id, asked.product_id
        offering_id, promotion_code = asked.offering_id, asked.promotion_code
        refused: ServiceError | None = None
        try:
            self._check_order(asked)
        except (NotFound, Conflict, InvalidParameter) as refusal:
            if change.keyed() is None:
                raise
            # Perhaps this very change, retried: its first attempt may have been made and
            # its answer lost. The order goes with the same Idempotency-Key: the BSS answers
            # it again if so, and refuses it otherwise (then in our refusal's words).
            refused = refusal
        product: dict[str, Any] = {
            "productSpecification": {"id": str(product_id)},
            "productRelationship": [
                {"relationshipType": "isBundledBy", "product": {"id": contract_id}}
            ],
        }
        if promotion_code is not None:
            product["productCharacteristic"] = [{"name": "promotionCode", "value": promotion_code}]
        order = {
            "@type": "ProductOrder",
            "category": "additionalOffering",
            "productOrderItem": [
                {
                    "id": "1",
                    "action": action,
                    "productOffering": {"id": offering_id},
                    "product": product,
                }
            ],
        }
        try:
            done = self.client.post(
                apis.PRODUCT_ORDER, order, _key("POST", apis.PRODUCT_ORDER, order)
            )
        except (NotFound, Conflict, Rejected) as failed:
            if refused is not None:
                raise refused from None
            if isinstance(failed, Rejected) and promotion_code is None:
                raise  # not the caller's value: the BSS's own trouble (502)
            raise _order_refusal(failed, action, contract_id, product_id, offering_id) from None
        value = get(done, "productOrderItem.0.product")
        if not isinstance(value, dict):
            raise UpstreamError("The back office answered the order unreadably")
        return self._read(shapes.OFFERING, {"relationshipType": "bundles", "product": value})

    def _check_order(self, asked: Order) -> None:
        """The API's answers to an order it may not make (selfcare.offerings), decided on
        the product as it stands; the BSS still has the last word (a race: its 409)."""
        action, contract_id, product_id = asked.action, asked.contract_id, asked.product_id
        offering_id, promotion_code = asked.offering_id, asked.promotion_code
        product, offers = self._product_and_offers(contract_id, product_id)
        if product is None:
            raise NotFound(f"No product {product_id} in contract {contract_id}")
        if action == "add":
            rules.check_add(product, offers, offering_id, promotion_code, contract_id)
        else:
            rules.check_remove(product, offering_id)

    def add_offering(
        self, contract_id: str, product_id: int, offering_id: str, promotion_code: str | None
    ) -> Record:
        return self._order(Order("add", contract_id, product_id, offering_id, promotion_code))

    def remove_offering(self, contract_id: str, product_id: int, offering_id: str) -> Record:
        return self._order(Order("delete", contract_id, product_id, offering_id))

    def monthly_charges(self, contract_id: str) -> Decimal:
        """Every active offering's price, VAT included (what monthly invoices bill)."""
        products = self.products(contract_id)
        return sum(
            (
                Decimal(str(offering.get("priceAmount", 0)))
                for product in products
                for offering in product.get("offeringList") or []
                if offering.get("active")
            ),
            Decimal(0),
        )

    # Billing: TMF670 payment methods, TMF678 bills on demand, TMF676 payments --------------
    def enrol_recurring_billing(
        self, contract_id: str, info: Record, card_token: str | None
    ) -> None:
        account = self._account_of(contract_id)
        body = _payment_method(contract_id, account, info, card_token, self.offset)
        try:
            self.client.post(apis.PAYMENT_METHOD, body, _key("POST", apis.PAYMENT_METHOD, body))
        except Conflict:
            raise Conflict(f"Contract {contract_id} already has recurring billing") from None

    def update_recurring_billing(
        self, contract_id: str, info: Record, card_token: str | None
    ) -> None:
        account = self._account_of(contract_id)
        body = _payment_method(contract_id, account, info, card_token, self.offset)
        for field in shapes.RECURRING.fields:  # a field now absent is removed (merge patch)
            top = (field.path or field.name).split(".")[0]
            body.setdefault(top, None)
        body.setdefault("token", None)
        path = f"{apis.PAYMENT_METHOD}/{apis.payment_method_key(contract_id)}"
        try:
            self.client.patch(path, body, _key("PATCH", path, body))
        except NotFound:
            raise NotFound(f"Contract {contract_id} has no recurring billing") from None

    def end_recurring_billing(self, contract_id: str, card_token: str) -> None:
        path = f"{apis.PAYMENT_METHOD}/{apis.payment_method_key(contract_id)}"
        refusal = NotFound(f"Contract {contract_id} has no recurring billing with that card token")
        if self.recurring_card_token(contract_id) != card_token and change.keyed() is None:
            raise refusal
        # Gone already may be this very change's first attempt (its answer lost): the DELETE
        # goes with the same Idempotency-Key, and the BSS answers it again if so.
        try:
            self.client.delete(path, _key("DELETE", path, card_token))
        except NotFound:
            raise refusal from None

    def create_invoice(
        self, contract_id: str, amount: Decimal, today: date, country: Any
    ) -> Record:
        account = self._account_of(contract_id)
        body = {
            "@type": "TigoCustomerBillOnDemand",
            "@baseType": "CustomerBillOnDemand",
            "name": "Factura parcial",
            "billingAccount": {"id": account, "@referredType": "BillingAccount"},
            "amount": {"unit": country.currency, "value": amount},
            "billDate": today.isoformat(),
        }
        try:
            made = self.client.post(
                apis.BILL_ON_DEMAND, body, _key("POST", apis.BILL_ON_DEMAND, body)
            )
        except Conflict:
            raise Conflict(f"Contract {contract_id} cannot take a partial invoice now") from None
        except Rejected:
            raise InvalidParameter("amount", "not accepted for a partial invoice") from None
        bill_id = get(made, "customerBill.id")
        invoice = self.invoice(contract_id, str(bill_id)) if bill_id else None
        if invoice is None:
            raise UpstreamError("The back office answered the invoice unreadably")
        return invoice

    def set_invoice_flags(self, contract_id: str, **flags: bool) -> None:
        account = self._account_of(contract_id)
        path = f"{apis.BILLING_ACCOUNT}/{account}"
        body = {"invoiceFlags": flags}
        self.client.patch(path, body, _key("PATCH", path, body))

    def record_payment(self, contract_id: str, invoice_id: str, payment: Record) -> None:
        account = self._account_of(contract_id)
        body = shapes.PAYMENT.to_tmf(payment, self.offset)
        body["account"] = {"id": account, "@referredType": "BillingAccount"}
        body["paymentItem"] = [
            {
                "item": {"id": invoice_id, "@referredType": "CustomerBill"},
                "amount": {"value": payment.get("paymentAmount")},
            }
        ]
        body.setdefault("paymentMethod", {"id": "unspecified"})
        try:
            self.client.post(apis.PAYMENT, body, _key("POST", apis.PAYMENT, body))
        except NotFound:
            raise NotFound(f"No invoice {invoice_id} in contract {contract_id}") from None
        except Conflict:
            raise Conflict(f"Invoice {invoice_id} cannot take that payment") from None


def _payment_method(
    contract_id: str, account: str, info: Record, card_token: str | None, offset: str
) -> dict[str, Any]:
    body = shapes.RECURRING.to_tmf(info, offset)
    body.update(
        {
            "@type": "tokenizedCard" if info.get("cardInfo") else "bankAccountDebit",
            "name": f"Pago recurrente {contract_id}",
            "account": [{"id": account, "@referredType": "BillingAccount"}],
        }
    )
    if card_token:
        body["token"] = card_token
    return body


def _entry(entries: Any, field: str, value: Any, key: Any) -> Record:
    """The entry of `entries` holding `value` (compared by `key`); else {field: value}."""
    wanted = key(str(value))
    for entry in entries or []:
        if key(str(entry.get(field, ""))) == wanted:
            return dict(entry)
    return {field: value}


def _order_refusal(
    failed: ServiceError, action: str, contract_id: str, product_id: int, offering_id: str
) -> ServiceError:
    """The BSS refused an order our own check let through (its state moved meanwhile)."""
    if isinstance(failed, NotFound):
        return NotFound(
            f"Offering {offering_id} is not available for product {product_id}"
            f" of contract {contract_id}"
            if action == "add"
            else f"No offering {offering_id} on product {product_id}"
        )
    if isinstance(failed, Conflict):
        return Conflict(
            f"Offering {offering_id} is already on product {product_id}"
            if action == "add"
            else f"Offering {offering_id} cannot be removed from product {product_id}"
        )
    return InvalidParameter("promotionCode", f"not accepted for offering {offering_id}")
