"""The sandbox gateway's card vault: tokenized cards kept in the card owner's customer
partition of the sandbox table, where the back office's `card_tokens()` lists them.

  CUSTOMER#<TYPE>#<id>   CARD#<createdAt>#<token>   token (TokenInfo), cardExpirationDate

Only what a receipt may show is kept: the masked number (first 6 + XXXXXX + last 4), the
brand, the printed name and the expiry month; never the number or the CVV.

The same card (masked number, brand and expiry) tokenized again answers the token it
already has. A customer keeps at most CAPACITY cards; beyond that tokenizing is 409.
"""

from __future__ import annotations

import uuid
from typing import Any

from selfcare.adapters import receipts
from selfcare.adapters.items import ConditionFailed, Items, Write
from selfcare.errors import NotFound
from selfcare.payments import Card, CardToken
from selfcare.redaction import mask_pan
from selfcare.stores.cards import CARD, CardStore, customer_pk

CAPACITY = 5  # the API's limit (tokenization.cards.LIMIT lists as many)
UNKNOWN = "The customer has no such card token"  # whether it exists elsewhere is not said


def tokenize(items: Items, card: Card) -> CardToken:
    """Kept as the card vault keeps a card (selfcare.stores.cards): the same card again
    answers the token it has; 409 beyond CAPACITY or when the cards change meanwhile."""
    info = {
        "cardToken": str(uuid.uuid4()),
        "cardInfo": mask_pan(card.number),
        "cardBrand": card.brand,
        "cardPrintedName": card.printed_name,
    }
    vault = CardStore(items)
    owner = (card.document_type, card.customer_id)
    return _card_token(vault.keep_card_token(*owner, info, card.expiration, CAPACITY))


def forget(items: Items, document_type: str, customer_id: str, card_token: str) -> None:
    pk = customer_pk(document_type, customer_id)
    found = next(
        (i for i in items.query(pk, prefix=CARD) if i["token"]["cardToken"] == card_token),
        None,
    )
    if found is None:
        raise NotFound(UNKNOWN)
    try:  # with the change's receipt: its retry knows the token was forgotten by it
        receipts.write(items, Write.delete(pk, found["sk"], present=True))
    except ConditionFailed:  # deleted meanwhile
        raise NotFound(UNKNOWN) from None


def _card_token(info: dict[str, Any]) -> CardToken:
    return CardToken(
        card_token=str(info["cardToken"]),
        card_info=str(info["cardInfo"]),
        card_brand=str(info["cardBrand"]),
        card_printed_name=info.get("cardPrintedName"),
    )
