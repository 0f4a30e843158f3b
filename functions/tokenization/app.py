"""Tokenization routes: the customer's card tokens."""

from __future__ import annotations

from typing import Any

from selfcare import params
from selfcare.api import Api
from tokenization import cards

api = Api("tokenization")
app = api.app
wiring = api.wiring  # the payment gateway (as its secret names it now) and its credentials


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
    card = validation.card(request, api.scope.need_customer(), api.country, api.country.today())
    gateway = wiring.gateway()
    # Idempotency records hash the body they are given: give them a keyed fingerprint, not
    # the card number and CVV (see cards.fingerprint).
    fingerprint = cards.fingerprint(body.text(api.event), wiring.credentials())
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
    gateway, token = wiring.gateway(), request.cardToken
    return api.once(lambda: (cards.delete(api.backend, api.backend, gateway, customer, token), 200))


handler = api.handler
