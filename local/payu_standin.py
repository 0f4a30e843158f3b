"""A local stand-in of PayU Latam: the parts the PayU adapter talks to, in memory, on
127.0.0.1 in a thread. For tests, and for trying the PayU flow without PayU:

    python -m local.payu_standin --port 8765     # prints the PAYU_* settings to use

  POST /ppp-web-gateway-payu/          WebCheckout: checks the form's signature as PayU does
                                       (400 when it does not verify), records the order by
                                       referenceCode, answers a page with "Aprobar"/"Rechazar"...
  POST /standin/orders/<ref>/decide    the payer's outcome (status=approved|declined|expired|
                                       pending|error, method=VISA|MASTERCARD|PSE); then the
                                       signed confirmation is POSTed (form-encoded) to the
                                       order's confirmationUrl, as PayU does for final states
  POST /reports-api/4.0/service.cgi    Queries API: ORDER_DETAIL_BY_REFERENCE_CODE, PING
  POST /payments-api/4.0/service.cgi   Tokenization API: CREATE_TOKEN, REMOVE_TOKEN, PING

Tests drive it in Python too: `decide(reference, status)` returns the confirmation's
delivery status, `received` keeps every request as it arrived (to assert that no CVV ever
reached tokenization), `deliveries` every confirmation sent, `fault` makes the APIs misbehave
("slow", "garbage", "http500", "html", "error"), `forge(reference)` makes a confirmation that
verifies but names a transaction PayU never made (its Queries API does not confirm it).
Confirmations go over real HTTP, or through `deliver(url, fields) -> status` (e.g.
`wsgi_deliver(app)` into the local runner's WSGI app).
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from local.serving import Served
from selfcare.adapters.payments import payu_signatures as sig
from selfcare.payments import Credentials
from selfcare.redaction import luhn_valid

Deliver = Callable[[str, dict[str, str]], int]

CHECKOUT_PATH = "/ppp-web-gateway-payu/"
REPORTS_PATH = "/reports-api/4.0/service.cgi"
PAYMENTS_PATH = "/payments-api/4.0/service.cgi"
_DECIDE = re.compile(r"^/standin/orders/(?P<ref>[^/]+)/decide$")
PAYU_TIME = timezone(timedelta(hours=-5))  # transaction_date is Colombia time

# status -> (transactionResponse.state, state_pol, response_code_pol, response_message_pol)
STATES = {
    "approved": ("APPROVED", "4", "1", "APPROVED"),
    "declined": ("DECLINED", "6", "4", "PAYMENT_NETWORK_REJECTED"),
    "expired": ("EXPIRED", "5", "20", "EXPIRED_TRANSACTION"),
    "pending": ("PENDING", "7", "25", "PENDING_TRANSACTION_CONFIRMATION"),
    "error": ("ERROR", "104", "9999", "ERROR"),
}
FINAL = {"approved", "declined", "expired", "error"}  # PayU confirms only final states
# method -> (payment_method id, payment_method_type: 2 credit card, 4 PSE)
METHODS = {"VISA": ("10", "2"), "MASTERCARD": ("11", "2"), "AMEX": ("12", "2"), "PSE": ("25", "4")}
TEST_CARDS = {
    "VISA": "4111111111111111",
    "MASTERCARD": "5500000000000004",
    "AMEX": "378282246310005",
}
FAULTS = ("slow", "garbage", "http500", "html", "error")


@dataclass
class Transaction:
    id: str
    status: str  # a key of STATES
    method: str
    at: datetime
    type: str = "AUTHORIZATION_AND_CAPTURE"  # or REFUND, VOID... (back-office operations)


@dataclass
class Order:
    id: int
    reference: str
    form: dict[str, str]  # the WebCheckout form as received
    algorithm: str
    transactions: list[Transaction] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        """The latest transaction's status (None: the payer has not decided yet)."""
        return self.transactions[-1].status if self.transactions else None


@dataclass(frozen=True)
class Received:
    path: str
    command: str | None  # the API command, None for the WebCheckout form and actions
    body: dict[str, Any]  # JSON body or form fields, parsed
    raw: bytes


@dataclass(frozen=True)
class Delivery:
    url: str
    fields: dict[str, str]
    status: int  # HTTP status of the confirmation page (0: not reachable)


def http_deliver(url: str, fields: dict[str, str]) -> int:
    """POST the confirmation like PayU: application/x-www-form-urlencoded, no redirects."""
    request = urllib.request.Request(  # noqa: S310 - the order's own confirmationUrl
        url,
        data=urlencode(fields).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as err:
        err.close()
        return err.code
    except OSError:
        return 0


def wsgi_deliver(app: Callable[..., Any]) -> Deliver:
    """Deliver confirmations into a WSGI app in process (werkzeug's test client)."""
    from werkzeug.test import Client

    client = Client(app)

    def deliver(url: str, fields: dict[str, str]) -> int:
        parts = urlsplit(url)
        response = client.post(
            parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            data=fields,
            content_type="application/x-www-form-urlencoded",
        )
        return response.status_code

    return deliver


class PayuStandIn(Served):
    """PayU's WebCheckout, Queries and Tokenization APIs for one merchant, in memory."""

    def __init__(
        self,
        *,
        merchant_id: str = "500238",
        account_id: str = "500538",
        api_key: str = "standin-api-key-not-a-secret",
        api_login: str = "standin-api-login",
        deliver: Deliver | None = None,
        port: int = 0,
    ) -> None:
        self.merchant_id, self.account_id = merchant_id, account_id
        self.api_key, self.api_login = api_key, api_login
        self.deliver: Deliver = deliver or http_deliver
        self.orders: dict[str, Order] = {}
        self.tokens: dict[str, dict[str, str]] = {}
        self.received: list[Received] = []
        self.deliveries: list[Delivery] = []
        self.fault: str | None = None  # one of FAULTS, for the Queries and Tokenization APIs
        self.delay = 2.0  # seconds, for fault "slow"
        self._lock = threading.RLock()
        self._ids = itertools.count(1_000_001)
        super().__init__(_handler(self), port)
        self.url = f"http://127.0.0.1:{self.port}"

    # Wiring -----------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        """The adapter's endpoints, pointed here."""
        return {
            "PAYU_CHECKOUT_URL": self.url + CHECKOUT_PATH,
            "PAYU_REPORTS_URL": self.url + REPORTS_PATH,
            "PAYU_PAYMENTS_URL": self.url + PAYMENTS_PATH,
        }

    def credentials(self, signature_algorithm: str = "MD5") -> Credentials:
        """Test-mode credentials of this merchant."""
        return Credentials(
            gateway="payu",
            merchant_id=self.merchant_id,
            account_id=self.account_id,
            api_key=self.api_key,
            api_login=self.api_login,
            signature_algorithm=signature_algorithm,
            test=True,
        )

    def secret(self, signature_algorithm: str = "MD5") -> str:
        """The gateway secret's JSON (as in the stack's secret) for these credentials."""
        return json.dumps(
            {
                "gateway": "payu",
                "merchantId": self.merchant_id,
                "accountId": self.account_id,
                "apiKey": self.api_key,
                "apiLogin": self.api_login,
                "signatureAlgorithm": signature_algorithm,
                "test": True,
            }
        )

    # WebCheckout --------------------------------------------------------------------------------
    def submit(self, form: dict[str, str]) -> tuple[int, str]:
        """The payer's browser posts the form: (HTTP status, HTML page)."""
        problem = self._form_problem(form)
        if problem:
            return 400, _page("Error en la transacción", f"<p>{html.escape(problem)}</p>")
        reference = form["referenceCode"]
        with self._lock:
            order = self.orders.get(reference)
            if order is not None and order.status == "approved":
                return 400, _page("Error en la transacción", "<p>La orden ya fue pagada.</p>")
            if order is not None and order.form["amount"] != form["amount"]:
                return 400, _page("Error en la transacción", "<p>Referencia duplicada.</p>")
            if order is None:
                algorithm = form.get("algorithmSignature", "MD5").upper()
                order = Order(next(self._ids), reference, dict(form), algorithm)
                self.orders[reference] = order
        return 200, self._checkout_page(order)

    def _form_problem(self, form: dict[str, str]) -> str | None:
        required = (
            *("merchantId", "accountId", "description", "referenceCode", "amount", "tax"),
            *("taxReturnBase", "currency", "signature"),
        )
        missing = [name for name in required if not form.get(name)]
        if missing:
            return f"Faltan campos: {', '.join(missing)}"
        if form["merchantId"] != self.merchant_id or form["accountId"] != self.account_id:
            return "Comercio o cuenta desconocidos"
        if not all(_amount(form[name]) is not None for name in ("amount", "tax", "taxReturnBase")):
            return "Valor inválido: número con punto decimal y hasta dos decimales"
        algorithm = form.get("algorithmSignature", "MD5").upper()
        if algorithm not in sig.ALGORITHMS:
            return "Algoritmo de firma no soportado"
        expected = sig.checkout_signature(
            self.api_key,
            form["merchantId"],
            form["referenceCode"],
            form["amount"],  # exactly as posted, as PayU checks it
            form["currency"],
            algorithm,
        )
        if not sig.matches(form["signature"], expected):
            return "Firma inválida"
        return None

    def _checkout_page(self, order: Order) -> str:
        form = order.form
        ref = quote(order.reference, safe="")
        buttons = "\n".join(
            f'<form method="post" action="/standin/orders/{ref}/decide">'
            f'<input type="hidden" name="status" value="{status}">'
            f'<input type="hidden" name="method" value="{method}">'
            f"<button>{label}</button></form>"
            for status, method, label in (
                ("approved", "VISA", "Aprobar (tarjeta)"),
                ("approved", "PSE", "Aprobar (PSE)"),
                ("declined", "VISA", "Rechazar"),
                ("pending", "PSE", "Dejar pendiente"),
                ("expired", "PSE", "Expirar"),
            )
        )
        summary = (
            f"<p>{html.escape(form['description'])}</p>"
            f"<p>Referencia {html.escape(order.reference)}: "
            f"{html.escape(form['amount'])} {html.escape(form['currency'])}</p>"
        )
        return _page("PayU (stand-in local)", summary + buttons)

    # Decisions and confirmations --------------------------------------------------------------
    def decide(
        self, reference: str, status: str, method: str = "VISA", deliver: bool | None = None
    ) -> int | None:
        """A transaction with `status` on the order; then its confirmation is delivered (by
        default only for final states, as PayU). Returns the delivery's HTTP status."""
        if status not in STATES or method not in METHODS:
            raise ValueError(f"unknown status {status!r} or method {method!r}")
        with self._lock:
            order = self.orders[reference]
            if order.status == "approved":
                raise ValueError("the order is already approved")
            order.transactions.append(
                Transaction(str(uuid.uuid4()), status, method, datetime.now(UTC))
            )
        if deliver is False or (deliver is None and status not in FINAL):
            return None
        return self.redeliver(reference)

    def redeliver(self, reference: str) -> int | None:
        """(Re)send the latest transaction's confirmation, as PayU retries until a 200."""
        order = self.orders[reference]
        url = order.form.get("confirmationUrl")
        if not url or not order.transactions:
            return None
        fields = self.confirmation(reference)
        status = self.deliver(url, fields)
        self.deliveries.append(Delivery(url, fields, status))
        return status

    def confirmation(self, reference: str) -> dict[str, str]:
        """The confirmation page fields PayU posts for the order's latest transaction."""
        order = self.orders[reference]
        tx = order.transactions[-1]
        form = order.form
        _, state_pol, code, message = STATES[tx.status]
        method_id, method_type = METHODS[tx.method]
        value = f"{Decimal(form['amount']):.2f}"  # PayU posts two decimals: 89900.00
        card = TEST_CARDS.get(tx.method)
        fields = {
            "merchant_id": self.merchant_id,
            "state_pol": state_pol,
            "risk": ".00",
            "response_code_pol": code,
            "response_message_pol": message,
            "reference_sale": order.reference,
            "reference_pol": str(order.id),
            "extra1": form.get("extra1", ""),
            "extra2": form.get("extra2", ""),
            "payment_method": method_id,
            "payment_method_type": method_type,
            "payment_method_id": method_type,
            "payment_method_name": tx.method,
            "installments_number": "1" if card else "",
            "value": value,
            "tax": f"{Decimal(form['tax']):.2f}",
            "additional_value": "0.00",
            "transaction_date": tx.at.astimezone(PAYU_TIME).strftime("%Y-%m-%d %H:%M:%S"),
            "currency": form["currency"],
            "email_buyer": form.get("buyerEmail", ""),
            "cus": "" if card else str(order.id * 7),
            "pse_bank": "" if card else "BANCO UNION COLOMBIANO",
            "test": form.get("test", "1"),
            "description": form["description"],
            "transaction_id": tx.id,
            "cc_number": f"************{card[-4:]}" if card else "",
            "cc_holder": form.get("buyerFullName", "") if card else "",
            "sign": sig.confirmation_signature(
                self.api_key,
                self.merchant_id,
                order.reference,
                value,
                form["currency"],
                state_pol,
                order.algorithm,
            ),
        }
        return fields

    def forge(self, reference: str, **changes: str) -> dict[str, str]:
        """A confirmation PayU never sent, as a payer who paid once can make it: the latest
        transaction's signed fields (its `sign` is also the payer's own response-page
        `signature` whenever TX_VALUE has one decimal at most), with a transaction PayU never
        made (`transaction_id`, `transaction_date`: unsigned) and any other `changes`, signed
        again over what they change. The Queries API never lists the forged transaction."""
        fields = self.confirmation(reference)
        fields["transaction_id"] = str(uuid.uuid4())
        fields["transaction_date"] = datetime.now(PAYU_TIME).strftime("%Y-%m-%d %H:%M:%S")
        fields.update(changes)
        fields["sign"] = sig.confirmation_signature(
            self.api_key,
            fields["merchant_id"],
            fields["reference_sale"],
            fields["value"],
            fields["currency"],
            fields["state_pol"],
            self.orders[reference].algorithm,
        )
        return fields

    def response_url(self, reference: str) -> str | None:
        """Where PayU sends the payer back (the response page), with its signed parameters."""
        order = self.orders[reference]
        url = order.form.get("responseUrl")
        if not url or not order.transactions:
            return url
        tx = order.transactions[-1]
        state, state_pol, code, message = STATES[tx.status]
        params = {
            "merchantId": self.merchant_id,
            "transactionState": state_pol,
            "polResponseCode": code,
            "referenceCode": order.reference,
            "reference_pol": str(order.id),
            "TX_VALUE": f"{Decimal(order.form['amount']):.2f}",
            "currency": order.form["currency"],
            "transactionId": tx.id,
            "lapTransactionState": state,
            "lapResponseCode": message,
            "lapPaymentMethod": tx.method,
            "message": state,
            "processingDate": tx.at.astimezone(PAYU_TIME).strftime("%Y-%m-%d"),
            "signature": sig.response_signature(
                self.api_key,
                self.merchant_id,
                order.reference,
                order.form["amount"],
                order.form["currency"],
                state_pol,
                order.algorithm,
            ),
        }
        return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"

    def _refused_or_ping(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """What both APIs answer before their commands: the refusal of a request whose
        merchant credentials are wrong, or PING's answer; None to serve the command."""
        problem = self._auth_problem(body)
        if problem:
            return _error(problem)
        if body.get("command") == "PING":
            return {"code": "SUCCESS", "error": None, "transactionResponse": None}
        return None

    # Queries API --------------------------------------------------------------------------------
    def reports(self, body: dict[str, Any]) -> dict[str, Any]:
        early = self._refused_or_ping(body)
        if early is not None:
            return early
        command = body.get("command")
        if command != "ORDER_DETAIL_BY_REFERENCE_CODE":
            return _error("Comando no soportado")
        details = body.get("details")
        reference = details.get("referenceCode") if isinstance(details, dict) else None
        if not isinstance(reference, str) or not reference:
            return _error("referenceCode es obligatorio")
        with self._lock:
            order = self.orders.get(reference)
            payload = [self._order_json(order)] if order else None
        return {"code": "SUCCESS", "error": None, "result": {"payload": payload}}

    def _order_json(self, order: Order) -> dict[str, Any]:
        form = order.form
        currency = form["currency"]
        values = {
            "TX_VALUE": {"value": float(form["amount"]), "currency": currency},
            "TX_TAX": {"value": float(form["tax"]), "currency": currency},
            "TX_TAX_RETURN_BASE": {"value": float(form["taxReturnBase"]), "currency": currency},
        }
        status = {
            None: "NEW",
            "approved": "CAPTURED",
            "pending": "IN_PROGRESS",
        }.get(order.status, "DECLINED")
        return {
            "id": order.id,
            "accountId": int(self.account_id) if self.account_id.isdigit() else self.account_id,
            "status": status,
            "referenceCode": order.reference,
            "description": form["description"],
            "language": "es",
            "notifyUrl": form.get("confirmationUrl"),
            "buyer": {
                "emailAddress": form.get("buyerEmail"),
                "fullName": form.get("buyerFullName"),
            },
            "additionalValues": values,
            "transactions": [
                {
                    "id": tx.id,
                    "type": tx.type,
                    "paymentMethod": tx.method,
                    "paymentCountry": "CO",
                    "creditCard": {
                        "maskedNumber": f"{card[:6]}******{card[-4:]}",
                        "name": form.get("buyerFullName"),
                    }
                    if (card := TEST_CARDS.get(tx.method))
                    else None,
                    "transactionResponse": {
                        "state": STATES[tx.status][0],
                        "responseCode": STATES[tx.status][3],
                        "operationDate": int(tx.at.timestamp() * 1000),
                        "trazabilityCode": str(order.id),
                        "authorizationCode": "123456" if tx.status == "approved" else None,
                    },
                    "additionalValues": values,
                }
                for tx in order.transactions
            ],
        }

    # Tokenization API ---------------------------------------------------------------------------
    def payments(self, body: dict[str, Any]) -> dict[str, Any]:
        early = self._refused_or_ping(body)
        if early is not None:
            return early
        command = body.get("command")
        if command == "CREATE_TOKEN":
            return self._create_token(body.get("creditCardToken"))
        if command == "REMOVE_TOKEN":
            return self._remove_token(body.get("removeCreditCardToken"))
        return _error("Comando no soportado")

    def _create_token(self, card: Any) -> dict[str, Any]:
        keys = ("payerId", "name", "identificationNumber", "paymentMethod", "number")
        if not isinstance(card, dict) or any(not card.get(key) for key in keys):
            return _error("Faltan datos de la tarjeta")
        number = str(card["number"])
        if not (12 <= len(number) <= 19 and luhn_valid(number)):
            return _error("Número de tarjeta inválido")
        if not re.fullmatch(r"[0-9]{4}/(0[1-9]|1[0-2])", str(card.get("expirationDate", ""))):
            return _error("Fecha de expiración inválida: AAAA/MM")
        token_id = str(uuid.uuid4())
        token = {
            "creditCardTokenId": token_id,
            "name": str(card["name"]),
            "payerId": str(card["payerId"]),
            "identificationNumber": str(card["identificationNumber"]),
            "paymentMethod": str(card["paymentMethod"]),
            "maskedNumber": f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}",
        }
        with self._lock:
            self.tokens[token_id] = token
        answer = {**token, "number": None, "expirationDate": None, "creationDate": None}
        return {"code": "SUCCESS", "error": None, "creditCardToken": answer}

    def _remove_token(self, removal: Any) -> dict[str, Any]:
        if not isinstance(removal, dict):
            return _error("Faltan datos del token")
        with self._lock:
            token = self.tokens.get(str(removal.get("creditCardTokenId")))
            if token is None or token["payerId"] != str(removal.get("payerId")):
                return _error("El token no existe")
            del self.tokens[token["creditCardTokenId"]]
        return {"code": "SUCCESS", "error": None, "creditCardToken": token}

    def _auth_problem(self, body: dict[str, Any]) -> str | None:
        merchant = body.get("merchant")
        if not isinstance(merchant, dict):
            return "Credenciales inválidas"
        if merchant.get("apiLogin") != self.api_login or not sig.matches(
            str(merchant.get("apiKey", "")), self.api_key
        ):
            return "Credenciales inválidas"
        return None


def _error(message: str) -> dict[str, Any]:
    return {"code": "ERROR", "error": message, "result": None}


def _amount(text: str) -> Decimal | None:
    if not re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="es"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        f"<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def _handler(standin: PayuStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
            path = urlsplit(self.path).path
            if path in (REPORTS_PATH, PAYMENTS_PATH):
                self._api(path, raw)
            elif path == CHECKOUT_PATH:
                form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
                standin.received.append(Received(path, None, form, raw))
                status, page = standin.submit(form)
                self._send(status, page.encode(), "text/html; charset=utf-8")
            elif match := _DECIDE.match(path):
                form = dict(parse_qsl(raw.decode("utf-8", "replace")))
                standin.received.append(Received(path, None, form, raw))
                self._decide(match["ref"], form)
            else:
                self._send(404, b"not found", "text/plain")

        def _decide(self, quoted: str, form: dict[str, str]) -> None:
            reference = unquote(quoted)
            if reference not in standin.orders:
                self._send(404, _page("Orden desconocida", "").encode(), "text/html")
                return
            try:
                delivered = standin.decide(
                    reference, form.get("status", ""), form.get("method", "VISA")
                )
            except ValueError as err:
                self._send(409, _page("No se pudo", html.escape(str(err))).encode(), "text/html")
                return
            back = standin.response_url(reference)
            link = f'<p><a href="{html.escape(back)}">Volver al comercio</a></p>' if back else ""
            note = f"<p>Confirmación entregada: HTTP {delivered}</p>" if delivered else ""
            status = standin.orders[reference].status or ""
            body = _page(f"Transacción {STATES[status][0]}", note + link)
            self._send(200, body.encode(), "text/html; charset=utf-8")

        def _api(self, path: str, raw: bytes) -> None:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            command = body.get("command") if isinstance(body, dict) else None
            standin.received.append(
                Received(path, command, body if isinstance(body, dict) else {}, raw)
            )
            fault = standin.fault
            if fault == "slow":
                time.sleep(standin.delay)
            elif fault == "garbage":
                self.wfile.write(b"\x00\x01 not http at all\r\n\r\n")
                self.close_connection = True
                return
            elif fault == "http500":
                self._send(500, b'{"code":"ERROR","error":"Internal"}', "application/json")
                return
            elif fault == "html":
                self._send(200, b"<html><body>Mantenimiento</body></html>", "text/html")
                return
            elif fault == "error":
                self._send(200, json.dumps(_error("Error interno")).encode(), "application/json")
                return
            if not isinstance(body, dict):
                answer = _error("Solicitud inválida")
            elif path == REPORTS_PATH:
                answer = standin.reports(body)
            else:
                answer = standin.payments(body)
            self._send(200, json.dumps(answer).encode(), "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:  # the client gave up (a timeout test): nothing to answer
                pass

        def log_message(self, format: str, *args: Any) -> None:  # quiet: bodies hold card data
            pass

    return Handler


@contextmanager
def serve(**kwargs: Any) -> Iterator[PayuStandIn]:
    """A started stand-in for the duration of the block."""
    standin = PayuStandIn(**kwargs).start()
    try:
        yield standin
    finally:
        standin.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.payu_standin", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    standin = PayuStandIn(port=args.port).start()
    print("PayU stand-in on", standin.url)
    for name, value in standin.env().items():
        print(f"  {name}={value}")
    print("  gateway secret:", standin.secret())
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
