"""PayU Latam adapter: WebCheckout for payments, the Queries API for status, the Tokenization
API for cards. Rules come from PayU's Latam developer docs (developers.payulatam.com):
"WebCheckout integration" (payment form, "Confirmation page", "Response page"), "Queries
API" and "Tokenization API"; the signatures live in `payu_signatures`.

WebCheckout is an HTML form the payer's browser posts to PayU, so `start_checkout` sends the
payer to a page of our API (`checkout_page`) that auto-submits that form. PayU then posts the
outcome server-to-server (form-encoded, signed with the API key) to `notify_url`.

The API key travels only in the signatures and in API request bodies: never in a message, a
log line or an exception. The CVV is never sent (PayU tokens do not carry it).
"""

from __future__ import annotations

import html
import http.client
import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from selfcare import budget
from selfcare.adapters.payments import NOT_CONFIGURED, notified_amount
from selfcare.adapters.payments import payu_signatures as sig
from selfcare.errors import (
    InvalidParameter,
    Unauthorized,
    Unavailable,
    UpstreamError,
    UpstreamTimeout,
)
from selfcare.payments import (
    Card,
    CardToken,
    CheckoutSession,
    CheckoutStart,
    Credentials,
    Outcome,
    Status,
)

ENDPOINTS: dict[bool, dict[str, str]] = {  # credentials.test -> defaults
    True: {
        "PAYU_CHECKOUT_URL": "https://sandbox.checkout.payulatam.com/ppp-web-gateway-payu/",
        "PAYU_REPORTS_URL": "https://sandbox.api.payulatam.com/reports-api/4.0/service.cgi",
        "PAYU_PAYMENTS_URL": "https://sandbox.api.payulatam.com/payments-api/4.0/service.cgi",
    },
    False: {
        "PAYU_CHECKOUT_URL": "https://checkout.payulatam.com/ppp-web-gateway-payu/",
        "PAYU_REPORTS_URL": "https://api.payulatam.com/reports-api/4.0/service.cgi",
        "PAYU_PAYMENTS_URL": "https://api.payulatam.com/payments-api/4.0/service.cgi",
    },
}
TIMEOUT_SECONDS = 5.0  # per connect and per read; PAYU_TIMEOUT_SECONDS overrides
MAX_ANSWER = 1 << 20
NOT_AUTHENTIC = "Notification signature does not verify"

# Confirmation page, `state_pol`: 4 approved, 6 declined, 104 error, 5 expired, 7 pending.
# PayU posts the confirmation only once a transaction is final, and `sign` covers state_pol,
# so any other (undocumented) value is authentic but unknown: it is never taken as paid and
# ends the attempt as declined (104, a processing error, charged nothing either).
STATE_POL: dict[str, Status] = {
    "4": "approved",
    "6": "declined",
    "104": "declined",
    "5": "expired",
    "7": "pending",
}
# Queries API, transactionResponse.state, with the matching state_pol code (so a polled
# outcome and the confirmation of the same transaction share one notification id). A state
# not listed keeps the attempt pending: a poll never closes an attempt on a state it does
# not know; the signed confirmation or a later poll will.
QUERY_STATES: dict[str, tuple[Status, str]] = {
    "APPROVED": ("approved", "4"),
    "DECLINED": ("declined", "6"),
    "ERROR": ("declined", "104"),
    "EXPIRED": ("expired", "5"),
    "PENDING": ("pending", "7"),
}
# Transactions that take the payer's money (not REFUND, VOID, CANCELLATION...).
PAYMENT_TYPES = {"AUTHORIZATION_AND_CAPTURE", "AUTHORIZATION", "CAPTURE"}
# Confirmation page `payment_method_type`: 2 credit card, 6 debit card (4 PSE, 7 cash...).
CARD_TYPES = {"2", "6"}
# `transaction_date` ("yyyy-MM-dd HH:mm:ss") carries no zone; PayU Latam's platform reports
# in Colombia time (UTC-5, no daylight saving). An assumption: the docs do not say.
PAYU_TIME = timezone(timedelta(hours=-5))
# Tokenization API `paymentMethod` names, for the brands our callers may spell otherwise.
BRANDS = {
    "MASTER": "MASTERCARD",
    "MASTER CARD": "MASTERCARD",
    "MC": "MASTERCARD",
    "AMERICAN EXPRESS": "AMEX",
    "DINERS CLUB": "DINERS",
}
_FORM_FIELD_LIMIT = 255  # description, referenceCode, buyerEmail: 255; buyerFullName: 150


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """PayU's APIs do not redirect: a 3xx is an error (and never re-sends our body)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class PayuGateway:
    name = "payu"

    def __init__(self, credentials: Credentials, env: Mapping[str, str]) -> None:
        self.credentials = credentials
        self.algorithm = credentials.signature_algorithm.upper() or "MD5"
        if self.algorithm not in sig.ALGORITHMS:
            raise Unavailable(NOT_CONFIGURED)
        defaults = ENDPOINTS[credentials.test]
        self.checkout_url, self.reports_url, self.payments_url = (
            self._endpoint(env.get(name) or default) for name, default in defaults.items()
        )
        try:
            self.timeout = float(env.get("PAYU_TIMEOUT_SECONDS") or TIMEOUT_SECONDS)
        except ValueError:
            self.timeout = 0.0
        if not 0 < self.timeout <= 30:
            raise Unavailable(NOT_CONFIGURED)
        self._opener = urllib.request.build_opener(_NoRedirect)

    def _endpoint(self, url: str) -> str:
        """https always; plain http only in test mode (the local stand-in of PayU)."""
        scheme = urlsplit(url).scheme
        if scheme != "https" and not (scheme == "http" and self.credentials.test):
            raise Unavailable(NOT_CONFIGURED)
        return url

    # Checkout -------------------------------------------------------------------------------
    def start_checkout(self, start: CheckoutStart) -> CheckoutSession:
        self.checkout_form(start)  # refuse now what PayU would refuse later
        return CheckoutSession(
            checkout_id=start.payment_token,
            redirect_url=f"{start.pages_url}/payments/payu/checkout/{start.payment_token}",
        )

    def checkout_form(self, start: CheckoutStart) -> tuple[str, dict[str, str]]:
        """The WebCheckout form: (action URL, fields). Amounts are formatted once by
        `payu_signatures.form_amount` and the signature is computed over that same string."""
        currency = start.currency.upper()
        if start.tax < 0 or start.tax > start.amount:
            raise InvalidParameter("amount", "tax must be between 0 and the amount")
        try:
            amount = sig.form_amount(start.amount, currency)
            tax = sig.form_amount(start.tax, currency)
            base = sig.form_amount(start.amount - start.tax if start.tax else Decimal(0), currency)
        except ValueError as err:
            raise InvalidParameter("amount", str(err)) from None
        reference = start.payment_token
        fields = {
            "merchantId": self.credentials.merchant_id,
            "accountId": self.credentials.account_id,
            "description": start.description[:_FORM_FIELD_LIMIT],
            "referenceCode": reference,
            "amount": amount,
            # "tax" and "taxReturnBase" are sent even when 0: without them PayU Colombia
            # assumes 19% VAT included in the amount.
            "tax": tax,
            "taxReturnBase": base,
            "currency": currency,
            "signature": sig.checkout_signature(
                self.credentials.api_key,
                self.credentials.merchant_id,
                reference,
                amount,
                currency,
                self.algorithm,
            ),
            "test": "1" if self.credentials.test else "0",
            "lng": "es",
            "extra1": start.contract_id,  # shown in PayU's panel, echoed (unsigned) back
            "extra2": start.invoice_id,
            "confirmationUrl": start.notify_url,
        }
        if self.algorithm != "MD5":
            fields["algorithmSignature"] = self.algorithm
        if start.buyer_email:
            fields["buyerEmail"] = start.buyer_email[:_FORM_FIELD_LIMIT]
        if start.buyer_name:
            fields["buyerFullName"] = start.buyer_name[:150]
        if start.return_url:
            fields["responseUrl"] = start.return_url
        return self.checkout_url, fields

    def checkout_page(self, start: CheckoutStart) -> str:
        """A page that posts the form to PayU at once (or on a click, without JavaScript).
        Serve it with `Cache-Control: no-store`; a strict CSP must allow its inline script."""
        action, fields = self.checkout_form(start)
        inputs = "\n".join(
            f'    <input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
            for name, value in fields.items()
        )
        return (
            "<!doctype html>\n"
            '<html lang="es">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="robots" content="noindex">\n'
            "<title>Pago con PayU</title>\n</head>\n<body>\n"
            f'<form id="payu" method="post" action="{html.escape(action)}"'
            ' accept-charset="UTF-8">\n'
            f"{inputs}\n"
            "    <p>Te estamos llevando a PayU para completar tu pago.</p>\n"
            '    <button type="submit">Continuar a PayU</button>\n'
            "</form>\n"
            '<script>document.getElementById("payu").submit();</script>\n'
            "</body>\n</html>\n"
        )

    # Confirmation page ----------------------------------------------------------------------
    def verify_notification(self, headers: dict[str, str], body: str) -> Outcome:
        """PayU's confirmation (form-encoded POST). Unauthorized unless `sign` verifies
        (constant-time) for our merchant, and, in production, unless it is a real payment."""
        fields = _form_fields(body)
        signed = ("merchant_id", "reference_sale", "value", "currency", "state_pol", "sign")
        if fields is None or any(not fields.get(name) for name in signed):
            raise Unauthorized(NOT_AUTHENTIC)
        amount = notified_amount(fields["value"], "value")  # 400 before any arithmetic
        if fields["merchant_id"] != self.credentials.merchant_id:
            raise Unauthorized(NOT_AUTHENTIC)
        try:
            expected = sig.confirmation_signature(
                self.credentials.api_key,
                self.credentials.merchant_id,
                fields["reference_sale"],
                fields["value"],
                fields["currency"],
                fields["state_pol"],
                self.algorithm,
            )
        except ValueError:
            raise Unauthorized(NOT_AUTHENTIC) from None
        if not sig.matches(fields["sign"], expected):
            raise Unauthorized(NOT_AUTHENTIC)
        # `test` is a form field the payer's browser posts and the signature does not cover:
        # in production a test transaction (no money moved) must never pay an invoice.
        if not self.credentials.test and fields.get("test", "").strip().lower() in ("1", "true"):
            raise Unauthorized("Notification is from a test transaction")
        state = fields["state_pol"].strip()
        transaction_id = fields.get("transaction_id") or None
        method = fields.get("payment_method_name") or None
        brand = fields.get("franchise") or (
            method if fields.get("payment_method_type") in CARD_TYPES else None
        )
        return Outcome(
            payment_token=fields["reference_sale"],
            status=STATE_POL.get(state, "declined"),
            amount=amount,
            currency=fields["currency"],
            transaction_id=transaction_id,
            payment_method=method,
            bank_name=(fields.get("pse_bank") or "").strip() or None,
            card_brand=brand,
            notification_id=f"{transaction_id or fields.get('reference_pol', '')}:{state}",
            at=_payu_time(fields.get("transaction_date")),
        )

    # Queries API ----------------------------------------------------------------------------
    def query(self, payment_token: str, checkout_id: str) -> Outcome | None:
        """ORDER_DETAIL_BY_REFERENCE_CODE. None while PayU has no order (the payer has not
        reached it); pending while the order has no transaction yet. When the payer retried,
        an approved transaction wins (money was taken), otherwise the latest one counts."""
        orders = self._orders(payment_token)
        if not orders:
            return None
        found = _payments(orders)
        if not found:
            amount, currency = _order_value(orders[-1], None)
            return Outcome(payment_token, "pending", amount=amount, currency=currency)
        approved = [pair for pair in found if _tx_state(pair[1]) == "APPROVED"]
        return _outcome(payment_token, *max(approved or found, key=_operation_date))

    def confirm(self, outcome: Outcome) -> Outcome | None:
        """A confirmation's transaction as the Queries API states it (id, state, value, date):
        None unless the order of that reference holds that payment transaction, in the state
        and for the value confirmed. `sign` leaves transaction_id and transaction_date out
        (and the payer's response page often carries the same signature), so nothing else of
        the confirmation counts. ORDER_DETAIL_BY_REFERENCE_CODE rather than
        TRANSACTION_RESPONSE_DETAIL: that one answers a transaction's response alone (state,
        codes, date), nothing that ties it to our reference or to an amount."""
        if not outcome.transaction_id:
            return None
        pairs = _payments(self._orders(outcome.payment_token))
        pair = next((p for p in pairs if str(p[1].get("id")) == outcome.transaction_id), None)
        found = _outcome(outcome.payment_token, *pair) if pair is not None else None
        if (
            found is None
            or (found.status, found.currency) != (outcome.status, outcome.currency)
            or found.amount is None
            or not found.amount.is_finite()
            or found.amount != outcome.amount
        ):
            return None
        return replace(found, notification_id=outcome.notification_id)

    def _orders(self, payment_token: str) -> list[dict[str, Any]]:
        """The orders PayU holds for our reference (none before the payer reaches PayU)."""
        answer = self._call(
            self.reports_url,
            {
                "test": self.credentials.test,
                "language": "es",
                "command": "ORDER_DETAIL_BY_REFERENCE_CODE",
                "merchant": self._merchant(),
                "details": {"referenceCode": payment_token},
            },
        )
        result = answer.get("result")
        payload = result.get("payload") if isinstance(result, dict) else None
        if not payload:
            return []
        if not isinstance(payload, list) or not all(isinstance(o, dict) for o in payload):
            raise UpstreamError("PayU answered an unreadable order")
        return [o for o in payload if str(o.get("referenceCode", payment_token)) == payment_token]

    # Tokenization API -----------------------------------------------------------------------
    def tokenize(self, card: Card) -> CardToken:
        """CREATE_TOKEN without the CVV. cardInfo is masked from our own copy of the number."""
        number = card.number.replace(" ", "").replace("-", "")
        if not (number.isascii() and number.isdigit() and 12 <= len(number) <= 19):
            raise InvalidParameter("cardNumber", "expected 12 to 19 digits")
        if not re.fullmatch(r"[0-9]{4}(0[1-9]|1[0-2])", card.expiration):
            raise InvalidParameter("cardExpirationDate", "expected YYYYMM")
        name = (card.printed_name or "").strip()
        if not name:
            raise InvalidParameter("cardPrintedName", "the payment gateway needs the card's name")
        brand = payu_brand(card.brand, number)
        answer = self._call(
            self.payments_url,
            {
                "language": "es",
                "command": "CREATE_TOKEN",
                "merchant": self._merchant(),
                "creditCardToken": {
                    "payerId": card.customer_id,
                    "name": name,
                    "identificationNumber": card.customer_id,
                    "paymentMethod": brand,
                    "number": number,
                    "expirationDate": f"{card.expiration[:4]}/{card.expiration[4:]}",
                },
            },
        )
        token = answer.get("creditCardToken")
        token_id = token.get("creditCardTokenId") if isinstance(token, dict) else None
        if not isinstance(token_id, str) or not token_id:
            raise UpstreamError("PayU did not return a card token")
        return CardToken(
            card_token=token_id,
            card_info=f"{number[:6]}XXXXXX{number[-4:]}",
            card_brand=brand,
            card_printed_name=card.printed_name,
        )

    def forget_token(self, document_type: str, customer_id: str, card_token: str) -> None:
        """REMOVE_TOKEN (PayU checks the token is the payer's)."""
        self._call(
            self.payments_url,
            {
                "language": "es",
                "command": "REMOVE_TOKEN",
                "merchant": self._merchant(),
                "removeCreditCardToken": {"payerId": customer_id, "creditCardTokenId": card_token},
            },
        )

    # HTTP -----------------------------------------------------------------------------------
    def _merchant(self) -> dict[str, str]:
        return {"apiLogin": self.credentials.api_login, "apiKey": self.credentials.api_key}

    def _call(self, url: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST JSON to a PayU API; its JSON answer when `code` is SUCCESS. Timeouts -> 504,
        unreachable -> 503, anything else wrong -> 502. Messages never carry the payload."""
        command = payload["command"]
        request = urllib.request.Request(  # noqa: S310 - https (or test-mode http) checked
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",  # PayU's APIs answer XML otherwise
            },
        )
        try:
            timeout = budget.timeout(self.timeout, "PayU")  # never past the invocation's end
            with self._opener.open(request, timeout=timeout) as response:
                raw = response.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as err:
            err.close()
            raise UpstreamError(f"PayU answered HTTP {err.code} to {command}") from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise UpstreamTimeout(f"PayU did not answer {command} in time") from None
            raise Unavailable("PayU is not reachable; retry later") from None
        except TimeoutError:
            raise UpstreamTimeout(f"PayU did not answer {command} in time") from None
        except http.client.HTTPException:
            raise UpstreamError(f"PayU answered {command} with no HTTP") from None
        except OSError:
            raise Unavailable("PayU is not reachable; retry later") from None
        try:
            answer = json.loads(raw, parse_float=Decimal) if len(raw) <= MAX_ANSWER else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise UpstreamError(f"PayU answered {command} with something unreadable")
        if answer.get("code") != "SUCCESS":
            # PayU's `error` text is not echoed: it may name a card token or card data.
            raise UpstreamError(f"PayU refused {command}")
        return answer


def payu_brand(brand: str, number: str) -> str:
    """The Tokenization API's `paymentMethod` for our brand (or, when blank, the number's)."""
    name = " ".join(brand.upper().split())
    if name:
        return BRANDS.get(name, name.replace(" ", ""))
    if number.startswith("4"):
        return "VISA"
    if number[:2] in ("34", "37"):
        return "AMEX"
    if number[:2] in ("36", "38") or number[:3] in ("300", "301", "302", "303", "304", "305"):
        return "DINERS"
    return "MASTERCARD" if number[:1] in ("2", "5") else "CARD"


def _form_fields(body: str) -> dict[str, str] | None:
    """The confirmation's fields; None when malformed or when a field repeats (a repeated
    signed field could make two parsers read two different values)."""
    try:
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=200)
    except ValueError:
        return None
    fields = dict(pairs)
    return fields if len(fields) == len(pairs) else None


def _payu_time(text: str | None) -> datetime | None:
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=PAYU_TIME
        )
    except ValueError:
        return None


def _payments(orders: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(order, transaction) for every transaction that takes the payer's money."""
    return [
        (order, tx)
        for order in orders
        for tx in order.get("transactions") or []
        if isinstance(tx, dict) and tx.get("type", "AUTHORIZATION_AND_CAPTURE") in PAYMENT_TYPES
    ]


def _outcome(payment_token: str, order: dict[str, Any], tx: dict[str, Any]) -> Outcome:
    state = _tx_state(tx)
    status, code = QUERY_STATES.get(state, ("pending", state or "?"))
    amount, currency = _order_value(order, tx)
    method = tx.get("paymentMethod") or None
    transaction_id = str(tx["id"]) if tx.get("id") else None
    return Outcome(
        payment_token=payment_token,
        status=status,
        amount=amount,
        currency=currency,
        transaction_id=transaction_id,
        payment_method=method,
        card_brand=method if tx.get("creditCard") else None,
        notification_id=f"{transaction_id}:{code}" if transaction_id else None,
        at=_from_millis(_operation_date((order, tx))),
    )


def _tx_state(tx: dict[str, Any]) -> str:
    response = tx.get("transactionResponse")
    return str(response.get("state") or "").upper() if isinstance(response, dict) else ""


def _operation_date(pair: tuple[dict[str, Any], dict[str, Any]]) -> int:
    response = pair[1].get("transactionResponse")
    value = response.get("operationDate") if isinstance(response, dict) else None
    try:
        return int(value or 0)
    except (TypeError, ValueError, ArithmeticError):
        return 0


def _from_millis(millis: int) -> datetime | None:
    return datetime.fromtimestamp(millis / 1000, UTC) if millis > 0 else None


def _order_value(
    order: dict[str, Any], tx: dict[str, Any] | None
) -> tuple[Decimal | None, str | None]:
    """TX_VALUE of the transaction (or of the order): {"value": 89900.00, "currency": "COP"}."""
    for holder in (tx, order):
        values = holder.get("additionalValues") if isinstance(holder, dict) else None
        found = values.get("TX_VALUE") if isinstance(values, dict) else None
        if isinstance(found, dict) and found.get("value") is not None:
            try:
                return Decimal(str(found["value"])), found.get("currency")
            except InvalidOperation:
                return None, found.get("currency")
    return None, None
