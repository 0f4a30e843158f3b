"""Requests that change data or pay, carrying card numbers, CVVs, card tokens, JWTs and
signed gateway notifications, leave none of them anywhere but where the contract puts them
(issue 3 §5): not in a log line (Powertools' JSON logs, any other logger, stderr), not in a
metric (EMF, with metrics switched on as deployed), not in a trace (what the X-Ray SDK sends
to the daemon, with tracing switched on as deployed), not in an error message. Card numbers
may appear only masked (first 6 + XXXXXX + last 4).

test_no_secrets_in_logs.py covers GETs carrying such values in paths and queries; this
covers the bodies and forms of tokenization, recurring billing, card token deletion,
checkout, the sandbox's hosted payment page and gateway notifications, valid and not.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from werkzeug.test import Client

from local import auth
from selfcare.redaction import mask_pan
from tests.support.claims import claim
from tests.support.notifications import signed_approval

COUNTRY = "co"
BASE = f"/v1/tigo/home/{COUNTRY}"
# README "Paying": the sandbox's test cards (4111... approves, 4000...0002 declines).
APPROVE, DECLINE = "4111111111111111", "4000000000000002"
NOT_LUHN = "4111111111111112"  # a mistyped card is still the payer's card number
CARDS = (APPROVE, DECLINE, NOT_LUHN)
CVV = "737"
EXPIRY = f"{date.today().year + 3}11"
RETURN = "https://mi.tigo.com.co/pagos/resultado"
CANCEL = "https://mi.tigo.com.co/pagos/cancelado"
# Where a CVV sits in JSON, JSON inside a string, a form or a log message.
CVV_KEYS = r"(?:cvv2?|cvc2?|security[_-]?code|card[_-]?verification[_-]?value)"


def spaced(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def dashed(number: str) -> str:
    return "-".join(number[i : i + 4] for i in range(0, len(number), 4))


# --- what must never show ------------------------------------------------------------------


@dataclass
class Sensitive:
    """The values a run sent or obtained that must not be captured anywhere."""

    jwts: list[str] = field(default_factory=list)
    card_tokens: list[str] = field(default_factory=list)  # issued to the customer
    foreign_tokens: list[str] = field(default_factory=list)  # made up by the caller
    secrets: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)

    def values(self, *, with_card_tokens: bool = True) -> dict[str, str]:
        found = {}
        for jwt in self.jwts:
            found[f"JWT {jwt[:12]}..."] = jwt
            for name, part in zip(("header", "payload", "signature"), jwt.split("."), strict=True):
                found[f"JWT {name} {part[:12]}..."] = part
        tokens = self.card_tokens if with_card_tokens else []
        for token in [*tokens, *self.foreign_tokens]:
            found[f"card token {token}"] = token
        for secret in self.secrets:
            found[f"secret value {secret[:4]}..."] = secret
        for signature in self.signatures:
            found[f"signature {signature[:12]}..."] = signature
        return found


def card_leaks(text: str) -> list[str]:
    """Each card number of CARDS showing in any form but the masked one: whole, spaced,
    dashed, or masked less than first 6 + XXXXXX + last 4."""
    found = []
    for number in CARDS:
        shown = re.compile(
            rf"{number[:6]}[0-9Xx*#. -]{{2,12}}?{number[-4:]}"  # every form of it
            rf"|{' ?-?'.join(number)}"  # digits split anyhow
        )
        found += [
            f"card number {m.group()!r}"
            for m in shown.finditer(text)
            if m.group() != mask_pan(number)
        ]
    return found


def cvv_leaks(text: str) -> list[str]:
    pattern = rf"""(?i){CVV_KEYS}[\\"' ]*[:=][\\"' ]*{CVV}(?![0-9])"""
    return [f"CVV in context {m.group()!r}" for m in re.finditer(pattern, text)]


def leaks(
    text: str, sensitive: Sensitive, *, with_card_tokens: bool = True, with_cards: bool = True
) -> list[str]:
    found = (card_leaks(text) if with_cards else []) + cvv_leaks(text)
    for name, value in sensitive.values(with_card_tokens=with_card_tokens).items():
        if value in text:
            at = text.index(value)
            found.append(f"{name} in ...{text[max(0, at - 120) : at + 40]!r}")
    return found


# --- capture -------------------------------------------------------------------------------


@dataclass
class Answer:
    request: str
    status: int
    body: str
    content_type: str


class Capture:
    """Every log stream of the process (Powertools' handlers write to the stream they found
    at cold start: it is swapped for ours), what pytest captures of stdout (EMF metrics),
    stderr and of the records that reach the root logger, and every answer."""

    def __init__(self, capsys, caplog) -> None:
        self.capsys, self.caplog = capsys, caplog
        self.stream = io.StringIO()
        self.answers: list[Answer] = []
        self._swapped: list[tuple[logging.StreamHandler, Any]] = []
        self._levels: list[tuple[logging.Logger, int]] = []
        self.out = self.err = ""

    def __enter__(self) -> Capture:
        loggers = [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]
        for logger in loggers:
            for handler in getattr(logger, "handlers", []):
                if type(handler) is logging.StreamHandler:  # Powertools' (not pytest's)
                    self._swapped.append((handler, handler.stream))
                    handler.stream = self.stream
                    # Whatever LogLevel a stage sets, nothing may leak: log everything.
                    self._levels.append((logger, logger.level))
                    logger.setLevel(logging.DEBUG)
        self.caplog.set_level(logging.WARNING)  # what Lambda's root logger passes on
        self.capsys.readouterr()
        return self

    def __exit__(self, *exc: object) -> None:
        captured = self.capsys.readouterr()
        self.out, self.err = captured.out, captured.err
        for handler, previous in self._swapped:
            handler.stream = previous
        for logger, level in self._levels:
            logger.setLevel(level)

    @property
    def logs(self) -> str:
        return self.stream.getvalue()

    @property
    def everything_logged(self) -> str:
        return "\n".join((self.logs, self.out, self.err, self.caplog.text))

    @property
    def emf(self) -> list[dict[str, Any]]:
        lines = [line for line in self.out.splitlines() if '"_aws"' in line]
        return [json.loads(line) for line in lines]

    def record(self, request: str, response) -> Any:
        self.answers.append(
            Answer(
                request,
                response.status_code,
                response.get_data(as_text=True),
                response.headers.get("Content-Type", ""),
            )
        )
        return response


def assert_nothing_leaked(capture: Capture, sensitive: Sensitive) -> None:
    problems = [f"logs/metrics: {p}" for p in leaks(capture.everything_logged, sensitive)]
    for answer in capture.answers:
        # Success bodies may carry the customer's own card tokens (the tokenization answer,
        # the token list), and the sandbox's payment page prints its test cards (the ones
        # used here) for the payer to choose; error messages carry none of the values.
        failed = answer.status >= 400
        page = not failed and answer.content_type.startswith("text/html")
        found = leaks(answer.body, sensitive, with_card_tokens=failed, with_cards=not page)
        problems += [f"answer of {answer.request} ({answer.status}): {p}" for p in found]
    assert not problems, "\n".join(problems)


# --- the requests --------------------------------------------------------------------------


def a_payer(country: str) -> dict[str, Any]:
    """A customer of our own with room for a card, no recurring billing, and an unpaid
    invoice on the first contract."""
    return claim(
        country,
        lambda c: (
            len(c.get("cardTokens", [])) <= 2
            and not any(k.get("recurringBilling") for k in c["contracts"])
            and any(
                not i["hasPayment"] and i["dueAmount"] > 0 for i in c["contracts"][0]["invoices"]
            )
        ),
    )


def gateway_secret_values(stack) -> list[str]:
    manager = boto3.client("secretsmanager")
    found = []
    for logical_id in ("GatewaySecret", "SpoolSecret"):
        raw = manager.get_secret_value(SecretId=stack.secret_name(logical_id))["SecretString"]
        found.append(raw)
        try:
            values = json.loads(raw)
        except ValueError:
            continue
        if isinstance(values, dict):
            found += [v for v in values.values() if isinstance(v, str) and len(v) >= 12]
    return found


class Payer:
    """One customer's requests through a gateway (the WSGI app), each one recorded."""

    def __init__(self, gateway, capture: Capture, customer: dict[str, Any]) -> None:
        self.client = Client(gateway)
        self.capture = capture
        self.customer = customer
        self.jwt = auth.customer_token(customer["documentType"], customer["customerId"])
        doc = f"doc-type/{customer['documentType'].lower()}/customers/{customer['customerId']}"
        self.cards = f"{BASE}/tokenization/{doc}/cardtokens"
        self.contract = customer["contracts"][0]["contractId"]
        self.recurring = f"{BASE}/billing/contracts/{self.contract}/recurringBillingInfo"

    def open(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: str | None = None,
        form: dict[str, str] | None = None,
        jwt: str | None = None,
        **headers: str,
    ):
        headers.setdefault("Authorization", f"Bearer {jwt or self.jwt}")
        kwargs: dict[str, Any] = {}
        if form is not None:
            kwargs["data"] = form
        elif raw is not None or body is not None:
            kwargs["data"] = raw if raw is not None else json.dumps(body)
            kwargs["content_type"] = "application/json"
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        return self.capture.record(f"{method} {path}", response)

    def owed(self) -> tuple[dict[str, Any], str]:
        """The contract's first invoice still owed (read, unrecorded) and its checkOut path."""
        listed = self.client.get(
            f"{BASE}/billing/contracts/{self.contract}/invoices",
            query_string={"limit": "5"},
            headers={"Authorization": f"Bearer {self.jwt}"},
        ).get_json()
        invoice = next(i for i in listed if not i["hasPayment"] and i["dueAmount"] > 0)
        return (
            invoice,
            f"{BASE}/billing/contracts/{self.contract}/invoices/{invoice['invoiceId']}/checkOut",
        )

    def card_body(self, number: str, cvv: str = CVV, brand: str = "VISA", **more: Any):
        info = self.customer["customer"]["customerInfo"]
        return {
            "customerInfo": {
                "customerId": self.customer["customerId"],
                "documentType": self.customer["documentType"],
                "name": info.get("name"),
                "email": info.get("email"),
            },
            "cardDetails": {
                "cardNumber": number,
                "cardExpirationDate": EXPIRY,
                "cardVerificationValue": cvv,
                "cardBrand": brand,
                "cardPrintedName": "ANA PEREZ",
            },
            "customerIpAddress": "190.24.10.8",
            **more,
        }


def tokenize_and_charge(payer: Payer, sensitive: Sensitive) -> None:
    """Card tokenization, recurring billing by its token, and the token's deletion, with
    the mistakes a client makes on the way."""
    refused = []
    for number in (spaced(APPROVE), dashed(APPROVE), NOT_LUHN):  # 400: not a card number
        refused.append(payer.open("POST", payer.cards, payer.card_body(number)))
    refused.append(payer.open("POST", payer.cards, payer.card_body(APPROVE, cvv="73")))
    refused.append(payer.open("POST", payer.cards, payer.card_body(APPROVE, brand="MASTERCARD")))
    truncated = json.dumps(payer.card_body(APPROVE))[:-30]  # malformed JSON holding the card
    refused.append(payer.open("POST", payer.cards, raw=truncated))
    assert [r.status_code for r in refused] == [400] * len(refused), [
        r.get_data(as_text=True) for r in refused
    ]

    body = payer.card_body(APPROVE)
    created = payer.open("POST", payer.cards, body, **{"Idempotency-Key": uuid.uuid4().hex})
    assert created.status_code == 201, created.get_data(as_text=True)
    token = created.get_json()["cardToken"]
    sensitive.card_tokens.append(token)
    assert created.get_json()["cardInfo"] == mask_pan(APPROVE)
    again = payer.open("POST", payer.cards, body)  # the same card: its existing token
    assert again.status_code == 201 and again.get_json()["cardToken"] == token
    listed = payer.open("GET", payer.cards, None)
    assert token in listed.get_data(as_text=True)

    foreign = f"tok-{uuid.uuid4()}"  # a token the caller made up
    sensitive.foreign_tokens.append(foreign)
    assert payer.open("POST", payer.recurring, {"cardToken": foreign}).status_code == 400
    enrol = {
        "cardToken": token,
        "recurringBillingInfo": {"cardExpirationDate": EXPIRY, "customerIpAddress": "190.24.10.8"},
        # a careless client also sends the card it tokenized
        "cardDetails": {"cardNumber": APPROVE, "cardVerificationValue": CVV},
    }
    enrolled = payer.open("POST", payer.recurring, enrol, **{"Idempotency-Key": uuid.uuid4().hex})
    assert enrolled.status_code == 201, enrolled.get_data(as_text=True)
    assert payer.open("PUT", payer.recurring, enrol).status_code == 200
    charged = payer.open("DELETE", payer.cards, {"cardToken": token})
    assert charged.status_code == 409  # a recurring billing charges it
    assert payer.open("DELETE", payer.recurring, {"cardToken": foreign}).status_code == 404
    assert payer.open("DELETE", payer.recurring, {"cardToken": token}).status_code == 200
    unknown = f"tok-{uuid.uuid4()}"
    sensitive.foreign_tokens.append(unknown)
    assert payer.open("DELETE", payer.cards, {"cardToken": unknown}).status_code == 404
    assert payer.open("DELETE", payer.cards, {"cardToken": token}).status_code == 200
    assert payer.open("DELETE", payer.cards, {"cardToken": token}).status_code == 404


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pay_on_the_hosted_page(payer: Payer, sensitive: Sensitive, gateway, stack) -> None:
    """Checkout, a declined and an approved card on the sandbox's page, and the gateway's
    notifications: genuine, forged, tampered, and PayU's to a stack that does not use it."""
    from selfcare.adapters.payments.sandbox import SIGNATURE

    invoice, checkout = payer.owed()

    def start() -> dict[str, Any]:
        body = {
            "invoiceId": invoice["invoiceId"],
            "paymentAmount": invoice["dueAmount"],
            "customerInfo": {"customerId": payer.customer["customerId"], "name": "Ana"},
            "returnUrl": RETURN,
            "cancelUrl": CANCEL,
            # what a careless client adds: ignored, and never logged
            "cardNumber": spaced(APPROVE),
            "cardVerificationValue": CVV,
            "cvv": CVV,
        }
        created = payer.open("POST", checkout, body, **{"Idempotency-Key": uuid.uuid4().hex})
        assert created.status_code == 201, created.get_data(as_text=True)
        return created.get_json()

    mistyped = {
        "invoiceId": spaced(APPROVE),
        "paymentAmount": invoice["dueAmount"],
        "customerInfo": {"customerId": "1"},
        "cvv": CVV,
    }
    assert payer.open("POST", checkout, mistyped).status_code == 400
    not_money = {
        "invoiceId": invoice["invoiceId"],
        "paymentAmount": dashed(APPROVE),
        "customerInfo": {"customerId": "1"},
    }
    assert payer.open("POST", checkout, not_money).status_code == 400

    declined = start()
    page = local_path(declined["redirectUrl"])
    assert payer.open("GET", page).status_code == 200  # the page prints the test cards
    bad = payer.open("POST", page, form={"action": "pay", "cardNumber": NOT_LUHN, "cvv": CVV})
    assert bad.status_code == 400
    decided = payer.open(
        "POST", page, form={"action": "pay", "cardNumber": dashed(DECLINE), "cvv": CVV}
    )
    assert decided.status_code == 303, decided.get_data(as_text=True)
    assert payer.open("GET", checkout).get_json()["paymentApproved"] is False

    approved = start()
    page = local_path(approved["redirectUrl"])
    paid = payer.open(
        "POST", page, form={"action": "pay", "cardNumber": spaced(APPROVE), "cvv": CVV}
    )
    assert paid.status_code == 303, paid.get_data(as_text=True)
    assert payer.open("GET", checkout).get_json()["paymentApproved"] is True
    again = payer.open("POST", page, form={"action": "pay", "cardNumber": APPROVE, "cvv": CVV})
    assert again.status_code == 400  # already decided

    # The gateway notifies a second approval (another transaction) of the paid attempt: it
    # is kept for a refund, and logged as such.
    headers, body = signed_approval(
        stack,
        approved,
        Decimal(str(invoice["dueAmount"])),
        "COP",
        "SBXTX-LOGTEST0001",
        f"log-test-{uuid.uuid4().hex}",
    )
    sensitive.signatures.append(headers[SIGNATURE])
    notify = f"{BASE}/payments/notifications/sandbox"
    forged = hmac.new(b"not-the-secret", body.encode(), hashlib.sha256).hexdigest()
    sensitive.signatures.append(forged)
    assert payer.open("POST", notify, raw=body, **{**headers, SIGNATURE: forged}).status_code == 401
    tampered = body.replace('"approved"', '"declined"')
    assert payer.open("POST", notify, raw=tampered, **headers).status_code == 401
    assert payer.open("POST", notify, raw=body, **headers).status_code == 200
    assert payer.open("POST", notify, raw=body, **headers).status_code == 200  # a repeat
    payu_sign = hashlib.md5(f"{uuid.uuid4()}".encode()).hexdigest()  # noqa: S324 - PayU's
    sensitive.signatures.append(payu_sign)
    payu = {
        "merchant_id": "508029",
        "reference_sale": approved["paymentToken"],
        "value": "10.00",
        "currency": "COP",
        "state_pol": "4",
        "sign": payu_sign,
        "cc_number": APPROVE,
    }
    assert payer.open("POST", f"{BASE}/payments/notifications/payu", form=payu).status_code == 404


def drive_everything(gateway, capture: Capture, customer) -> Sensitive:
    stack = gateway.stacks[COUNTRY]
    payer = Payer(gateway, capture, customer)
    forged_jwt = auth.other_key_token(
        doc_type=customer["documentType"], doc_number=customer["customerId"]
    )
    sensitive = Sensitive(jwts=[payer.jwt, forged_jwt], secrets=gateway_secret_values(stack))
    # A write with a forged token: the authorizer refuses it (and logs why, not the token).
    refused = payer.open("POST", payer.cards, payer.card_body(APPROVE), jwt=forged_jwt)
    assert refused.status_code == 401
    tokenize_and_charge(payer, sensitive)
    pay_on_the_hosted_page(payer, sensitive, gateway, stack)
    return sensitive


def warm(gateway) -> None:
    """Every function's cold start before capturing: Powertools binds its handler to the
    stream of that moment."""
    for (country, _), host in gateway.hosts.items():
        if country == COUNTRY:
            host.handler()


# --- logs, metrics and answers ---------------------------------------------------------------


def test_writes_carrying_card_data_leave_none_in_logs_metrics_or_errors(
    gateway, capsys, caplog, monkeypatch
):
    with capsys.disabled():
        warm(gateway)
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)  # EMF on, as deployed
    customer = a_payer(COUNTRY)
    with Capture(capsys, caplog) as capture:
        sensitive = drive_everything(gateway, capture, customer)

    # What was captured is real: the service logged, metrics were emitted, errors answered.
    logs = [json.loads(line) for line in capture.logs.splitlines() if line.startswith("{")]
    assert {line.get("service") for line in logs} >= {"tokenization", "billing", "authorizer"}
    assert any(line.get("message") == "Refused" for line in logs)
    names = {
        m["Name"]
        for line in capture.emf
        for d in line["_aws"]["CloudWatchMetrics"]
        for m in d["Metrics"]
    }
    assert {"CheckoutsCreated", "PaymentsApproved"} <= names, names
    assert sum(a.status >= 400 for a in capture.answers) >= 15
    assert mask_pan(APPROVE) in "\n".join(a.body for a in capture.answers)
    assert_nothing_leaked(capture, sensitive)


@pytest.fixture
def broken_gateway_secret(gateway) -> Iterator[list[str]]:
    """The stack's gateway secret replaced by malformed ones holding credentials (the
    values yielded), then put back; the 5-minute cache of it is emptied both ways."""
    from selfcare.adapters import boto

    manager = boto3.client("secretsmanager")
    name = gateway.stacks[COUNTRY].secret_name("GatewaySecret")
    original = manager.get_secret_value(SecretId=name)["SecretString"]
    values = [f"apikey-{uuid.uuid4().hex}", f"login-{uuid.uuid4().hex}"]
    try:
        yield values
    finally:
        manager.put_secret_value(SecretId=name, SecretString=original)
        boto.forget()


def test_a_malformed_gateway_secret_answers_503_and_is_logged_without_its_value(
    gateway, broken_gateway_secret, capsys, caplog
):
    """README "Paying": a missing or malformed secret answers 503 and is logged without its
    value."""
    from selfcare.adapters import boto

    with capsys.disabled():
        warm(gateway)
    api_key, api_login = broken_gateway_secret
    manager = boto3.client("secretsmanager")
    name = gateway.stacks[COUNTRY].secret_name("GatewaySecret")
    customer = a_payer(COUNTRY)
    malformed = (
        json.dumps({"gateway": "payu", "apiKey": api_key, "apiLogin": api_login}),  # no merchant
        json.dumps({"gateway": "payu", "apiKey": api_key, "apiLogin": api_login})[:-20],  # JSON
        json.dumps({"gateway": "wire", "notificationSecret": api_key}),  # no such gateway
    )
    sensitive = Sensitive(secrets=[api_key, api_login])
    with Capture(capsys, caplog) as capture:
        payer = Payer(gateway, capture, customer)
        sensitive.jwts.append(payer.jwt)
        invoice, checkout = payer.owed()
        order = {
            "invoiceId": invoice["invoiceId"],
            "paymentAmount": invoice["dueAmount"],
            "customerInfo": {"customerId": customer["customerId"]},
        }
        for secret in malformed:
            manager.put_secret_value(SecretId=name, SecretString=secret)
            boto.forget()
            answers = [
                payer.open("POST", payer.cards, payer.card_body(APPROVE)),
                payer.open("POST", checkout, order),
                payer.open(
                    "POST",
                    f"{BASE}/payments/notifications/payu",
                    form={"sign": "0" * 32, "cc_number": APPROVE},
                ),
            ]
            assert [a.status_code for a in answers] == [503, 503, 503], [
                a.get_data(as_text=True) for a in answers
            ]
    logs = [json.loads(line) for line in capture.logs.splitlines() if line.startswith("{")]
    failures = [line for line in logs if line.get("message") == "Dependency failure"]
    assert len(failures) == 3 * len(malformed) and {f["status"] for f in failures} == {503}
    assert_nothing_leaked(capture, sensitive)


def test_the_checker_finds_what_it_looks_for():
    """The searches above are not vacuous: each form of each value is found."""
    sensitive = Sensitive(
        jwts=["eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"],
        card_tokens=["tok-1234567890"],
        secrets=["s3cr3t-value-0123456789"],
        signatures=["a" * 64],
    )
    for text in (
        f"card {APPROVE}",
        f"card {spaced(APPROVE)}",
        f"card {dashed(DECLINE)}",
        "card 4111111XXXXX1111",  # masked less than first 6 + last 4
        f"n={NOT_LUHN}",
        f'{{"cardVerificationValue": "{CVV}"}}',
        f'"{{\\"cvv\\": \\"{CVV}\\"}}"',
        f"action=pay&cvv={CVV}",
        "eyJzdWIiOiJ4In0",
        "c2lnbmF0dXJl",
        "tok-1234567890",
        "key s3cr3t-value-0123456789",
        "sign " + "a" * 64,
    ):
        assert leaks(text, sensitive), text
    for text in (
        f"card {mask_pan(APPROVE)} and {mask_pan(DECLINE)}",
        f"amount {CVV}.00, code 404, at 12:00:01,{CVV}",
        '{"cardToken": "[redacted]", "cvv": "[redacted]"}',
    ):
        assert not leaks(text, sensitive), text
    assert not leaks("tok-1234567890", sensitive, with_card_tokens=False)


# --- traces ----------------------------------------------------------------------------------

TRACE_ROOT = "1-6744f3b0-5d7a1c0e9b2f4a6c8e0d1b3f"
TRACE_HEADER = f"Root={TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1"


class Daemon:
    """A UDP socket standing in for the X-Ray daemon, read by a thread so that no segment
    is dropped however many the requests send."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.datagrams: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        host, port = self.sock.getsockname()
        return f"{host}:{port}"

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                self.datagrams.append(self.sock.recv(65536))
            except TimeoutError:
                continue
            except OSError:
                return

    def documents(self) -> list[dict[str, Any]]:
        """Every document received, once the daemon has heard nothing for a moment."""
        count = -1
        while count != len(self.datagrams):
            count = len(self.datagrams)
            time.sleep(0.3)
        found = []
        for datagram in list(self.datagrams):
            header, _, body = datagram.decode().partition("\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            found.append(json.loads(body))
        return found

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def traced_gateway(stacks, monkeypatch) -> Iterator[tuple[Any, Daemon]]:
    """The country's functions started afresh as Lambda starts them with `Tracing: Active`
    (the local runner switches tracing off): Powertools Tracer on the handler, our DynamoDB
    subsegments, the SDK's botocore patch, sending to a local daemon. The X-Ray SDK's
    recorder, Powertools' Tracer config and the botocore patch are process-wide: each is
    put back afterwards."""
    import aws_xray_sdk.core
    import botocore.client
    import botocore.endpoint
    from aws_lambda_powertools import Tracer
    from aws_lambda_powertools.tracing import tracer as powertools_tracer
    from aws_xray_sdk import global_sdk_config
    from aws_xray_sdk.core import patcher
    from aws_xray_sdk.core.async_recorder import AsyncAWSXRayRecorder

    from local.gateway import Gateway

    daemon = Daemon()
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", daemon.address)
    monkeypatch.setenv("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR")
    for name in ("POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "AWS_XRAY_SDK_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.setattr(powertools_tracer, "is_cold_start", True)
    monkeypatch.setattr(aws_xray_sdk.core, "xray_recorder", AsyncAWSXRayRecorder())
    was_enabled = global_sdk_config.sdk_enabled()
    global_sdk_config.set_sdk_enabled(True)
    Tracer._reset_config()
    make_api_call = botocore.client.BaseClient.__dict__["_make_api_call"]
    prepare_request = botocore.endpoint.Endpoint.__dict__["prepare_request"]
    patched = "botocore" in patcher._PATCHED_MODULES
    traced = Gateway(stacks, COUNTRY, {})
    for host in traced.hosts.values():  # their own modules: the runner's stay as they are
        host.module_key += "_traced"
    try:
        yield traced, daemon
    finally:
        daemon.close()
        Tracer._reset_config()
        global_sdk_config.set_sdk_enabled(was_enabled)
        botocore.client.BaseClient._make_api_call = make_api_call
        botocore.endpoint.Endpoint.prepare_request = prepare_request
        if not patched:
            patcher._PATCHED_MODULES.discard("botocore")
            if hasattr(botocore.client, "_xray_enabled"):
                delattr(botocore.client, "_xray_enabled")
            sys.modules.pop("aws_xray_sdk.ext.botocore.patch", None)
        for host in traced.hosts.values():
            sys.modules.pop(host.module_key, None)


def test_traced_writes_carrying_card_data_send_none_of_it_to_x_ray(traced_gateway, capsys, caplog):
    gateway, daemon = traced_gateway
    with capsys.disabled():
        warm(gateway)
    customer = a_payer(COUNTRY)
    with Capture(capsys, caplog) as capture:
        sensitive = drive_everything(gateway, capture, customer)
    documents = daemon.documents()

    # What was captured is real: each function's invocations, our DynamoDB calls and
    # boto3's (idempotency, the gateway secret) were traced.
    names = {d["name"] for d in documents}
    assert {"DynamoDB", "dynamodb", "secretsmanager"} <= names, names
    services = {d["annotations"]["Service"] for d in documents if d["name"].startswith("## ")}
    assert services == {"billing", "tokenization"}, services
    traces = "\n".join(json.dumps(d, ensure_ascii=False) for d in documents)
    problems = [f"trace: {p}" for p in leaks(traces, sensitive)]
    assert not problems, "\n".join(problems)
    assert_nothing_leaked(capture, sensitive)
