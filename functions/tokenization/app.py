"""Tokenization routes: the customer's card tokens."""

from __future__ import annotations

import os
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from selfcare import params
from selfcare.api import Api
from selfcare.payments import Credentials, PaymentGateway
from tokenization import cards

api = Api("tokenization")
app = api.app


def credentials() -> Credentials:
    """The gateway secret (503 when missing or malformed; its value is never logged)."""
    from selfcare.adapters.payments import load_credentials

    return load_credentials(api.settings.require("gateway_secret"))


def payment_gateway() -> PaymentGateway:
    """The gateway the secret names now: the secret is read on each call (Powertools keeps
    it 5 minutes), so a rotated key is used from its next read on, not the next cold start."""
    return _gateway_for(credentials())


@lru_cache(maxsize=4)  # one per credentials seen: a rotation adds one, the old one ages out
def _gateway_for(credentials: Credentials) -> PaymentGateway:
    from selfcare.adapters.items import DynamoItems
    from selfcare.adapters.payments import build_gateway

    table = api.settings.sandbox_table  # where the sandbox gateway keeps its vault
    items = DynamoItems(table, "The payment gateway") if table else None
    return build_gateway(credentials, items, dict(os.environ))


@app.get("/tokenization/doc-type/<docTypeId>/customers/<customerId>/cardtokens")
def get_card_tokens_by_customer_id(docTypeId: str, customerId: str) -> Any:
    limit = params.limit(api.query, *cards.LIMIT)
    return cards.tokens(api.backend, api.scope.need_customer(), limit)


@app.post("/tokenization/doc-type/<docTypeId>/customers/<customerId>/cardtokens")
def create_card_token_for_customer_id(docTypeId: str, customerId: str) -> Any:
    from selfcare import body
    from selfcare.models.tokenization import CreateCardTokenizationRequest
    from tokenization import validation

    request = body.parse(api.event, CreateCardTokenizationRequest)
    today = datetime.now(ZoneInfo(api.country.timezone)).date()
    card = validation.card(request, api.scope.need_customer(), api.country, today)
    gateway = payment_gateway()
    # Idempotency records hash the body they are given: give them a keyed fingerprint, not
    # the card number and CVV (see cards.fingerprint).
    fingerprint = cards.fingerprint(body.text(api.event), credentials())
    return api.once(lambda: (cards.create(api.backend, gateway, card), 201), payload=fingerprint)


@app.delete("/tokenization/doc-type/<docTypeId>/customers/<customerId>/cardtokens")
def delete_card_token_by_customer_id(docTypeId: str, customerId: str) -> Any:
    from selfcare.body import parse
    from selfcare.errors import InvalidParameter
    from selfcare.models.tokenization import cardTokenizationRequest
    from tokenization import validation

    request = parse(api.event, cardTokenizationRequest)
    customer = api.scope.need_customer()
    validation.check_customer(
        request.documentType, request.customerId, customer, api.country, "customerId"
    )
    if not request.cardToken:
        raise InvalidParameter("cardToken", "required: the card token to delete")
    gateway, token = payment_gateway(), request.cardToken
    return api.once(lambda: (cards.delete(api.backend, api.backend, gateway, customer, token), 200))


handler = api.handler
