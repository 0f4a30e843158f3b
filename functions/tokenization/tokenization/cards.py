"""Card tokens of a customer, newest first."""

from __future__ import annotations

from selfcare.ports import CardVault, CustomerRef, Record

LIMIT = (1, 5)  # default, maximum


def tokens(vault: CardVault, customer: CustomerRef, limit: int) -> list[Record]:
    return vault.card_tokens(customer.document_type, customer.customer_id, limit)
