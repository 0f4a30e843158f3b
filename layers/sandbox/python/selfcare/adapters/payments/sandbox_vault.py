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
from selfcare.adapters.sandbox import layout
from selfcare.errors import Conflict, NotFound
from selfcare.payments import Card, CardToken
from selfcare.redaction import mask_pan
from selfcare.stores.cards import card_sk

CAPACITY = 5  # the API's limit (tokenization.cards.LIMIT lists as many)
ATTEMPTS = 3  # a concurrent change of the customer's cards makes us read them again
UNKNOWN = "The customer has no such card token"  # whether it exists elsewhere is not said
FULL = f"A customer may keep at most {CAPACITY} cards; delete one first"


def tokenize(items: Items, card: Card) -> CardToken:
    pk = layout.customer_pk(card.document_type, card.customer_id)
    masked = mask_pan(card.number)
    for _ in range(ATTEMPTS):
        held = items.query(pk, prefix=layout.CARD, newest_first=True)
        same = next((i for i in held if _is(i, masked, card.brand, card.expiration)), None)
        if same is not None:
            return _card_token(same["token"])
        if len(held) >= CAPACITY:
            raise Conflict(FULL)
        token = str(uuid.uuid4())
        info = {
            "cardToken": token,
            "cardInfo": masked,
            "cardBrand": card.brand,
            "cardPrintedName": card.printed_name,
        }
        item = layout.storable(
            {
                "pk": pk,
                "sk": card_sk(held, token),
                "token": info,
                "cardExpirationDate": card.expiration,
            }
        )
        writes = [Write.put(item, absent=True)]
        if held:  # the newest card stands guard: a concurrent change of the wallet fails this
            guard, version = held[0], int(held[0].get("version", 0))
            writes.append(Write.put({**guard, "version": version + 1}, version=version))
        try:
            items.write(*writes)
        except ConditionFailed:
            continue
        return _card_token(info)
    raise Conflict("The customer's cards changed meanwhile; retry")


def forget(items: Items, document_type: str, customer_id: str, card_token: str) -> None:
    pk = layout.customer_pk(document_type, customer_id)
    found = next(
        (i for i in items.query(pk, prefix=layout.CARD) if i["token"]["cardToken"] == card_token),
        None,
    )
    if found is None:
        raise NotFound(UNKNOWN)
    try:  # with the change's receipt: its retry knows the token was forgotten by it
        receipts.write(items, Write.delete(pk, found["sk"], present=True))
    except ConditionFailed:  # deleted meanwhile
        raise NotFound(UNKNOWN) from None


def _is(item: dict[str, Any], masked: str, brand: str, expiration: str) -> bool:
    token = item["token"]
    return (token.get("cardInfo"), token.get("cardBrand"), item.get("cardExpirationDate")) == (
        masked,
        brand,
        expiration,
    )


def _card_token(info: dict[str, Any]) -> CardToken:
    return CardToken(
        card_token=str(info["cardToken"]),
        card_info=str(info["cardInfo"]),
        card_brand=str(info["cardBrand"]),
        card_printed_name=info.get("cardPrintedName"),
    )
