"""The sandbox gateway's hosted page and queries: a session takes a payment only until its
expiry (a little before its attempt's), then it ends expired and says so, signed."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from selfcare.adapters.items import MemoryItems
from selfcare.adapters.payments.sandbox import EARLIER_SECONDS, SandboxGateway
from selfcare.errors import InvalidParameter
from selfcare.payments import CheckoutStart, Credentials

CREDENTIALS = Credentials(gateway="sandbox", notification_secret="s3cr3t-for-tests")


def start(gateway: SandboxGateway) -> str:
    session = gateway.start_checkout(
        CheckoutStart(
            payment_token="tok-0123456789abcdef",
            contract_id="84257928",
            invoice_id="84257928-20261001",
            amount=Decimal(89900),
            tax=Decimal(14354),
            currency="COP",
            description="Factura 84257928-20261001",
            notify_url="https://api.example.com/payments/notifications/sandbox",
            pages_url="https://api.example.com",
            return_url="https://mi.tigo.com.co/pagos",
        )
    )
    return session.checkout_id


@pytest.fixture
def gateway() -> SandboxGateway:
    return SandboxGateway(CREDENTIALS, MemoryItems(), minutes=30)


def past_expiry(gateway: SandboxGateway, checkout_id: str) -> None:
    """Time passes: the session's expiry is behind us."""
    found = gateway.items.get(f"GATEWAY#{checkout_id}", "#SESSION")
    assert found is not None
    gateway.items.put_all([{**found, "expiresAt": int(time.time()) - 1}])


def test_a_session_expires_a_little_before_its_attempt(gateway):
    before = int(time.time())
    checkout_id = start(gateway)
    expires = int(gateway.session(checkout_id)["expiresAt"])
    assert before + 30 * 60 - EARLIER_SECONDS <= expires <= time.time() + 30 * 60 - EARLIER_SECONDS


def test_in_time_the_page_takes_the_payment_and_the_query_tells_it(gateway):
    checkout_id = start(gateway)
    decision = gateway.decide(checkout_id, "pay", "4111 1111 1111 1111")
    assert decision.outcome.status == "approved" and decision.redirect
    asked = gateway.query("tok-0123456789abcdef", checkout_id)
    assert asked is not None and asked.status == "approved"
    assert asked.transaction_id == decision.outcome.transaction_id  # the same payment
    assert asked.at is not None


def test_past_its_expiry_the_page_takes_no_payment(gateway):
    checkout_id = start(gateway)
    past_expiry(gateway, checkout_id)
    assert gateway.session(checkout_id)["status"] == "expired"  # the page shows no form
    decision = gateway.decide(checkout_id, "pay", "4111 1111 1111 1111")
    assert decision.outcome.status == "expired" and decision.outcome.transaction_id is None
    assert decision.redirect is None  # the page itself says it expired
    heard = gateway.verify_notification(decision.headers, decision.body)
    assert heard.status == "expired" and heard.payment_token == "tok-0123456789abcdef"
    again = gateway.decide(checkout_id, "cancel")
    assert again.outcome.status == "expired"
    assert again.outcome.notification_id == decision.outcome.notification_id  # one notice
    asked = gateway.query("tok-0123456789abcdef", checkout_id)
    assert asked is not None and asked.status == "expired"


def test_a_pending_payment_past_its_expiry_is_queried_as_expired(gateway):
    checkout_id = start(gateway)
    assert gateway.decide(checkout_id, "pay", "4000000000000259").outcome.status == "pending"
    past_expiry(gateway, checkout_id)
    asked = gateway.query("tok-0123456789abcdef", checkout_id)
    assert asked is not None and asked.status == "expired"
    assert gateway.decide(checkout_id, "pay", "4111111111111111").outcome.status == "expired"


def test_a_decided_session_is_not_decided_again(gateway):
    checkout_id = start(gateway)
    gateway.decide(checkout_id, "cancel")
    with pytest.raises(InvalidParameter, match="already decided"):
        gateway.decide(checkout_id, "pay", "4111111111111111")
    past_expiry(gateway, checkout_id)  # a decline stays a decline
    asked = gateway.query("tok-0123456789abcdef", checkout_id)
    assert asked is not None and asked.status == "declined"


def test_the_page_of_an_expired_payment_says_so_and_offers_no_form(gateway):
    from selfcare.adapters.payments import sandbox_page
    from selfcare.countries import get_country

    checkout_id = start(gateway)
    past_expiry(gateway, checkout_id)
    shown = sandbox_page.page(gateway.session(checkout_id), get_country("co"))
    assert "Pago vencido" in shown and "no se cobró nada" in shown
    assert "<form" not in shown
    decision = gateway.decide(checkout_id, "pay", "4111 1111 1111 1111")
    assert "Pago vencido" in sandbox_page.result(decision.outcome)


@pytest.mark.parametrize(
    "number", ["4111 1111 1111 111²", "٤١١١١١١١١١١١١١١١", "４１１１１１１１１１１１１１１１"]
)
def test_only_ascii_digits_make_a_card_number(gateway, number):
    """Digits of other scripts are not the test card (nor a 500)."""
    from selfcare.errors import InvalidParameter

    checkout_id = start(gateway)
    with pytest.raises(InvalidParameter):
        gateway.decide(checkout_id, "pay", number)
    assert gateway.session(checkout_id)["status"] == "pending"
