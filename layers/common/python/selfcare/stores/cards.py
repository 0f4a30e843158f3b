"""The card vault (`selfcare.ports.CardVault`): the customer's tokenized cards, as TokenInfo
with the card's expiry month, in the customer's partition. The sandbox backend keeps them
in its sandbox table; with a BSS (Backend tmf), the checkout table keeps them, since card
tokens are the service's own data, not the back office's.

  CUSTOMER#<TYPE>#<id>   CARD#<keptAt>#<token>   token (TokenInfo), cardExpirationDate
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from selfcare.adapters import receipts
from selfcare.adapters.items import ConditionFailed, Item, Items, Write
from selfcare.errors import Conflict
from selfcare.ports import Record
from selfcare.storable import storable

CARD = "CARD#"
ATTEMPTS = 3  # a concurrent change of the customer's cards makes us read them again
TOKEN_INFO = ("cardToken", "cardInfo", "cardBrand", "cardPrintedName")
# What redaction.mask_pan makes of a number: first 6 + XXXXXX + last 4, or XXXX + last 4.
MASKED = re.compile(r"(?:[0-9]{6}XXXXXX|XXXX)[0-9]{0,4}")


def customer_pk(document_type: str, customer_id: str) -> str:
    return f"CUSTOMER#{document_type.upper()}#{customer_id}"


def card_sk(held: list[Item], token: str) -> str:
    """A new card's sort key: kept now (UTC, without offset like the dataset's dates) and
    after the newest card held, so that it lists first even when the dataset was made for a
    later day."""
    now = datetime.now(UTC).replace(tzinfo=None)
    if held:
        try:
            newest = datetime.fromisoformat(held[0]["sk"].removeprefix(CARD).split("#")[0])
        except ValueError:
            newest = None
        if newest is not None and newest.tzinfo is None and newest >= now:
            now = newest + timedelta(microseconds=1)
    return f"{CARD}{now.isoformat(timespec='microseconds')}#{token}"


class CardStore:
    def __init__(self, items: Items) -> None:
        self.items = items

    def card_tokens(self, document_type: str, customer_id: str, limit: int) -> list[Record]:
        found = self.items.query(
            customer_pk(document_type, customer_id), prefix=CARD, newest_first=True, limit=limit
        )
        return [item["token"] for item in found]

    def card_token(self, document_type: str, customer_id: str, token: str) -> Record | None:
        found = self.items.query(customer_pk(document_type, customer_id), prefix=CARD)
        return next((i["token"] for i in found if i["token"]["cardToken"] == token), None)

    def card_token_of(
        self, document_type: str, customer_id: str, card_info: str, card_brand: str, expiry: str
    ) -> Record | None:
        found = self.items.query(customer_pk(document_type, customer_id), prefix=CARD)
        card = (card_info, card_brand, expiry)
        return next((i["token"] for i in found if _card_of(i) == card), None)

    def keep_card_token(
        self, document_type: str, customer_id: str, token: Record, expiry: str, most: int
    ) -> Record:
        """Under CARD#<keptAt>#<token> in the customer's partition, where the sandbox gateway
        keeps its own: keeping one it wrote already changes nothing. A concurrent change of
        the customer's cards (the newest stands guard) makes us read them again."""
        info = _token_info(token)
        pk = customer_pk(document_type, customer_id)
        card = (info["cardInfo"], info["cardBrand"], expiry)
        for _ in range(ATTEMPTS):
            held = self.items.query(pk, prefix=CARD, newest_first=True)
            kept = next((i for i in held if i["token"]["cardToken"] == info["cardToken"]), None)
            kept = kept or next((i for i in held if _card_of(i) == card), None)
            if kept is not None:
                return dict(kept["token"])
            if len(held) >= most:
                raise Conflict(f"A customer may keep at most {most} cards; delete one first")
            sk = card_sk(held, info["cardToken"])
            item = {"pk": pk, "sk": sk, "token": info, "cardExpirationDate": expiry}
            writes = [Write.put(storable(item), absent=True)]
            if held:
                guard, version = held[0], int(held[0].get("version", 0))
                writes.append(Write.put({**guard, "version": version + 1}, version=version))
            try:
                self.items.write(*writes)
            except ConditionFailed:
                continue
            return info
        raise Conflict("The customer's cards changed meanwhile; retry")

    def forget_card_token(self, document_type: str, customer_id: str, token: str) -> None:
        pk = customer_pk(document_type, customer_id)
        held = self.items.query(pk, prefix=CARD)
        # unconditional: gone already is as well; the receipt says this change forgot it
        gone = [Write.delete(pk, i["sk"]) for i in held if i["token"]["cardToken"] == token]
        receipts.write(self.items, *gone)

    def forgot_card_token(self, document_type: str, customer_id: str, token: str) -> bool:
        return receipts.find(self.items) is not None


def _token_info(token: Record) -> Record:
    """The TokenInfo fields of `token`, and nothing else; its cardInfo must be masked."""
    info = {key: token[key] for key in TOKEN_INFO if token.get(key) is not None}
    if not info.get("cardToken") or not info.get("cardBrand"):
        raise ValueError("a card token needs its cardToken and cardBrand")
    if not isinstance(info.get("cardInfo"), str) or not MASKED.fullmatch(info["cardInfo"]):
        raise ValueError("a card token's cardInfo must be a masked number")
    return info


def _card_of(item: dict[str, Any]) -> tuple[Any, Any, Any]:
    token = item["token"]
    return token.get("cardInfo"), token.get("cardBrand"), item.get("cardExpirationDate")
