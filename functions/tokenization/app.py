"""Tokenization routes: the customer's card tokens."""

from __future__ import annotations

from typing import Any

from selfcare import params
from selfcare.api import Api
from tokenization import cards

api = Api("tokenization")
app = api.app


@app.get("/tokenization/doc-type/<docTypeId>/customers/<customerId>/cardtokens")
def get_card_tokens_by_customer_id(docTypeId: str, customerId: str) -> Any:
    limit = params.limit(api.query, *cards.LIMIT)
    return cards.tokens(api.backend, api.scope.need_customer(), limit)


handler = api.handler
