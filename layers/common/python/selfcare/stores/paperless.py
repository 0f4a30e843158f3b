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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from selfcare.adapters.items import ConditionFailed, Items, Write
from selfcare.errors import Conflict, NotFound
from selfcare.ports import Record


def subscription_sk(id_type: str | None = None, id_: str | None = None) -> str:
    return f"PAPERLESS#{id_type}#{id_}" if id_type else "PAPERLESS"


@dataclass(frozen=True)
class Target:
    """One subscription: a contract, and the idType/id inside it where the route names one."""

    contract_id: str
    id_type: str | None = None
    id: str | None = None

    @property
    def pk(self) -> str:
        return f"CONTRACT#{self.contract_id}"

    @property
    def sk(self) -> str:
        return subscription_sk(self.id_type, self.id)

    def describe(self) -> str:
        inner = f" {self.id_type}/{self.id}" if self.id_type else ""
        return f"contract {self.contract_id}{inner}"


class PaperlessStore:
    def __init__(self, items: Items) -> None:
        self.items = items

    def get(
        self, contract_id: str, id_type: str | None = None, id_: str | None = None
    ) -> Record | None:
        item = self.items.get(f"CONTRACT#{contract_id}", subscription_sk(id_type, id_))
        return item["info"] if item else None

    def has_any(self, contract_id: str) -> bool:
        return bool(self.items.query(f"CONTRACT#{contract_id}", prefix="PAPERLESS"))

    def audit(self, contract_id: str) -> list[Record]:
        return self.items.query(f"CONTRACT#{contract_id}", prefix="AUDIT#")

    def create(self, targets: Sequence[Target], info: Record, audit: Mapping[str, Any]) -> None:
        """Subscribe every target, none of which may be subscribed yet (409 otherwise)."""
        now = _now()
        writes = []
        for target in targets:
            item = {"pk": target.pk, "sk": target.sk, "info": info, "version": 1, "updatedAt": now}
            writes += [
                Write.put(item, absent=True),
                _audit(target, "create", None, info, audit, now),
            ]
        try:
            self.items.write(*writes)
        except ConditionFailed as failed:
            raise Conflict(
                f"{targets[failed.index // 2].describe()} is already subscribed"
            ) from None

    def update(self, targets: Sequence[Target], info: Record, audit: Mapping[str, Any]) -> None:
        """Replace every target's subscription, each from the version read here: a writer
        who changed one meanwhile wins, and this one answers 409 without writing anything."""
        now = _now()
        writes = []
        for target in targets:
            current = self.items.get(target.pk, target.sk)
            if current is None:
                raise NotFound(f"{target.describe()} is not subscribed to paperless invoices")
            version = int(current.get("version", 0))
            item = {
                "pk": target.pk,
                "sk": target.sk,
                "info": info,
                "version": version + 1,
                "updatedAt": now,
            }
            writes += [
                Write.put(item, version=version),
                _audit(target, "update", current["info"], info, audit, now),
            ]
        self._commit(writes, targets)

    def delete(self, targets: Sequence[Target], audit: Mapping[str, Any]) -> None:
        now = _now()
        writes = []
        for target in targets:
            current = self.items.get(target.pk, target.sk)
            if current is None:
                raise NotFound(f"{target.describe()} is not subscribed to paperless invoices")
            writes += [
                Write.delete(target.pk, target.sk, version=int(current.get("version", 0))),
                _audit(target, "delete", current["info"], None, audit, now),
            ]
        self._commit(writes, targets)

    def _commit(self, writes: list[Write], targets: Sequence[Target]) -> None:
        try:
            self.items.write(*writes)
        except ConditionFailed as failed:
            target = targets[failed.index // 2]
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
    record = {
        "pk": target.pk,
        "sk": f"AUDIT#{now}#{uuid.uuid4().hex}",
        "action": action,
        "subscription": target.sk,
        "at": now,
        "before": before,
        "after": after,
        **details,
    }
    return Write.put({k: v for k, v in record.items() if v is not None}, absent=True)
