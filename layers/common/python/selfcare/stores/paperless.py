"""Paperless invoice subscriptions: one per contract, or per contract and idType/id, with an
audit record of every change beside them.

  pk CONTRACT#<contractId>   sk PAPERLESS                   info, version, updatedAt
                             sk PAPERLESS#<idType>#<id>     info, version, updatedAt
                             sk AUDIT#<when>#<uuid>         action, scope, who, before, after, ...

A change to several contracts (affectRelatedContracts) is one transaction: all or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from selfcare.adapters import receipts
from selfcare.adapters.items import ConditionFailed, Item, Items, Write
from selfcare.errors import Conflict, NotFound
from selfcare.ports import Record, Target


def subscription_sk(id_type: str | None = None, id_: str | None = None) -> str:
    return f"PAPERLESS#{id_type}#{id_}" if id_type else "PAPERLESS"


def key_of(target: Target) -> tuple[str, str]:
    """Where a subscription is kept: (pk, sk)."""
    return f"CONTRACT#{target.contract_id}", subscription_sk(target.id_type, target.id)


class PaperlessStore:
    """selfcare.ports.PaperlessSubscriptions in the paperless table."""

    def __init__(self, items: Items) -> None:
        self.items = items

    def get(
        self, contract_id: str, id_type: str | None = None, id_: str | None = None
    ) -> Record | None:
        found = self.read(Target(contract_id, id_type, id_))
        return found[0] if found else None

    def read(self, target: Target) -> tuple[Record, int] | None:
        """The subscription and its version (the ETag clients may send back as If-Match)."""
        item = self.items.get(*key_of(target))
        return (item["info"], int(item.get("version", 0))) if item else None

    def has_any(self, contract_id: str) -> bool:
        return bool(self.items.query(f"CONTRACT#{contract_id}", prefix="PAPERLESS"))

    def audit(self, contract_id: str) -> list[Record]:
        return self.items.query(f"CONTRACT#{contract_id}", prefix="AUDIT#")

    def create(self, targets: Sequence[Target], info: Record, audit: Mapping[str, Any]) -> int:
        """Subscribe every target, none of which may be subscribed yet (409 otherwise)."""
        made = receipts.find(self.items)
        if made is not None:  # this change was made before its answer got lost
            return int(made.answer)
        now = _now()
        writes = []
        for target in targets:
            pk, sk = key_of(target)
            item = {"pk": pk, "sk": sk, "info": info, "version": 1, "updatedAt": now}
            writes += [
                Write.put(item, absent=True),
                _audit(target, "create", None, info, audit, now),
            ]
        try:
            return int(receipts.write(self.items, *writes, answer=1))
        except ConditionFailed as failed:
            target = targets[min(failed.index // 2, len(targets) - 1)]
            raise Conflict(f"{target.describe()} is already subscribed") from None

    def update(
        self,
        targets: Sequence[Target],
        info: Record,
        audit: Mapping[str, Any],
        expected: int | None = None,
    ) -> int:
        """Replace every target's subscription from the version read here (for the first,
        the version the caller read, `expected`, when it sent one): whoever changed one
        meanwhile wins, and this answers 409 writing nothing. Returns the first's version."""
        made = receipts.find(self.items)
        if made is not None:  # this change was made before its answer got lost
            return int(made.answer)
        now = _now()
        writes: list[Write] = []
        versions = []
        for n, target in enumerate(targets):
            current = self._current(target, expected if n == 0 else None)
            version = int(current.get("version", 0))
            versions.append(version + 1)
            pk, sk = key_of(target)
            item = {
                "pk": pk,
                "sk": sk,
                "info": info,
                "version": version + 1,
                "updatedAt": now,
            }
            writes += [
                Write.put(item, version=version),
                _audit(target, "update", current["info"], info, audit, now),
            ]
        return int(self._commit(writes, targets, versions[0]))

    def delete(
        self, targets: Sequence[Target], audit: Mapping[str, Any], expected: int | None = None
    ) -> None:
        if receipts.find(self.items) is not None:
            return  # this change was made before its answer got lost
        now = _now()
        writes: list[Write] = []
        for n, target in enumerate(targets):
            current = self._current(target, expected if n == 0 else None)
            writes += [
                Write.delete(*key_of(target), version=int(current.get("version", 0))),
                _audit(target, "delete", current["info"], None, audit, now),
            ]
        self._commit(writes, targets)

    def _current(self, target: Target, expected: int | None) -> Item:
        current = self.items.get(*key_of(target))
        if current is None:
            raise NotFound(f"{target.describe()} is not subscribed to paperless invoices")
        if expected is not None and int(current.get("version", 0)) != expected:
            raise Conflict(f"{target.describe()} changed since it was read (If-Match)")
        return current

    def _commit(self, writes: list[Write], targets: Sequence[Target], answer: Any = None) -> Any:
        try:
            return receipts.write(self.items, *writes, answer=answer)
        except ConditionFailed as failed:
            target = targets[min(failed.index // 2, len(targets) - 1)]
            raise Conflict(
                f"{target.describe()} changed meanwhile; read it again and retry"
            ) from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _audit(
    target: Target,
    action: str,
    before: Record | None,
    after: Record | None,
    details: Mapping[str, Any],
    now: str,
) -> Write:
    pk, sk = key_of(target)
    record = {
        "pk": pk,
        "sk": f"AUDIT#{now}#{uuid.uuid4().hex}",
        "action": action,
        "subscription": sk,
        "at": now,
        "before": before,
        "after": after,
        **details,
    }
    return Write.put({k: v for k, v in record.items() if v is not None}, absent=True)


__all__ = ["PaperlessStore", "Target", "key_of", "subscription_sk"]
