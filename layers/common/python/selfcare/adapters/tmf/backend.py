"""The TMF backend (`selfcare.ports.Backend`): an operator's BSS through the TM Forum Open
APIs v4, reads (`reads`) and changes (`changes`) mapped by `shapes` (docs/tmf-mapping.md).
Card tokens stay in the service's own table (`vault`, selfcare.stores.cards)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from selfcare.adapters.tmf.changes import TmfChanges
from selfcare.adapters.tmf.client import TmfClient
from selfcare.ports import CardVault, Record


class TmfBackend(TmfChanges):
    """Implements `selfcare.ports.Backend`: reads and changes at the BSS, card tokens in the
    service's own vault."""

    def __init__(self, client: TmfClient, utc_offset: str, vault: Callable[[], CardVault]) -> None:
        super().__init__(client, utc_offset)
        self._vault = vault  # made on first use: only the functions that keep cards have its table

    @cached_property
    def vault(self) -> CardVault:
        return self._vault()

    def card_tokens(self, document_type: str, customer_id: str, limit: int) -> list[Record]:
        return self.vault.card_tokens(document_type, customer_id, limit)

    def card_token(self, document_type: str, customer_id: str, token: str) -> Record | None:
        return self.vault.card_token(document_type, customer_id, token)

    def card_token_of(
        self, document_type: str, customer_id: str, card_info: str, card_brand: str, expiry: str
    ) -> Record | None:
        return self.vault.card_token_of(document_type, customer_id, card_info, card_brand, expiry)

    def keep_card_token(
        self, document_type: str, customer_id: str, token: Record, expiry: str, most: int
    ) -> Record:
        return self.vault.keep_card_token(document_type, customer_id, token, expiry, most)

    def forget_card_token(self, document_type: str, customer_id: str, token: str) -> None:
        self.vault.forget_card_token(document_type, customer_id, token)

    def forgot_card_token(self, document_type: str, customer_id: str, token: str) -> bool:
        return self.vault.forgot_card_token(document_type, customer_id, token)
