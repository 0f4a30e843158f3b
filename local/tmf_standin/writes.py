"""The changes the stand-in accepts, each decided by the back office (engine.Bss):

  PATCH billingAccount/<id>  application/json-patch-query+json, one operation (TMF630):
        add     /contact/0/contactMedium                                 a phone or email
        replace /contact/0/contactMedium?mediumType=phone&characteristic.phoneNumber=<n>
        remove  /contact/0/contactMedium?mediumType=email&characteristic.emailAddress=<e>
  PATCH billingAccount/<id>  application/merge-patch+json {"invoiceFlags": {...}}
  POST  productOrder         one item: action add (productOffering, the product's
                             specification, promotionCode characteristic) or delete
  POST  paymentMethod / PATCH paymentMethod/<id> / DELETE paymentMethod/<id>   recurring billing
  POST  customerBillOnDemand {billingAccount, amount, billDate}          a partial invoice
  POST  payment              {paymentItem: [{item: bill}], ...}            a payment received

A request repeated with the same Idempotency-Key is answered as the first time (a different
request under a key already used is 422), as the API gateways in front of BSSs do. Refusals
are TMF Error bodies with the status the sandbox's own rule gives (404, 409, 400).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from email.message import Message
from typing import Any
from urllib.parse import parse_qsl

from local.tmf_standin.engine import Bss
from local.tmf_standin.server import encode, error_body
from selfcare.adapters.tmf import apis, shapes
from selfcare.countries import fixed_zone, get_country
from selfcare.errors import InvalidParameter, NotFound, ServiceError

Answer = tuple[int, Any, dict[str, str]]
# mediumType -> (its shape, the query attribute naming one, the contract field)
MEDIA = {
    "phone": (shapes.PHONE, "characteristic.phoneNumber", "phone"),
    "email": (shapes.EMAIL, "characteristic.emailAddress", "email"),
}


# What reading a body of the wrong shape raises: a missing key or item, a string where an
# object belongs (AttributeError), a list without the entry looked for (StopIteration), a number
# that is not one (decimal.InvalidOperation, an ArithmeticError; ValueError for dates and ints).
MALFORMED = (
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    StopIteration,
    ArithmeticError,
)


def _error(status: int, reason: str) -> Answer:
    return status, error_body(status, reason), {}


def apply(
    standin: Any,
    country: str,
    bss: Bss,
    method: str,
    collection: str,
    resource_id: str | None,
    body: bytes,
    headers: Mapping[str, str] | Message,
) -> Answer:
    """The answer to a write: a refusal of the back office's as its status, a body that is
    not what the collection takes as 400; anything else raised is the stand-in's bug (the
    server answers it 500)."""
    key = headers.get("Idempotency-Key")
    fingerprint = hashlib.sha256(
        f"{method} {collection}/{resource_id} ".encode() + body
    ).hexdigest()
    if key:
        seen = standin.idempotent.get((country, key))
        if seen is not None:
            if seen[0] != fingerprint:
                return _error(422, "Idempotency-Key reused for another request")
            return seen[1]
    try:
        document = json.loads(body, parse_float=Decimal) if body else {}
        answer = _dispatch(bss, country, method, collection, resource_id, document, headers)
    except ServiceError as refused:
        answer = _error(refused.status, refused.message)
    except MALFORMED as malformed:
        answer = _error(400, f"malformed request: {type(malformed).__name__}")
    if key and answer[0] < 500:
        standin.idempotent[(country, key)] = (fingerprint, answer)
    return answer


def _dispatch(
    bss: Bss,
    country: str,
    method: str,
    collection: str,
    resource_id: str | None,
    document: Any,
    headers: Mapping[str, str] | Message,
) -> Answer:
    zone = fixed_zone(bss.offset)
    if collection == apis.BILLING_ACCOUNT and method == "PATCH" and resource_id:
        account = bss.collections.get(collection, {}).get(resource_id)
        if account is None:
            raise NotFound("no such billing account")
        contract_id = str(account["contractId"])
        if "json-patch" in headers.get("Content-Type", ""):
            _contact_change(bss, contract_id, document, zone)
        else:
            if not isinstance(document, dict):
                raise InvalidParameter("body", "a JSON merge patch (an object)")
            flags = document.get("invoiceFlags") or {}
            if not isinstance(flags, dict):
                raise InvalidParameter("invoiceFlags", "an object")
            bss.backend.set_invoice_flags(contract_id, **{k: bool(v) for k, v in flags.items()})
        bss.refresh(contract_id)
        return 200, bss.collections[collection][resource_id], {}
    if collection == apis.PRODUCT_ORDER and method == "POST":
        return _product_order(bss, document, zone)
    if collection == apis.PAYMENT_METHOD:
        return _payment_method(bss, method, resource_id, document, zone)
    if collection == apis.BILL_ON_DEMAND and method == "POST":
        contract_id = _contract_of_account(bss, document["billingAccount"]["id"])
        amount = _amount(document["amount"]["value"])
        today = date.fromisoformat(str(document.get("billDate") or get_country(country).today()))
        invoice = bss.backend.create_invoice(contract_id, amount, today, get_country(country))
        bss.refresh(contract_id)
        made = {
            "id": f"BOD-{invoice['invoiceId']}",
            "name": document.get("name", "on demand"),
            "state": "done",
            "billingAccount": document["billingAccount"],
            "customerBill": {"id": invoice["invoiceId"], "@referredType": "CustomerBill"},
            "@type": "CustomerBillOnDemand",
        }
        return 201, made, {}
    if collection == apis.PAYMENT and method == "POST":
        item = document["paymentItem"][0]["item"]["id"]
        contract_id = _contract_of_account(bss, document["account"]["id"])
        payment = shapes.PAYMENT.from_tmf(document, zone)
        bss.backend.record_payment(contract_id, str(item), payment)
        bss.refresh(contract_id)
        return 201, bss.collections[apis.PAYMENT].get(payment["paymentId"], document), {}
    return _error(405, "method not allowed")


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidParameter("amount.value", "a number")
    try:
        amount = Decimal(str(value))
    except ArithmeticError:  # decimal.InvalidOperation: "abc"
        raise InvalidParameter("amount.value", "a number") from None
    if not amount.is_finite():
        raise InvalidParameter("amount.value", "a finite number")
    return amount


def _contract_of_account(bss: Bss, account_id: Any) -> str:
    account = bss.collections.get(apis.BILLING_ACCOUNT, {}).get(str(account_id))
    if account is None:
        raise NotFound("no such billing account")
    return str(account["contractId"])


def _contact_change(bss: Bss, contract_id: str, operations: Any, zone: Any) -> None:
    if not isinstance(operations, list) or len(operations) != 1:
        raise InvalidParameter("body", "one JSON Patch operation")
    operation = operations[0]
    op, path = operation["op"], str(operation["path"])
    target, _, query = path.partition("?")
    if target != "/contact/0/contactMedium":
        raise InvalidParameter("path", "only /contact/0/contactMedium changes")
    where = dict(parse_qsl(query))
    value = operation.get("value") or {}
    kind = where.get("mediumType") or value.get("mediumType")
    if kind not in MEDIA or op not in ("add", "replace", "remove"):
        raise InvalidParameter("mediumType" if kind not in MEDIA else "op", "not a known change")
    shape, query, field = MEDIA[kind]
    old = where.get(query, "")
    entry = shape.from_tmf(value, zone) if value else {}
    entry.pop("validated", None)  # the CRM decides it
    crm = bss.backend
    if op == "add":
        getattr(crm, f"add_{kind}")(contract_id, entry)
    elif op == "replace":  # an email's update is its new address; a phone's, the entry
        getattr(crm, f"update_{kind}")(contract_id, old, entry if kind == "phone" else entry[field])
    else:
        getattr(crm, f"remove_{kind}")(contract_id, old)


def _product_order(bss: Bss, order: Any, zone: Any) -> Answer:
    items = order.get("productOrderItem") or []
    if len(items) != 1:
        raise InvalidParameter("productOrderItem", "one item")
    item = items[0]
    product = item.get("product") or {}
    contract_id = next(
        (
            str(r["product"]["id"])
            for r in product.get("productRelationship") or []
            if r.get("relationshipType") == "isBundledBy"
        ),
        None,
    )
    if contract_id is None:
        raise InvalidParameter("productRelationship", "an isBundledBy relation to the contract")
    product_id = int(product["productSpecification"]["id"])
    offering_id = str(item["productOffering"]["id"])
    promotion = next(
        (
            c.get("value")
            for c in product.get("productCharacteristic") or []
            if c.get("name") == "promotionCode"
        ),
        None,
    )
    if item.get("action") == "add":
        offering = bss.backend.add_offering(contract_id, product_id, offering_id, promotion)
    elif item.get("action") == "delete":
        offering = bss.backend.remove_offering(contract_id, product_id, offering_id)
    else:
        raise InvalidParameter("action", "add or delete")
    bss.refresh(contract_id)
    value = shapes.OFFERING.to_tmf(offering, bss.offset)["product"]
    digest = hashlib.sha256(json.dumps(order, default=encode, sort_keys=True).encode())
    done = {
        **order,
        "id": f"PO-{digest.hexdigest()[:12]}",
        "state": "completed",
        "productOrderItem": [{**item, "state": "completed", "product": value}],
        "@type": "ProductOrder",
    }
    return 201, done, {}


def _payment_method(
    bss: Bss, method: str, resource_id: str | None, document: Any, zone: Any
) -> Answer:
    if method == "POST":
        info = shapes.RECURRING.from_tmf(document, zone)
        contract_id = _contract_of_account(bss, document["account"][0]["id"])
        bss.backend.enrol_recurring_billing(contract_id, info, document.get("token"))
    else:
        current = bss.collections.get(apis.PAYMENT_METHOD, {}).get(resource_id or "")
        if current is None:
            raise NotFound("no such payment method")
        contract_id = _contract_of_account(bss, current["account"][0]["id"])
        if method == "DELETE":
            bss.backend.end_recurring_billing(contract_id, str(current.get("token")))
            bss.refresh(contract_id)
            return 204, None, {}
        if method != "PATCH":
            return _error(405, "method not allowed")
        info = shapes.RECURRING.from_tmf(document, zone)
        bss.backend.update_recurring_billing(contract_id, info, document.get("token"))
    bss.refresh(contract_id)
    made = bss.collections[apis.PAYMENT_METHOD][apis.payment_method_key(contract_id)]
    return (201 if method == "POST" else 200), made, {}
