"""The sandbox backend as the card vault of any gateway: it keeps a token's TokenInfo (and
nothing else) under the customer, idempotently, next to the rows the sandbox gateway writes
itself, within the customer's limit; and forgets it."""

from __future__ import annotations

import json

import pytest

from selfcare.adapters.items import MemoryItems
from selfcare.adapters.payments import sandbox_vault
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.errors import Conflict
from selfcare.payments import Card
from tests.support.races import MeetAtFirstRead, failures, one_winner, race

OWNER = ("CC", "1020304050")
PK = layout.customer_pk(*OWNER)
SEEDED = {
    "cardToken": "0b9a4c1e-1111-4222-8333-444455556666",
    "cardInfo": "552233XXXXXX9876",
    "cardBrand": "MASTERCARD",
    "cardPrintedName": "ANA GOMEZ",
}
TOKEN = {  # as a gateway other than the sandbox's (PayU) tokenized it
    "cardToken": "9f1c2a77-5d1e-4c55-9e0b-2c1d1e0f3a10",
    "cardInfo": "411111XXXXXX1111",
    "cardBrand": "VISA",
    "cardPrintedName": "ANA GOMEZ",
}
EXPIRY = "202912"


@pytest.fixture
def items() -> MemoryItems:
    """A customer with one card from the dataset (seeded as layout.dataset_items does)."""
    return MemoryItems(
        [
            {"pk": PK, "sk": layout.CUSTOMER, "documentType": "CC", "customerId": OWNER[1]},
            {"pk": PK, "sk": f"{layout.CARD}2026-03-01T10:00:00#{SEEDED['cardToken']}",
             "token": SEEDED},
        ]
    )  # fmt: skip


@pytest.fixture
def vault(items) -> SandboxBackend:
    return SandboxBackend(items)


def other_token(n: int) -> dict:
    return {**TOKEN, "cardToken": f"token-{n}", "cardInfo": f"4{n:05d}XXXXXX{n:04d}"}


def test_a_kept_token_lists_first_and_recurring_billing_finds_it(vault):
    assert vault.keep_card_token(*OWNER, TOKEN, EXPIRY, 5) == TOKEN
    assert vault.card_tokens(*OWNER, 5) == [TOKEN, SEEDED]
    assert vault.card_token(*OWNER, TOKEN["cardToken"]) == TOKEN
    assert vault.card_token_of(*OWNER, "411111XXXXXX1111", "VISA", EXPIRY) == TOKEN
    assert vault.card_token_of(*OWNER, "411111XXXXXX1111", "VISA", "203001") is None
    assert vault.card_token("CC", "999", TOKEN["cardToken"]) is None  # only its owner's


def test_only_the_token_info_and_the_expiry_are_kept(vault, items):
    given = {**TOKEN, "cardNumber": "4111111111111111", "cardVerificationValue": "737"}
    assert vault.keep_card_token(*OWNER, given, EXPIRY, 5) == TOKEN
    [item] = [i for i in items.query(PK, prefix=layout.CARD) if i["token"] == TOKEN]
    assert set(item) == {"pk", "sk", "token", "cardExpirationDate"}
    assert item["sk"].startswith(layout.CARD) and item["sk"].endswith(f"#{TOKEN['cardToken']}")
    text = json.dumps(item, default=str)
    assert "4111111111111111" not in text and "737" not in text


@pytest.mark.parametrize(
    "card_info", ["4111111111111111", "411111XXXX111111", "41111111XXXXXX11", "", None]
)
def test_a_card_info_that_is_not_masked_is_never_kept(vault, items, card_info):
    with pytest.raises(ValueError, match="masked"):
        vault.keep_card_token(*OWNER, {**TOKEN, "cardInfo": card_info}, EXPIRY, 5)
    assert vault.card_tokens(*OWNER, 5) == [SEEDED]


def test_short_numbers_masked_to_their_last_four_are_kept(vault):
    short = {**TOKEN, "cardInfo": "XXXX4242"}
    assert vault.keep_card_token(*OWNER, short, EXPIRY, 5) == short


def test_keeping_the_same_token_again_changes_nothing(vault, items):
    vault.keep_card_token(*OWNER, TOKEN, EXPIRY, 5)
    before = items.query(PK, prefix=layout.CARD)
    assert vault.keep_card_token(*OWNER, TOKEN, EXPIRY, 5) == TOKEN
    assert items.query(PK, prefix=layout.CARD) == before


def test_the_same_card_under_another_token_answers_the_kept_one(vault):
    vault.keep_card_token(*OWNER, TOKEN, EXPIRY, 5)
    again = {**TOKEN, "cardToken": "another-token-for-the-same-card"}
    assert vault.keep_card_token(*OWNER, again, EXPIRY, 5) == TOKEN
    renewed = vault.keep_card_token(*OWNER, again, "203101", 5)  # reissued: another card
    assert renewed == again
    assert [t["cardToken"] for t in vault.card_tokens(*OWNER, 5)] == [
        again["cardToken"],
        TOKEN["cardToken"],
        SEEDED["cardToken"],
    ]


def test_a_token_the_sandbox_gateway_wrote_itself_is_kept_once(vault, items):
    card = Card("4111111111111111", EXPIRY, "737", "VISA", "ANA GOMEZ", *OWNER)
    token = sandbox_vault.tokenize(items, card)
    info = {
        "cardToken": token.card_token,
        "cardInfo": token.card_info,
        "cardBrand": token.card_brand,
        "cardPrintedName": token.card_printed_name,
    }
    before = items.query(PK, prefix=layout.CARD)
    assert vault.keep_card_token(*OWNER, info, EXPIRY, 5) == info
    assert items.query(PK, prefix=layout.CARD) == before
    assert vault.card_token_of(*OWNER, token.card_info, "VISA", EXPIRY) == info


def test_a_customer_keeps_at_most_the_limit(vault):
    for n in range(4):
        vault.keep_card_token(*OWNER, other_token(n), EXPIRY, 5)
    with pytest.raises(Conflict, match="at most 5"):
        vault.keep_card_token(*OWNER, TOKEN, EXPIRY, 5)
    assert len(vault.card_tokens(*OWNER, 10)) == 5
    assert vault.keep_card_token(*OWNER, other_token(2), EXPIRY, 5) == other_token(2)  # kept


def test_concurrent_keeps_never_pass_the_limit(vault, items):
    """Six customers' apps keep a card at once, each having read four kept cards (room for
    one more): one is kept, the others are told the wallet is full."""
    for n in range(3):
        vault.keep_card_token(*OWNER, other_token(n), EXPIRY, 5)

    def keep(n: int, barrier) -> dict:
        racer = SandboxBackend(MeetAtFirstRead(items, barrier))
        return racer.keep_card_token(*OWNER, other_token(10 + n), EXPIRY, 5)

    winner, refused = one_winner(race(6, keep))
    assert winner.value == other_token(10 + winner.racer)  # the 5th card
    assert failures(refused, Conflict) == []
    assert all("at most 5" in str(o.error) or "retry" in str(o.error) for o in refused)
    kept = vault.card_tokens(*OWNER, 10)
    assert len(kept) == 5 and winner.value in kept


def test_forgetting_removes_the_row_and_is_idempotent(vault, items):
    vault.keep_card_token(*OWNER, TOKEN, EXPIRY, 5)
    vault.forget_card_token(*OWNER, TOKEN["cardToken"])
    assert vault.card_tokens(*OWNER, 5) == [SEEDED]
    assert vault.card_token(*OWNER, TOKEN["cardToken"]) is None
    vault.forget_card_token(*OWNER, TOKEN["cardToken"])  # gone already: nothing to do
    vault.forget_card_token("CC", "999", SEEDED["cardToken"])  # another customer's: untouched
    assert vault.card_tokens(*OWNER, 5) == [SEEDED]
