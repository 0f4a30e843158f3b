"""Paperless invoice subscriptions: one per contract, or per contract and idType/id.

pk CONTRACT#<contractId>   sk PAPERLESS                      info, version
                           sk PAPERLESS#<idType>#<id>        info, version
"""

from __future__ import annotations

from selfcare.adapters.items import Items
from selfcare.ports import Record


def subscription_sk(id_type: str | None = None, id_: str | None = None) -> str:
    return f"PAPERLESS#{id_type}#{id_}" if id_type else "PAPERLESS"


class PaperlessStore:
    def __init__(self, items: Items) -> None:
        self.items = items

    def get(
        self, contract_id: str, id_type: str | None = None, id_: str | None = None
    ) -> Record | None:
        item = self.items.get(f"CONTRACT#{contract_id}", subscription_sk(id_type, id_))
        return item["info"] if item else None
