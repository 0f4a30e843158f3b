"""Card tokens of a customer: list them newest first, tokenize a card through the payment
gateway and keep its token in the card vault, forget one that no recurring billing charges.

The vault keeps every token, whatever the gateway (the sandbox gateway writes the same row
itself; keeping it again changes nothing), so that GET lists it and recurring billing may
charge it. Tokenizing a card the customer already has (same masked number, brand and expiry)
answers its existing token (201 again, nothing new is stored, the gateway is not asked), so
a client that lost the answer may simply send the card again; an `Idempotency-Key` makes any
retry replay the first answer.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging

from selfcare.errors import Conflict, NotFound, ServiceError
from selfcare.payments import Card, Credentials, PaymentGateway
from selfcare.ports import BillingChanges, CardVault, CustomerRef, Record
from selfcare.redaction import mask_pan

# A child of the function's Powertools logger ("tokenization"): same handler, same redaction.
LOG = logging.getLogger(__name__)
LIMIT = (1, 5)  # default, maximum (the most a customer may keep)
UNKNOWN = "The customer has no such card token"  # whether it exists elsewhere is not said
DELETED = {"response": "OK", "message": "Card token deleted"}


def tokens(vault: CardVault, customer: CustomerRef, limit: int) -> list[Record]:
    return vault.card_tokens(customer.document_type, customer.customer_id, limit)


def create(vault: CardVault, gateway: PaymentGateway, card: Card) -> Record:
    """TokenInfo of the card, kept in the vault (409 when the customer already keeps
    LIMIT[1] other cards). Only the masked number is kept, never the number or the CVV."""
    owner, most = (card.document_type, card.customer_id), LIMIT[1]
    masked = mask_pan(card.number)
    known = vault.card_token_of(*owner, masked, card.brand, card.expiration)
    if known is not None:
        return _answer(known)
    if len(vault.card_tokens(*owner, most)) >= most:  # before the gateway makes a token
        raise Conflict(f"A customer may keep at most {most} cards; delete one first")
    token = gateway.tokenize(card)
    info = {
        "cardToken": token.card_token,
        "cardInfo": masked,  # ours: the gateway's may show more of a short number
        "cardBrand": token.card_brand,
        "cardPrintedName": token.card_printed_name,
    }
    try:
        kept = vault.keep_card_token(*owner, info, card.expiration, most)
    except Conflict:  # the customer's cards changed meanwhile: the gateway's token is unkept
        _unmake(gateway, card, token.card_token)
        raise
    except ServiceError:  # the vault failed: perhaps after keeping it (its answer lost)
        found = _kept_after_all(vault, owner, token.card_token)
        if found is None:
            _unmake(gateway, card, token.card_token)
            raise
        if not found:  # undecidable now: kept or not, the token stays at the gateway
            LOG.warning(
                "Card token may be unkept at the gateway; it is adopted if kept later",
                extra={"gateway": gateway.name, "cardInfo": masked},
            )
            raise
        kept = found
    if kept["cardToken"] != token.card_token:  # the same card was kept meanwhile
        _unmake(gateway, card, token.card_token)
    return _answer(kept)


def _kept_after_all(vault: CardVault, owner: tuple[str, str], card_token: str) -> Record | None:
    """The vault's TokenInfo when it kept the token after all; None when it did not; an empty
    record when it cannot be told (the vault fails to answer too)."""
    try:
        return vault.card_token(*owner, card_token)
    except ServiceError:
        return {}


def delete(
    vault: CardVault,
    billing: BillingChanges,
    gateway: PaymentGateway,
    customer: CustomerRef,
    card_token: str,
) -> Record:
    """Forget one of the customer's tokens, at the gateway and then in the vault (404 for
    any other: whether it exists elsewhere is not said); 409 while a recurring billing of
    one of its contracts charges it."""
    for contract_id in customer.contract_ids:
        if billing.recurring_card_token(contract_id) == card_token:
            raise Conflict(
                f"The recurring billing of contract {contract_id} charges this card;"
                " end the recurring billing first"
            )
    owner = (customer.document_type, customer.customer_id)
    if vault.card_token(*owner, card_token) is None:
        if vault.forgot_card_token(*owner, card_token):  # this very request, answer lost
            return dict(DELETED)
        raise NotFound(UNKNOWN)
    with contextlib.suppress(NotFound):  # the gateway forgot it already: so do we
        gateway.forget_token(*owner, card_token)
    vault.forget_card_token(*owner, card_token)
    return dict(DELETED)


def _answer(token: Record) -> Record:
    keys = ("cardToken", "cardInfo", "cardBrand", "cardPrintedName")
    return {key: token[key] for key in keys if token.get(key) is not None}


def _unmake(gateway: PaymentGateway, card: Card, card_token: str) -> None:
    """Ask the gateway to forget a token we do not keep. Best effort: a failure here leaves
    a token nobody can reach, and must not fail the answer."""
    with contextlib.suppress(ServiceError):
        gateway.forget_token(card.document_type, card.customer_id, card_token)


def fingerprint(body: str, credentials: Credentials) -> str:
    """What idempotency records keep of a tokenization request instead of its body.

    They keep an unkeyed hash of what they are given, and a card number's hash can be
    reversed by trying its few unknown digits (PCI DSS 3.5.1 asks for a keyed hash): this
    HMAC, keyed from the gateway secret, tells the same request from another just as well.
    """
    from selfcare.idempotency import canonical  # the form idempotency compares bodies in

    secret = (credentials.notification_secret or credentials.api_key).encode()
    key = hmac.new(secret, b"selfcare tokenization idempotency", hashlib.sha256).digest()
    return hmac.new(key, canonical(body).encode(), hashlib.sha256).hexdigest()
