"""The sandbox CRM's changes to a contract's contact phones and emails.

Every change is a read-modify-write of the contract's CONTACT item, guarded by its
`version` (items never changed have none: 0). When another change won the race, the item
is read again and the change applied again, up to RETRIES times, then it is a Conflict.
The CRM's rules live here, applied to what is stored at the moment of the write:

- a value already present cannot be added (or become another entry's value): Conflict;
- a value to update or remove must be present: NotFound;
- at most MAX_PHONES phones and MAX_EMAILS emails: Conflict beyond;
- the last email cannot be removed (paperless invoices are sent to it): Conflict;
- a new or changed value is stored `validated: false`; entries left alone keep theirs.

Values arrive validated and normalized (national phone numbers, lower-case emails);
stored ones are compared the same way (phones by their digits, emails ignoring case).
Messages never quote the values: they are personal data, and refusals are logged.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from selfcare.adapters import receipts
from selfcare.adapters.items import ConditionFailed, Items, Write
from selfcare.adapters.sandbox import layout
from selfcare.errors import Conflict, NotFound
from selfcare.ports import Record

MAX_PHONES = 10
MAX_EMAILS = 10
RETRIES = 3  # re-reads after a lost race, before answering Conflict
PHONES, EMAILS = "customerPhoneList", "customerEmailList"


def _phone_key(value: Any) -> str:
    return "".join(c for c in str(value) if c.isdigit())


def _email_key(value: Any) -> str:
    return str(value).lower()


def _find(entries: list[Record], field: str, key: Callable[[Any], str], value: str) -> int | None:
    wanted = key(value)
    return next((i for i, e in enumerate(entries) if key(e.get(field, "")) == wanted), None)


class SandboxContacts:
    """Mixin of SandboxBackend (selfcare.ports.CrmChanges)."""

    items: Items

    # Phones --------------------------------------------------------------------------------
    def add_phone(self, contract_id: str, phone: Record) -> Record:
        def add(info: Record) -> Record:
            phones = info.setdefault(PHONES, [])
            if _find(phones, "phone", _phone_key, phone["phone"]) is not None:
                raise Conflict("That phone is already a contact of this contract")
            if len(phones) >= MAX_PHONES:
                raise Conflict(f"A contract keeps at most {MAX_PHONES} phones; remove one first")
            entry = {**phone, "validated": False}
            phones.append(entry)
            return entry

        return self._change(contract_id, add)

    def update_phone(self, contract_id: str, old_phone: str, phone: Record) -> Record:
        def update(info: Record) -> Record:
            phones = info.setdefault(PHONES, [])
            index = _find(phones, "phone", _phone_key, old_phone)
            if index is None:
                raise NotFound("That phone is not a contact of this contract")
            other = _find(phones, "phone", _phone_key, phone["phone"])
            if other is not None and other != index:
                raise Conflict("The new phone is already a contact of this contract")
            current = phones[index]
            entry = {**current, **phone}
            if _phone_key(current["phone"]) != _phone_key(phone["phone"]):
                entry["validated"] = False  # a new number; only its type changing keeps it
            phones[index] = entry
            return entry

        return self._change(contract_id, update)

    def remove_phone(self, contract_id: str, phone: str) -> Record:
        def remove(info: Record) -> Record:
            phones = info.setdefault(PHONES, [])
            index = _find(phones, "phone", _phone_key, phone)
            if index is None:
                raise NotFound("That phone is not a contact of this contract")
            removed: Record = phones.pop(index)
            return removed

        return self._change(contract_id, remove)

    # Emails --------------------------------------------------------------------------------
    def add_email(self, contract_id: str, email: Record) -> Record:
        def add(info: Record) -> Record:
            emails = info.setdefault(EMAILS, [])
            if _find(emails, "email", _email_key, email["email"]) is not None:
                raise Conflict("That email is already a contact of this contract")
            if len(emails) >= MAX_EMAILS:
                raise Conflict(f"A contract keeps at most {MAX_EMAILS} emails; remove one first")
            entry = {**email, "validated": False}
            emails.append(entry)
            return entry

        return self._change(contract_id, add)

    def update_email(self, contract_id: str, old_email: str, email: str) -> Record:
        def update(info: Record) -> Record:
            emails = info.setdefault(EMAILS, [])
            index = _find(emails, "email", _email_key, old_email)
            if index is None:
                raise NotFound("That email is not a contact of this contract")
            other = _find(emails, "email", _email_key, email)
            if other is not None and other != index:
                raise Conflict("The new email is already a contact of this contract")
            current = emails[index]
            entry = {**current, "email": email}
            if _email_key(current["email"]) != _email_key(email):
                entry["validated"] = False
            emails[index] = entry
            return entry

        return self._change(contract_id, update)

    def remove_email(self, contract_id: str, email: str) -> Record:
        def remove(info: Record) -> Record:
            emails = info.setdefault(EMAILS, [])
            index = _find(emails, "email", _email_key, email)
            if index is None:
                raise NotFound("That email is not a contact of this contract")
            if len(emails) == 1:
                raise Conflict(
                    "A contract keeps at least one email (invoices are sent to it);"
                    " add another before removing this one"
                )
            removed: Record = emails.pop(index)
            return removed

        return self._change(contract_id, remove)

    # Read-modify-write ---------------------------------------------------------------------
    def _change(self, contract_id: str, apply: Callable[[Record], Record]) -> Record:
        """Apply `apply` to the stored contactInformation and write it back if no other
        change came in between; its domain errors reach the caller unchanged."""
        pk = layout.contract_pk(contract_id)
        for attempt in range(RETRIES + 1):
            made = receipts.find(self.items)
            if made is not None:  # this change was made before its answer got lost
                answer: Record = made.answer
                return answer
            item = self.items.get(pk, layout.CONTACT)
            if item is None:
                raise NotFound(f"No contact information for contract {contract_id}")
            version = int(item.get("version", 0))
            answer = apply(item["contactInformation"])
            item["version"] = version + 1
            try:
                written: Record = receipts.write(
                    self.items, Write.put(layout.storable(item), version=version), answer=answer
                )
                return written
            except ConditionFailed:
                if attempt < RETRIES:  # jitter, so that racing writers spread out
                    time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311
        raise Conflict(
            f"The contact information of contract {contract_id} kept changing meanwhile; retry"
        )
