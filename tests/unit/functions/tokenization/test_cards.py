"""The tokenization logic with any gateway: what the gateway tokenizes is kept in the card
vault (only TokenInfo, masked), the limit holds before the gateway is asked, the same card
answers its token without a new one, and a delete forgets the token at the gateway and then
in the vault. The vault is the sandbox backend on memory; the gateway a fake that, like
PayU, keeps nothing of ours and answers a new token each time."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from stdnum import luhn

from selfcare.adapters.items import MemoryItems
from selfcare.adapters.payments.sandbox import SandboxGateway
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.errors import Conflict, NotFound, Unavailable, UpstreamError, UpstreamTimeout
from selfcare.payments import Card, CardToken, Credentials
from selfcare.ports import CustomerRef
from tokenization import cards

CUSTOMER = CustomerRef("CC", "1020304050", ("84257928",))
PK = layout.customer_pk("CC", "1020304050")
PAN, CVV = "4111111111111111", "737"
CARD = Card(PAN, "202912", CVV, "VISA", "ANA GOMEZ", "CC", "1020304050")


class FakeGateway:
    """A gateway that holds cards itself (as PayU does): a new token per call."""

    name = "fake"

    def __init__(self) -> None:
        self.tokens: dict[str, tuple[str, str]] = {}  # token -> (document type, customer)
        self.calls: list[str] = []
        self.fail_forget = False

    def tokenize(self, card: Card) -> CardToken:
        self.calls.append("tokenize")
        token = f"fake-{len(self.calls)}"
        self.tokens[token] = (card.document_type, card.customer_id)
        number = card.number
        return CardToken(token, f"{number[:6]}XXXXXX{number[-4:]}", card.brand, card.printed_name)

    def forget_token(self, document_type: str, customer_id: str, card_token: str) -> None:
        self.calls.append("forget")
        if self.fail_forget:
            raise UpstreamError("The gateway refused")
        if self.tokens.get(card_token) != (document_type, customer_id):
            raise UpstreamError("The gateway does not know it")
        del self.tokens[card_token]


@pytest.fixture
def items() -> MemoryItems:
    return MemoryItems([{"pk": PK, "sk": layout.CUSTOMER, "documentType": "CC",
                         "customerId": "1020304050", "contractIds": ["84257928"]}])  # fmt: skip


@pytest.fixture
def vault(items) -> SandboxBackend:
    return SandboxBackend(items)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


def card(n: int) -> Card:
    number = f"4{n:014d}"
    return replace(CARD, number=number + luhn.calc_check_digit(number))


def test_a_token_of_any_gateway_is_kept_and_listed(vault, gateway, items):
    answer = cards.create(vault, gateway, CARD)
    assert answer == {
        "cardToken": "fake-1",
        "cardInfo": "411111XXXXXX1111",
        "cardBrand": "VISA",
        "cardPrintedName": "ANA GOMEZ",
    }
    assert cards.tokens(vault, CUSTOMER, 5) == [answer]
    assert vault.card_token("CC", "1020304050", "fake-1") == answer  # recurring billing's read
    text = json.dumps(items.query(PK, prefix=layout.CARD), default=str)
    assert PAN not in text and CVV not in text


def test_a_short_number_is_kept_masked_to_its_last_four(vault, gateway):
    short = replace(CARD, number="401288888881")  # the fake shows first 6 and last 4 of it
    assert cards.create(vault, gateway, short)["cardInfo"] == "XXXX8881"


def test_the_same_card_answers_its_token_without_asking_the_gateway(vault, gateway):
    first = cards.create(vault, gateway, CARD)
    assert cards.create(vault, gateway, replace(CARD, cvv="123")) == first
    assert gateway.calls == ["tokenize"]
    reissued = cards.create(vault, gateway, replace(CARD, expiration="203005"))
    assert reissued["cardToken"] != first["cardToken"]
    assert [t["cardToken"] for t in cards.tokens(vault, CUSTOMER, 5)] == ["fake-2", "fake-1"]


def test_a_full_wallet_is_409_before_the_gateway_makes_a_token(vault, gateway):
    for n in range(5):
        cards.create(vault, gateway, card(n))
    with pytest.raises(Conflict, match="at most 5"):
        cards.create(vault, gateway, CARD)
    assert gateway.calls == ["tokenize"] * 5
    assert cards.create(vault, gateway, card(3))["cardToken"] == "fake-4"  # one it has: fine


def test_a_token_the_vault_refuses_meanwhile_is_forgotten_at_the_gateway(vault, gateway, items):
    class FilledMeanwhile(SandboxBackend):
        def keep_card_token(self, *args, **kwargs):
            raise Conflict("A customer may keep at most 5 cards; delete one first")

    with pytest.raises(Conflict):
        cards.create(FilledMeanwhile(items), gateway, CARD)
    assert gateway.calls == ["tokenize", "forget"] and gateway.tokens == {}


class FailingVault(SandboxBackend):
    """The vault's write fails with `error`; `keeps` says whether it kept the token first
    (the answer lost), and `blind` makes its reads fail as well."""

    def __init__(self, items, error, keeps=False, blind=False):
        super().__init__(items)
        self.error, self.keeps, self.blind = error, keeps, blind

    def keep_card_token(self, *args, **kwargs):
        if self.keeps:
            super().keep_card_token(*args, **kwargs)
        raise self.error

    def card_token(self, *args, **kwargs):
        if self.blind:
            raise Unavailable("DynamoDB is not available")
        return super().card_token(*args, **kwargs)


def test_a_token_the_vault_failed_to_keep_is_forgotten_at_the_gateway(items, gateway):
    vault = FailingVault(items, Unavailable("DynamoDB is busy; retry shortly"))
    with pytest.raises(Unavailable):
        cards.create(vault, gateway, CARD)
    assert gateway.calls == ["tokenize", "forget"] and gateway.tokens == {}
    assert cards.tokens(vault, CUSTOMER, 5) == []


def test_a_token_kept_by_a_vault_write_whose_answer_was_lost_is_answered(items, gateway):
    vault = FailingVault(items, UpstreamTimeout("DynamoDB did not answer in time"), keeps=True)
    answer = cards.create(vault, gateway, CARD)
    assert answer["cardToken"] == "fake-1" and gateway.calls == ["tokenize"]
    assert cards.tokens(vault, CUSTOMER, 5) == [answer]


def test_a_token_whose_keeping_cannot_be_told_stays_at_the_gateway_and_is_logged(
    items, gateway, caplog
):
    vault = FailingVault(items, UpstreamTimeout("DynamoDB did not answer in time"), blind=True)
    with pytest.raises(UpstreamTimeout):
        cards.create(vault, gateway, CARD)
    assert gateway.calls == ["tokenize"]  # not forgotten: it may have been kept
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert warning.cardInfo == "411111XXXXXX1111" and PAN not in caplog.text


def test_the_same_card_kept_meanwhile_answers_it_and_forgets_the_new_token(vault, gateway):
    kept = {"cardToken": "kept-first", "cardInfo": "411111XXXXXX1111", "cardBrand": "VISA"}

    class KeptMeanwhile(SandboxBackend):
        def keep_card_token(self, *args, **kwargs):
            return kept

    gateway.fail_forget = True  # best effort: a gateway failing to forget fails nothing
    assert cards.create(KeptMeanwhile(vault.items), gateway, CARD) == kept
    assert gateway.calls == ["tokenize", "forget"]


def test_a_gateway_that_fails_keeps_nothing(vault, gateway):
    def refuse(card: Card) -> CardToken:
        raise UpstreamError("The gateway refused the card")

    gateway.tokenize = refuse  # type: ignore[method-assign]
    with pytest.raises(UpstreamError):
        cards.create(vault, gateway, CARD)
    assert cards.tokens(vault, CUSTOMER, 5) == []


def test_the_sandbox_gateway_row_is_kept_once(vault, items):
    sandbox = SandboxGateway(Credentials("sandbox", notification_secret="s"), items)
    answer = cards.create(vault, sandbox, CARD)
    assert cards.tokens(vault, CUSTOMER, 5) == [answer]
    assert len(items.query(PK, prefix=layout.CARD)) == 1
    assert cards.delete(vault, vault, sandbox, CUSTOMER, answer["cardToken"])["response"] == "OK"
    assert cards.tokens(vault, CUSTOMER, 5) == []


def test_a_delete_forgets_at_the_gateway_then_in_the_vault(vault, gateway):
    token = cards.create(vault, gateway, CARD)["cardToken"]
    answer = cards.delete(vault, vault, gateway, CUSTOMER, token)
    assert answer == {"response": "OK", "message": "Card token deleted"}
    assert gateway.tokens == {} and cards.tokens(vault, CUSTOMER, 5) == []
    with pytest.raises(NotFound, match="no such card token"):
        cards.delete(vault, vault, gateway, CUSTOMER, token)
    assert gateway.calls == ["tokenize", "forget"]  # an unknown token never reaches it


def test_a_delete_the_gateway_fails_keeps_the_token(vault, gateway):
    token = cards.create(vault, gateway, CARD)["cardToken"]
    gateway.fail_forget = True
    with pytest.raises(UpstreamError):
        cards.delete(vault, vault, gateway, CUSTOMER, token)
    assert [t["cardToken"] for t in cards.tokens(vault, CUSTOMER, 5)] == [token]


def test_another_customers_token_is_404_and_the_gateway_is_not_asked(vault, gateway):
    theirs = cards.create(vault, gateway, replace(CARD, customer_id="999"))["cardToken"]
    with pytest.raises(NotFound):
        cards.delete(vault, vault, gateway, CUSTOMER, theirs)
    assert gateway.calls == ["tokenize"] and theirs in gateway.tokens


def test_a_delete_while_recurring_billing_charges_the_card_is_409(vault, gateway, items):
    token = cards.create(vault, gateway, CARD)["cardToken"]
    vault.enrol_recurring_billing("84257928", {"contractId": "84257928"}, token)
    with pytest.raises(Conflict, match="84257928"):
        cards.delete(vault, vault, gateway, CUSTOMER, token)
    assert gateway.calls == ["tokenize"] and token in gateway.tokens


@pytest.fixture
def keyed():
    from selfcare import change

    yield lambda name: change.begin(change.for_key("caller|DELETE cardtokens", name), keyed=True)
    change.clear()


def test_a_delete_retried_with_its_key_after_a_lost_answer_answers_it_again(vault, gateway, keyed):
    token = cards.create(vault, gateway, CARD)["cardToken"]
    keyed("delete-1")
    first = cards.delete(vault, vault, gateway, CUSTOMER, token)
    assert cards.delete(vault, vault, gateway, CUSTOMER, token) == first  # same key: its retry
    keyed("delete-2")
    with pytest.raises(NotFound):  # another request for a token already gone
        cards.delete(vault, vault, gateway, CUSTOMER, token)


def test_a_token_the_gateway_no_longer_holds_is_forgotten_and_the_delete_answered(vault, gateway):
    token = cards.create(vault, gateway, CARD)["cardToken"]
    del gateway.tokens[token]  # forgotten at the gateway by a first attempt whose answer was lost

    def gone(document_type, customer_id, card_token):
        gateway.calls.append("forget")
        raise NotFound("The gateway does not know it")

    gateway.forget_token = gone  # type: ignore[method-assign]
    assert cards.delete(vault, vault, gateway, CUSTOMER, token)["response"] == "OK"
    assert cards.tokens(vault, CUSTOMER, 5) == []
