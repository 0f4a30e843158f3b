"""The PayU adapter against the local stand-in of PayU, over real HTTP: the checkout form,
the signed confirmation, the Queries API, tokenization, and how failures of PayU surface."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlencode

import pytest

from local.payu_standin import PayuStandIn, Transaction, wsgi_deliver
from local.serving import Served
from selfcare import budget
from selfcare.adapters.payments import build_gateway, parse_credentials
from selfcare.adapters.payments.payu import PayuGateway
from selfcare.errors import (
    ServiceError,
    Unauthorized,
    Unavailable,
    UpstreamError,
    UpstreamTimeout,
)
from selfcare.payments import Card, CheckoutStart
from tests.support.payu import CheckoutPage, checkout_start

CVV = "739"


@pytest.fixture(autouse=True)
def _outside_an_invocation() -> Iterator[None]:
    """The adapter is called here as a tool calls it: no invocation's deadline applies (not
    even one a test before left behind)."""
    budget.clear()
    yield
    budget.clear()


@pytest.fixture
def standin() -> Iterator[PayuStandIn]:
    with PayuStandIn() as running:
        yield running


def gateway_for(standin: PayuStandIn, algorithm: str = "MD5", **env: str) -> PayuGateway:
    return PayuGateway(standin.credentials(algorithm), standin.env() | env)


class Merchant(Served):
    """Our confirmation page over real HTTP: verifies with the adapter, answers 200 or 401."""

    def __init__(self, gateway: PayuGateway) -> None:
        self.outcomes: list = []
        merchant = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                try:
                    merchant.outcomes.append(gateway.verify_notification(dict(self.headers), body))
                    status = 200
                except Unauthorized:
                    status = 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(Handler)
        self.url = f"http://127.0.0.1:{self.port}/v1/tigo/home/co/payments/payu/notifications"
        self.start()


@pytest.fixture
def merchant(standin) -> Iterator[Merchant]:
    running = Merchant(gateway_for(standin))
    yield running
    running.stop()


def start(notify_url: str, reference: str = "PT-0001", **changes) -> CheckoutStart:
    """The checkout (tests/support/payu.py) as this machine's stack starts it."""
    local = {
        "payment_token": reference,
        "notify_url": notify_url,
        "pages_url": "http://127.0.0.1:3000/v1/tigo/home/co",
        "return_url": "http://127.0.0.1:3000/return",
    }
    return checkout_start(**(local | changes))


def post_form(url: str, fields: dict[str, str]) -> tuple[int, str]:
    """What the payer's browser does with our auto-submitting page."""
    data = urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - local http
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def pay_page(gateway: PayuGateway, checkout: CheckoutStart) -> tuple[int, str]:
    page = CheckoutPage()
    page.feed(gateway.checkout_page(checkout))
    return post_form(page.action, page.fields)


# --- WebCheckout -----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["MD5", "SHA256"])
def test_payu_accepts_the_form_our_page_submits(standin, merchant, algorithm):
    gateway = gateway_for(standin, algorithm)
    status, page = pay_page(gateway, start(merchant.url))
    assert status == 200
    assert "Aprobar" in page and "Rechazar" in page
    assert standin.orders["PT-0001"].form["amount"] == "89900"


@pytest.mark.parametrize(
    "tamper",
    [{"amount": "100"}, {"signature": "0" * 32}, {"merchantId": "1"}, {"amount": "89.900"}],
    ids=["amount", "signature", "merchant", "thousands-separator"],
)
def test_payu_refuses_a_tampered_form(standin, merchant, tamper):
    action, fields = gateway_for(standin).checkout_form(start(merchant.url))
    status, _ = post_form(action, fields | tamper)
    assert status == 400
    assert standin.orders == {}


def test_payu_refuses_a_form_signed_with_another_key(standin, merchant):
    other = PayuStandIn(api_key="someone-else")
    action, fields = PayuGateway(other.credentials(), standin.env()).checkout_form(
        start(merchant.url)
    )
    assert post_form(action, fields)[0] == 400


# --- confirmation and queries ----------------------------------------------------------------


def test_approving_delivers_a_confirmation_we_verify_as_approved(standin, merchant):
    gateway = gateway_for(standin)
    assert gateway.query("PT-0001", "PT-0001") is None  # the payer has not reached PayU
    pay_page(gateway, start(merchant.url))
    pending = gateway.query("PT-0001", "PT-0001")
    assert pending is not None and pending.status == "pending"
    assert pending.amount == Decimal("89900")

    assert standin.decide("PT-0001", "approved") == 200
    [outcome] = merchant.outcomes
    assert outcome.status == "approved"
    assert outcome.payment_token == "PT-0001"
    assert (outcome.amount, outcome.currency) == (Decimal("89900.00"), "COP")
    assert outcome.card_brand == "VISA"

    polled = gateway.query("PT-0001", "PT-0001")
    assert polled.status == "approved"
    assert polled.transaction_id == outcome.transaction_id
    assert polled.notification_id == outcome.notification_id  # one event, one id
    assert (polled.amount, polled.currency) == (Decimal("89900"), "COP")


def test_a_declined_payment_is_declined_by_confirmation_and_by_query(standin, merchant):
    gateway = gateway_for(standin)
    pay_page(gateway, start(merchant.url))
    assert standin.decide("PT-0001", "declined") == 200
    assert merchant.outcomes[-1].status == "declined"
    assert gateway.query("PT-0001", "PT-0001").status == "declined"


def test_a_pse_payment_left_pending_is_not_confirmed_until_it_ends(standin, merchant):
    gateway = gateway_for(standin)
    pay_page(gateway, start(merchant.url, amount=Decimal("30.50"), tax=Decimal(0), currency="USD"))
    assert standin.decide("PT-0001", "pending", method="PSE") is None  # PayU confirms finals only
    assert merchant.outcomes == []
    assert gateway.query("PT-0001", "PT-0001").status == "pending"
    assert standin.decide("PT-0001", "expired", method="PSE") == 200
    assert merchant.outcomes[-1].status == "expired"
    assert merchant.outcomes[-1].bank_name == "BANCO UNION COLOMBIANO"
    assert merchant.outcomes[-1].amount == Decimal("30.50")


def test_a_retry_after_a_decline_that_is_approved_reads_approved(standin, merchant):
    gateway = gateway_for(standin)
    pay_page(gateway, start(merchant.url))
    standin.decide("PT-0001", "declined")
    standin.decide("PT-0001", "approved")
    assert [o.status for o in merchant.outcomes] == ["declined", "approved"]
    assert gateway.query("PT-0001", "PT-0001").status == "approved"


def test_an_approved_payment_stays_approved_whatever_follows_it(standin, merchant):
    gateway = gateway_for(standin)
    pay_page(gateway, start(merchant.url))
    standin.decide("PT-0001", "approved")
    paid = merchant.outcomes[-1].transaction_id
    later = datetime.now(UTC) + timedelta(minutes=5)
    order = standin.orders["PT-0001"]
    order.transactions.append(Transaction("refund-1", "approved", "VISA", later, type="REFUND"))
    order.transactions.append(Transaction("late-1", "declined", "VISA", later))
    polled = gateway.query("PT-0001", "PT-0001")
    assert (polled.status, polled.transaction_id) == ("approved", paid)


def test_a_forged_confirmation_verifies_but_payu_never_made_its_transaction(standin, merchant):
    """What the audit found: `sign` leaves transaction_id and transaction_date out, so a payer
    who paid once can make confirmations that verify; only PayU's Queries API tells."""
    gateway = gateway_for(standin)
    pay_page(gateway, start(merchant.url))
    standin.decide("PT-0001", "approved")
    forged = standin.forge("PT-0001", transaction_date="2026-01-01 00:00:00")
    outcome = gateway.verify_notification({}, urlencode(forged))
    made = [tx.id for tx in standin.orders["PT-0001"].transactions]
    assert outcome.status == "approved" and outcome.transaction_id not in made
    assert outcome.at is not None and outcome.at.year == 2026 and outcome.at.month == 1
    polled = gateway.query("PT-0001", "PT-0001")
    assert polled is not None and polled.transaction_id == made[-1]
    assert gateway.confirm(outcome) is None  # the Queries API does not confirm it


def test_the_queries_api_confirms_a_confirmation_with_its_own_data(standin, merchant):
    gateway = gateway_for(standin)
    pay_page(gateway, start(merchant.url))
    standin.decide("PT-0001", "approved", method="PSE")
    (notified,) = merchant.outcomes
    tx = standin.orders["PT-0001"].transactions[-1]
    backdated = standin.confirmation("PT-0001") | {"transaction_date": "2020-01-01 00:00:00"}
    backdated |= {"pse_bank": "BANCO INVENTADO", "payment_method_name": "VISA"}
    confirmed = gateway.confirm(gateway.verify_notification({}, urlencode(backdated)))
    assert confirmed is not None
    assert (confirmed.status, confirmed.transaction_id) == ("approved", tx.id)
    assert (confirmed.amount, confirmed.currency) == (Decimal("89900"), "COP")
    assert confirmed.at == tx.at.replace(microsecond=tx.at.microsecond // 1000 * 1000)
    assert (confirmed.payment_method, confirmed.bank_name) == ("PSE", None)
    assert confirmed.notification_id == notified.notification_id


@pytest.mark.parametrize(
    "claim",
    [
        lambda declined, other: {"transaction_id": declined, "state_pol": "4"},
        lambda declined, other: {"transaction_id": declined, "value": "1000.00"},
        lambda declined, other: {"transaction_id": declined, "currency": "USD"},
        lambda declined, other: {"transaction_id": other, "state_pol": "4"},
    ],
    ids=["declined-claimed-approved", "value", "currency", "another-orders-approval"],
)
def test_the_queries_api_does_not_confirm_what_payu_did_not_decide(standin, merchant, claim):
    gateway = gateway_for(standin)
    pay_page(gateway, start(merchant.url))
    pay_page(gateway, start(merchant.url, reference="PT-0002"))
    standin.decide("PT-0001", "declined")
    standin.decide("PT-0002", "approved")
    declined = standin.orders["PT-0001"].transactions[-1].id
    other = standin.orders["PT-0002"].transactions[-1].id
    forged = standin.forge("PT-0001", **claim(declined, other))
    assert gateway.confirm(gateway.verify_notification({}, urlencode(forged))) is None
    genuine = standin.confirmation("PT-0001")  # the decline itself is confirmed
    assert gateway.confirm(gateway.verify_notification({}, urlencode(genuine))) is not None


def test_a_refund_is_no_payment_to_confirm(standin, merchant):
    gateway = gateway_for(standin)
    pay_page(gateway, start(merchant.url))
    standin.decide("PT-0001", "approved")
    later = datetime.now(UTC) + timedelta(minutes=5)
    refund = Transaction("refund-1", "approved", "VISA", later, type="REFUND")
    standin.orders["PT-0001"].transactions.append(refund)
    forged = standin.forge("PT-0001", transaction_id="refund-1")
    assert gateway.confirm(gateway.verify_notification({}, urlencode(forged))) is None


def test_a_confirmation_for_another_merchant_key_is_refused(standin):
    other = PayuStandIn(api_key="someone-elses-key")
    receiving = Merchant(PayuGateway(other.credentials(), other.env()))
    try:
        pay_page(gateway_for(standin), start(receiving.url))
        assert standin.decide("PT-0001", "approved") == 401
        assert receiving.outcomes == []
    finally:
        receiving.stop()


def test_confirmations_can_go_into_a_wsgi_app_in_process(standin):
    gateway = gateway_for(standin)
    seen: list = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
        assert environ["PATH_INFO"] == "/v1/tigo/home/co/payments/payu/notifications"
        assert environ["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
        seen.append(gateway.verify_notification({}, body))
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    standin.deliver = wsgi_deliver(app)
    pay_page(gateway, start("http://localhost:3000/v1/tigo/home/co/payments/payu/notifications"))
    assert standin.decide("PT-0001", "approved") == 200
    assert [o.status for o in seen] == ["approved"]


def test_the_gateway_secret_builds_a_working_payu_gateway(standin, merchant):
    gateway = build_gateway(parse_credentials(standin.secret()), None, standin.env())
    assert gateway.name == "payu"
    session = gateway.start_checkout(start(merchant.url))
    assert session.checkout_id == "PT-0001"
    assert pay_page(gateway, start(merchant.url))[0] == 200


# --- tokenization ----------------------------------------------------------------------------


def card(**changes) -> Card:
    values = {
        "number": "4111111111111111",
        "expiration": "202812",
        "cvv": CVV,
        "brand": "visa",
        "printed_name": "ANA GOMEZ",
        "document_type": "cc",
        "customer_id": "10307011",
        "email": "ana@example.com",
    }
    return Card(**(values | changes))


def test_tokenize_and_forget_round_trip_without_the_cvv(standin):
    gateway = gateway_for(standin)
    token = gateway.tokenize(card())
    assert token.card_info == "411111XXXXXX1111"
    assert (token.card_brand, token.card_printed_name) == ("VISA", "ANA GOMEZ")
    kept = standin.tokens[token.card_token]
    assert (kept["payerId"], kept["paymentMethod"]) == ("10307011", "VISA")

    gateway.forget_token("cc", "10307011", token.card_token)
    assert standin.tokens == {}
    with pytest.raises(UpstreamError):  # PayU no longer knows it
        gateway.forget_token("cc", "10307011", token.card_token)

    sent = [r for r in standin.received if r.command == "CREATE_TOKEN"]
    assert sent and sent[0].body["creditCardToken"]["expirationDate"] == "2028/12"
    for received in standin.received:
        assert CVV.encode() not in received.raw
        keys = json.dumps(received.body).lower()
        assert not any(k in keys for k in ("cvv", "securitycode", "verificationvalue"))


def test_mastercard_aliases_are_payu_names(standin):
    token = gateway_for(standin).tokenize(card(number="5500000000000004", brand="Master Card"))
    assert token.card_brand == "MASTERCARD"
    assert token.card_info == "550000XXXXXX0004"


def test_payu_refusing_a_card_is_an_upstream_error(standin):
    with pytest.raises(UpstreamError):
        gateway_for(standin).tokenize(card(number="4111111111111112"))  # fails Luhn at PayU


# --- when PayU fails -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [
        ("slow", UpstreamTimeout, 504),
        ("garbage", UpstreamError, 502),
        ("http500", UpstreamError, 502),
        ("html", UpstreamError, 502),
        ("error", UpstreamError, 502),
    ],
)
def test_payu_failures_map_to_gateway_errors(standin, fault, error, status):
    standin.fault, standin.delay = fault, 1.0
    gateway = gateway_for(standin, PAYU_TIMEOUT_SECONDS="0.3")
    for call in (lambda: gateway.query("PT-0001", "PT-0001"), lambda: gateway.tokenize(card())):
        with pytest.raises(error) as raised:
            call()
        assert raised.value.status == status
        assert standin.api_key not in raised.value.message


def test_payu_unreachable_is_unavailable(standin):
    port = _free_port()
    dead = {
        "PAYU_REPORTS_URL": f"http://127.0.0.1:{port}/reports-api/4.0/service.cgi",
        "PAYU_PAYMENTS_URL": f"http://127.0.0.1:{port}/payments-api/4.0/service.cgi",
    }
    gateway = gateway_for(standin, **dead)
    with pytest.raises(Unavailable):
        gateway.query("PT-0001", "PT-0001")
    with pytest.raises(Unavailable):
        gateway.forget_token("cc", "10307011", "tok")


class Invocation:
    """A Lambda context with `millis` left."""

    def __init__(self, millis: int) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


@pytest.fixture
def invocation() -> Callable[[int], None]:
    return lambda millis: budget.start(Invocation(millis))


def test_with_no_time_left_in_the_invocation_payu_is_not_called(standin, invocation):
    gateway = gateway_for(standin)
    invocation(int(budget.MARGIN * 1000))
    for call in (lambda: gateway.query("PT-0001", "PT-0001"), lambda: gateway.tokenize(card())):
        with pytest.raises(UpstreamTimeout, match="PayU") as raised:
            call()
        assert raised.value.status == 504
    assert standin.received == []


def test_a_slow_payu_is_given_up_on_before_the_invocation_ends(standin, invocation):
    """PAYU_TIMEOUT_SECONDS (5 s) would outlast the invocation: the call gets what is left."""
    standin.fault, standin.delay = "slow", 3.0
    gateway = gateway_for(standin)
    invocation(1_500)
    with pytest.raises(UpstreamTimeout) as raised:
        gateway.query("PT-0001", "PT-0001")
    assert raised.value.status == 504


def test_wrong_api_credentials_are_an_upstream_error(standin):
    gateway = gateway_for(standin)
    standin.api_key = "rotated-key"  # PayU no longer takes ours
    with pytest.raises(UpstreamError) as raised:
        gateway.query("PT-0001", "PT-0001")
    assert isinstance(raised.value, ServiceError) and raised.value.status == 502
