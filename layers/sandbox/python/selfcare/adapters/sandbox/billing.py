"""The sandbox billing system's changes: recurring billing, partial invoices, invoice flags,
and the monthly invoice it issues from what the contract's products cost."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from selfcare.adapters import receipts
from selfcare.adapters.items import ConditionFailed, Item, Items, Write
from selfcare.adapters.sandbox import layout
from selfcare.countries import Country
from selfcare.errors import Conflict, NotFound
from selfcare.ports import Record

MONTHS = (
    "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
    "Septiembre", "Octubre", "Noviembre", "Diciembre",
)  # fmt: skip
DUE_DAYS = 15
PARTIAL_DUE_DAYS = 5


class SandboxBilling:
    """Mixin of SandboxBackend (selfcare.ports.BillingChanges)."""

    items: Items

    def monthly_charges(self, contract_id: str) -> Decimal:  # provided by SandboxOfferings
        raise NotImplementedError

    # Recurring billing ---------------------------------------------------------------------
    def enrol_recurring_billing(
        self, contract_id: str, info: Record, card_token: str | None
    ) -> None:
        """Kept together with the newest invoice's hasRecurringBilling (the balance reads it
        there) in one transaction; the older invoices follow by `set_invoice_flags`."""
        item = {
            "pk": layout.contract_pk(contract_id),
            "sk": layout.RECURRING,
            "recurringBilling": info,
        }
        if card_token:
            item["cardToken"] = card_token
        self._with_newest_flag(
            contract_id,
            Write.put(layout.storable(item), absent=True),
            True,
            f"Contract {contract_id} already has recurring billing",
        )

    def update_recurring_billing(
        self, contract_id: str, info: Record, card_token: str | None
    ) -> None:
        if receipts.find(self.items) is not None:
            return  # this change was made before its answer got lost
        current = self._recurring(contract_id)
        version = int(current.get("version", 0))
        item = {**current, "recurringBilling": info, "version": version + 1}
        item.pop("cardToken", None)
        if card_token:
            item["cardToken"] = card_token
        try:
            receipts.write(self.items, Write.put(layout.storable(item), version=version))
        except ConditionFailed:
            raise Conflict(
                f"The recurring billing of contract {contract_id} changed meanwhile"
            ) from None

    def end_recurring_billing(self, contract_id: str, card_token: str) -> None:
        """Ended together with the newest invoice's hasRecurringBilling (one transaction); the
        older invoices follow by `set_invoice_flags`."""
        if receipts.find(self.items) is not None:
            return  # this change was made before its answer got lost
        current = self._recurring(contract_id)
        if current.get("cardToken") != card_token:
            raise NotFound(f"Contract {contract_id} has no recurring billing with that card token")
        self._with_newest_flag(
            contract_id,
            Write.delete(current["pk"], current["sk"], version=int(current.get("version", 0))),
            False,
            f"The recurring billing of contract {contract_id} changed meanwhile",
        )

    def _with_newest_flag(self, contract_id: str, write: Write, enrolled: bool, lost: str) -> None:
        """`write` and the newest invoice's hasRecurringBilling, all or nothing. Conflict
        (`lost`) when `write`'s condition fails; the invoice moving on is tried again."""
        pk = layout.contract_pk(contract_id)
        for _ in range(5):
            if receipts.find(self.items) is not None:
                return  # this change was made before its answer got lost
            writes = [write]
            for item in self.items.query(pk, prefix=layout.INVOICE, newest_first=True, limit=1):
                if item["invoice"].get("hasRecurringBilling") is not enrolled:
                    version = int(item.get("version", 0))
                    flagged = {**item["invoice"], "hasRecurringBilling": enrolled}
                    changed = {**item, "invoice": flagged, "version": version + 1}
                    writes.append(Write.put(changed, version=version))
            try:
                receipts.write(self.items, *writes)
                return
            except ConditionFailed as failed:
                if failed.index == 0:
                    raise Conflict(lost) from None
                continue  # the newest invoice moved on meanwhile: flag its new version
        raise Conflict(f"The invoices of contract {contract_id} kept changing; retry")

    def recurring_card_token(self, contract_id: str) -> str | None:
        item = self.items.get(layout.contract_pk(contract_id), layout.RECURRING)
        return item.get("cardToken") if item else None

    def _recurring(self, contract_id: str) -> Item:
        item = self.items.get(layout.contract_pk(contract_id), layout.RECURRING)
        if item is None:
            raise NotFound(f"Contract {contract_id} has no recurring billing")
        return item

    # Invoices ------------------------------------------------------------------------------
    def create_invoice(
        self, contract_id: str, amount: Decimal, today: date, country: Country
    ) -> Record:
        """A partial-payment invoice for `amount` of what is outstanding: the amount moves
        from the oldest unpaid invoices to the new one, so the balance stays the same."""
        made = receipts.find(self.items)
        if made is not None:  # this change was made before its answer got lost
            invoice: Record = made.answer
            return invoice
        pk = layout.contract_pk(contract_id)
        found = self.items.query(pk, prefix=layout.INVOICE)
        unpaid = [
            i
            for i in found
            if not i["invoice"].get("hasPayment") and Decimal(i["invoice"]["dueAmount"]) > 0
        ]
        outstanding = sum((Decimal(i["invoice"]["dueAmount"]) for i in unpaid), Decimal(0))
        if outstanding <= 0:
            raise Conflict(f"Contract {contract_id} has nothing outstanding")
        if amount > outstanding:
            raise Conflict(f"The amount exceeds what is outstanding ({outstanding})")
        invoice = _new_invoice(
            contract_id,
            found,
            "Factura parcial",
            amount,
            country,
            today,
            first=2,
            due_days=PARTIAL_DUE_DAYS,
            grace_days=5,
        )
        writes = [Write.put(_invoice_item(pk, invoice), absent=True)]
        left = amount
        for item in unpaid:  # oldest first
            if left <= 0:
                break
            moved = min(left, Decimal(item["invoice"]["dueAmount"]))
            left -= moved
            changed = {
                **item["invoice"],
                "dueAmount": Decimal(item["invoice"]["dueAmount"]) - moved,
            }
            if Decimal(changed.get("minPaymentAmount", 0)) > changed["dueAmount"]:
                changed["minPaymentAmount"] = changed["dueAmount"]
            version = int(item.get("version", 0))
            writes.append(
                Write.put({**item, "invoice": changed, "version": version + 1}, version=version)
            )
        try:
            created: Record = receipts.write(self.items, *writes, answer=invoice)
        except ConditionFailed:
            raise Conflict(
                f"The invoices of contract {contract_id} changed meanwhile; retry"
            ) from None
        return created

    def issue_monthly_invoice(
        self, contract_id: str, billing_date: date, country: Country
    ) -> Record:
        """The next regular invoice: what the contract's active offerings cost today."""
        pk = layout.contract_pk(contract_id)
        found = self.items.query(pk, prefix=layout.INVOICE)
        if not found:
            raise NotFound(f"No contract {contract_id}")
        amount = country.money(self.monthly_charges(contract_id))
        invoice = _new_invoice(
            contract_id,
            found,
            "Factura mensual",
            amount,
            country,
            billing_date,
            first=1,
            due_days=DUE_DAYS,
            grace_days=10,
        )
        self.items.write(Write.put(_invoice_item(pk, invoice), absent=True))
        return invoice

    def record_payment(self, contract_id: str, invoice_id: str, payment: Record) -> None:
        """The invoice receives a payment once (by paymentId): dueAmount drops by its amount,
        hasPayment when nothing is left; `payments` keeps every payment applied, and
        paymentInfo shows the latest. Conflict (nothing written) for a payment the invoice
        cannot take: nothing is left to pay, or it is more than what is left."""
        amount = Decimal(payment["paymentAmount"])
        for _ in range(5):
            item = next(
                (
                    i
                    for i in self.items.query(
                        layout.contract_pk(contract_id), prefix=layout.INVOICE
                    )
                    if i["invoice"]["invoiceId"] == invoice_id
                ),
                None,
            )
            if item is None:
                raise NotFound(f"No invoice {invoice_id} in contract {contract_id}")
            payments = _payments(item)
            if any(p.get("paymentId") == payment["paymentId"] for p in payments):
                return  # already recorded
            invoice = dict(item["invoice"])
            due = Decimal(invoice["dueAmount"])
            if invoice.get("hasPayment") or due <= 0:
                raise Conflict(f"Invoice {invoice_id} has nothing left to pay")
            if amount <= 0:
                raise Conflict(f"A payment of invoice {invoice_id} must be positive")
            if amount > due:
                raise Conflict(f"The payment exceeds what invoice {invoice_id} has left to pay")
            due -= amount
            invoice["dueAmount"] = due
            invoice["hasPayment"] = due == 0
            if invoice.get("minPaymentAmount") is not None:
                invoice["minPaymentAmount"] = min(Decimal(invoice["minPaymentAmount"]), due)
            version = int(item.get("version", 0))
            changed = {
                **item,
                "invoice": invoice,
                "paymentInfo": payment,
                "payments": [*payments, payment],
                "version": version + 1,
            }
            try:
                self.items.write(Write.put(layout.storable(changed), version=version))
                return
            except ConditionFailed:
                continue  # the invoice moved on meanwhile: read it again
        raise Conflict(f"Invoice {invoice_id} kept changing; the payment will be recorded on retry")

    def set_invoice_flags(self, contract_id: str, **flags: bool) -> None:
        """hasRecurringBilling / hasPaperlessInvoice as the contract now stands, on every
        invoice (re-applying is harmless, so a retry after a failure converges). Newest
        first: the balance reads the flag off the newest invoice."""
        pk = layout.contract_pk(contract_id)
        for item in self.items.query(pk, prefix=layout.INVOICE, newest_first=True):
            if all(item["invoice"].get(k) == v for k, v in flags.items()):
                continue
            version = int(item.get("version", 0))
            changed = {**item, "invoice": {**item["invoice"], **flags}, "version": version + 1}
            try:
                self.items.write(Write.put(changed, version=version))
            except ConditionFailed:  # the invoice moved on meanwhile: flag its new version
                current = self.items.get(item["pk"], item["sk"])
                if current is not None:
                    latest = int(current.get("version", 0))
                    changed = {
                        **current,
                        "invoice": {**current["invoice"], **flags},
                        "version": latest + 1,
                    }
                    self.items.write(Write.put(changed, version=latest))


_CARRIED = (
    "contractId", "billingId", "billingName", "streetAddress", "billingAccountId",
    "hasRecurringBilling", "hasPaperlessInvoice", "VIP",
)  # fmt: skip


def _payments(item: Item) -> list[Record]:
    """Every payment the invoice took (invoices paid before `payments` was kept show theirs
    in paymentInfo alone)."""
    if item.get("payments") is not None:
        return list(item["payments"])
    return [item["paymentInfo"]] if item.get("paymentInfo") else []


def _new_invoice(
    contract_id: str,
    found: list[Item],
    kind: str,
    amount: Decimal,
    country: Country,
    day: date,
    *,
    first: int,
    due_days: int,
    grace_days: int,
) -> dict[str, Any]:
    """An unpaid invoice of `kind` for `amount`, issued on `day` after the contract's
    invoices `found` (oldest first; the newest lends it the fields in `_CARRIED`)."""
    newest = found[-1]["invoice"]
    return {
        **{k: newest[k] for k in _CARRIED if k in newest},
        "invoiceId": _next_id(
            contract_id, day, {i["invoice"]["invoiceId"] for i in found}, first=first
        ),
        "invoiceType": kind,
        "invoiceAmount": amount,
        "dueAmount": amount,
        "taxAmount": country.vat_included(amount),
        "currencyId": country.currency,
        "period": f"{MONTHS[day.month - 1]} {day.year}",
        "creationDate": day.isoformat(),
        "dueDate": (day + timedelta(days=due_days)).isoformat(),
        "extendedDueDate": (day + timedelta(days=due_days + grace_days)).isoformat(),
        "hasPayment": False,
        "hasAdjustments": False,
    }


def _invoice_item(pk: str, invoice: dict[str, Any]) -> Item:
    item = {
        "pk": pk,
        "sk": f"{layout.INVOICE}{invoice['creationDate']}#{invoice['invoiceId']}",
        "invoice": invoice,
    }
    return layout.storable({**item, "version": 1})


def _next_id(contract_id: str, day: date, taken: set[str], first: int) -> str:
    """Invoice ids are <contractId>-<YYYYMM><nn>: 01 the monthly invoice, 02+ partial ones."""
    for n in range(first, 100):
        candidate = f"{contract_id}-{day:%Y%m}{n:02d}"
        if candidate not in taken:
            return candidate
    raise Conflict(f"Contract {contract_id} has too many invoices this month")
