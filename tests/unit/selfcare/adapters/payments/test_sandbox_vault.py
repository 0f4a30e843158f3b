"""The sandbox gateway's card vault: what it keeps of a card (never the number or CVV),
where the back office lists it, the same card twice, the limit, and forgetting."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from stdnum import luhn

from selfcare.adapters.items import MemoryItems
from selfcare.adapters.payments import sandbox_vault
from selfcare.adapters.payments.sandbox import SandboxGateway
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.errors import Conflict, NotFound
from selfcare.payments import Card, Credentials

PAN, CVV = "4111111111111111", "737"
CARD = Card(
    number=PAN,
    expiration="202912",
    cvv=CVV,
    brand="VISA",
    printed_name="ANA GOMEZ",
    document_type="CC",
    customer_id="1020304050",
)
SEEDED = {
    "cardToken": "0b9a4c1e-1111-4222-8333-444455556666",
    "cardInfo": "552233XXXXXX9876",
    "cardBrand": "MASTERCARD",
    "cardPrintedName": "ANA GOMEZ",
}
PK = layout.customer_pk("CC", "1020304050")


@pytest.fixture
def items() -> MemoryItems:
    """A customer with one card from the dataset (seeded as layout.dataset_items does)."""
    return MemoryItems(
        [
            {"pk": PK, "sk": layout.CUSTOMER, "documentType": "CC", "customerId": "1020304050"},
            {"pk": PK, "sk": f"{layout.CARD}2026-03-01T10:00:00#{SEEDED['cardToken']}",
             "token": SEEDED},
        ]
    )  # fmt: skip


def listed(items: MemoryItems) -> list[dict]:
    return SandboxBackend(items).card_tokens("CC", "1020304050", 5)


def test_a_tokenized_card_lists_first_with_only_its_masked_number(items):
    token = sandbox_vault.tokenize(items, CARD)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        token.card_token)  # fmt: skip
    assert (token.card_info, token.card_brand, token.card_printed_name) == (
        "411111XXXXXX1111",
        "VISA",
        "ANA GOMEZ",
    )
    assert listed(items) == [
        {
            "cardToken": token.card_token,
            "cardInfo": "411111XXXXXX1111",
            "cardBrand": "VISA",
            "cardPrintedName": "ANA GOMEZ",
        },
        SEEDED,
    ]
    backend = SandboxBackend(items)
    assert backend.card_token("CC", "1020304050", token.card_token)["cardInfo"] == (
        "411111XXXXXX1111"
    )


def test_the_stored_item_holds_no_card_number_and_no_cvv(items):
    token = sandbox_vault.tokenize(items, replace(CARD, number="4000056655665556", cvv="947"))
    (item,) = [i for i in items.query(PK, prefix=layout.CARD) if token.card_token in i["sk"]]
    stored = json.dumps(item, default=str)
    assert not re.search(r"[0-9]{13,}", stored)
    assert "4000056655665556" not in stored and "XXXXXX5556" in stored
    # the random parts (token, creation time) may hold any digits: the CVV is nowhere else
    created = item["sk"].split("#")[1]
    assert "947" not in stored.replace(token.card_token, "").replace(created, "")
    assert not any("cvv" in key.lower() or "verification" in key.lower() for key in item)


def test_the_same_card_again_answers_its_token_and_stores_nothing(items):
    first = sandbox_vault.tokenize(items, CARD)
    again = sandbox_vault.tokenize(items, replace(CARD, cvv="000", printed_name="A GOMEZ"))
    assert again == first and len(listed(items)) == 2
    renewed = sandbox_vault.tokenize(items, replace(CARD, expiration="203012"))
    other = sandbox_vault.tokenize(items, replace(CARD, number="4242424242424242"))
    assert len({first.card_token, renewed.card_token, other.card_token}) == 3
    assert [t["cardToken"] for t in listed(items)[:3]] == [
        other.card_token,
        renewed.card_token,
        first.card_token,
    ]


def numbered(n: int) -> str:
    """A VISA number per n, Luhn-valid."""
    body = f"4{n:014d}"
    return body + luhn.calc_check_digit(body)


def test_a_customer_keeps_at_most_five_cards(items):
    for n in range(4):
        sandbox_vault.tokenize(items, replace(CARD, number=numbered(n)))
    assert len(listed(items)) == 5
    with pytest.raises(Conflict):
        sandbox_vault.tokenize(items, replace(CARD, number=numbered(9)))
    assert len(listed(items)) == 5
    # one already kept is still answered
    assert sandbox_vault.tokenize(items, replace(CARD, number=numbered(2))).card_info.endswith(
        numbered(2)[-4:]
    )


class Racing(MemoryItems):
    """Another tokenization of the same customer lands between our read and our write."""

    def __init__(self, items, other: Card) -> None:
        super().__init__()
        self.__dict__.update(items.__dict__)
        self.other = other
        self.raced = False

    def write(self, *writes):
        if not self.raced:
            self.raced = True
            sandbox_vault.tokenize(self, self.other)
        return super().write(*writes)


def test_a_concurrent_tokenization_never_takes_the_wallet_past_five(items):
    for n in range(3):
        sandbox_vault.tokenize(items, replace(CARD, number=numbered(n)))
    racing = Racing(items, replace(CARD, number=numbered(7)))
    with pytest.raises(Conflict):  # four held when it read, five when it wrote: it reads again
        sandbox_vault.tokenize(racing, replace(CARD, number=numbered(8)))
    assert racing.raced and len(listed(racing)) == 5


def test_forget_deletes_only_the_owners_token(items):
    token = sandbox_vault.tokenize(items, CARD).card_token
    with pytest.raises(NotFound):
        sandbox_vault.forget(items, "CC", "999999", token)  # someone else
    with pytest.raises(NotFound):
        sandbox_vault.forget(items, "CC", "1020304050", "00000000-0000-4000-8000-000000000000")
    sandbox_vault.forget(items, "cc", "1020304050", token)
    assert [t["cardToken"] for t in listed(items)] == [SEEDED["cardToken"]]
    with pytest.raises(NotFound):
        sandbox_vault.forget(items, "CC", "1020304050", token)


def test_the_sandbox_gateway_tokenizes_and_forgets_through_the_vault(items):
    gateway = SandboxGateway(Credentials("sandbox", notification_secret="s"), items)
    token = gateway.tokenize(CARD)
    assert listed(items)[0]["cardToken"] == token.card_token
    gateway.forget_token("CC", "1020304050", token.card_token)
    assert listed(items) == [SEEDED]
