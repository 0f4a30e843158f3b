"""Card tokens of a customer: list them newest first, tokenize a card through the payment
gateway, forget one that no recurring billing charges.

Tokenizing a card the customer already has (same masked number, brand and expiry) answers
its existing token (201 again, nothing new is stored), so a client that lost the answer may
simply send the card again; an `Idempotency-Key` makes any retry replay the first answer.
"""

from __future__ import annotations

import hashlib
import hmac

from selfcare.errors import Conflict
from selfcare.payments import Card, Credentials, PaymentGateway
from selfcare.ports import BillingChanges, CardVault, CustomerRef, Record

LIMIT = (1, 5)  # default, maximum (the most a customer may keep)


def tokens(vault: CardVault, customer: CustomerRef, limit: int) -> list[Record]:
    return vault.card_tokens(customer.document_type, customer.customer_id, limit)


def create(gateway: PaymentGateway, card: Card) -> Record:
    """TokenInfo of the card (409 when the customer already keeps LIMIT[1] cards)."""
    token = gateway.tokenize(card)
    answer = {
        "cardToken": token.card_token,
        "cardInfo": token.card_info,
        "cardBrand": token.card_brand,
        "cardPrintedName": token.card_printed_name,
    }
    return {k: v for k, v in answer.items() if v is not None}


def delete(
    billing: BillingChanges, gateway: PaymentGateway, customer: CustomerRef, card_token: str
) -> Record:
    """Forget one of the customer's tokens (404 for any other: whether it exists elsewhere
    is not said); 409 while a recurring billing of one of its contracts charges it."""
    for contract_id in customer.contract_ids:
        if billing.recurring_card_token(contract_id) == card_token:
            raise Conflict(
                f"The recurring billing of contract {contract_id} charges this card;"
                " end the recurring billing first"
            )
    gateway.forget_token(customer.document_type, customer.customer_id, card_token)
    return {"response": "OK", "message": "Card token deleted"}


def fingerprint(body: str, credentials: Credentials) -> str:
    """What idempotency records keep of a tokenization request instead of its body.

    They keep an unkeyed hash of what they are given, and a card number's hash can be
    reversed by trying its few unknown digits (PCI DSS 3.5.1 asks for a keyed hash): this
    HMAC, keyed from the gateway secret, tells the same request from another just as well.
    """
    secret = (credentials.notification_secret or credentials.api_key).encode()
    key = hmac.new(secret, b"selfcare tokenization idempotency", hashlib.sha256).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
