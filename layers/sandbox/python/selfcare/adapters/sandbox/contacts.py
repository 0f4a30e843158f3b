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
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class _Kind:
    """Phones or emails: where a contract keeps them, the field of their value, how values
    compare, how many it keeps at most, their name in messages, and why the last one stays
    (when it must)."""

    entries: str
    field: str
    key: Callable[[Any], str]
    most: int
    noun: str
    last_stays: str | None = None

    def find(self, entries: list[Record], value: str) -> int | None:
        wanted = self.key(value)
        return next(
            (i for i, e in enumerate(entries) if self.key(e.get(self.field, "")) == wanted), None
        )


PHONE = _Kind(PHONES, "phone", _phone_key, MAX_PHONES, "phone")
EMAIL = _Kind(
    EMAILS,
    "email",
    _email_key,
    MAX_EMAILS,
    "email",
    last_stays="A contract keeps at least one email (invoices are sent to it);"
    " add another before removing this one",
)


class SandboxContacts:
    """Mixin of SandboxBackend (selfcare.ports.CrmChanges)."""

    items: Items

    def add_phone(self, contract_id: str, phone: Record) -> Record:
        return self._add(contract_id, PHONE, phone)

    def update_phone(self, contract_id: str, old_phone: str, phone: Record) -> Record:
        return self._update(contract_id, PHONE, old_phone, phone)  # its number, its type

    def remove_phone(self, contract_id: str, phone: str) -> Record:
        return self._remove(contract_id, PHONE, phone)

    def add_email(self, contract_id: str, email: Record) -> Record:
        return self._add(contract_id, EMAIL, email)

    def update_email(self, contract_id: str, old_email: str, email: str) -> Record:
        return self._update(contract_id, EMAIL, old_email, {"email": email})

    def remove_email(self, contract_id: str, email: str) -> Record:
        return self._remove(contract_id, EMAIL, email)

    # One rule for both kinds ----------------------------------------------------------------
    def _add(self, contract_id: str, kind: _Kind, new: Record) -> Record:
        def add(info: Record) -> Record:
            entries = info.setdefault(kind.entries, [])
            if kind.find(entries, new[kind.field]) is not None:
                raise Conflict(f"That {kind.noun} is already a contact of this contract")
            if len(entries) >= kind.most:
                raise Conflict(
                    f"A contract keeps at most {kind.most} {kind.noun}s; remove one first"
                )
            entry = {**new, "validated": False}
            entries.append(entry)
            return entry

        return self._change(contract_id, add)

    def _update(self, contract_id: str, kind: _Kind, old: str, changed: Record) -> Record:
        def update(info: Record) -> Record:
            entries = info.setdefault(kind.entries, [])
            index = kind.find(entries, old)
            if index is None:
                raise NotFound(f"That {kind.noun} is not a contact of this contract")
            other = kind.find(entries, changed[kind.field])
            if other is not None and other != index:
                raise Conflict(f"The new {kind.noun} is already a contact of this contract")
            current = entries[index]
            entry = {**current, **changed}
            if kind.key(current[kind.field]) != kind.key(changed[kind.field]):
                entry["validated"] = False  # a new value; only a phone's type changing keeps it
            entries[index] = entry
            return entry

        return self._change(contract_id, update)

    def _remove(self, contract_id: str, kind: _Kind, value: str) -> Record:
        def remove(info: Record) -> Record:
            entries = info.setdefault(kind.entries, [])
            index = kind.find(entries, value)
            if index is None:
                raise NotFound(f"That {kind.noun} is not a contact of this contract")
            if kind.last_stays is not None and len(entries) == 1:
                raise Conflict(kind.last_stays)
            removed: Record = entries.pop(index)
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
