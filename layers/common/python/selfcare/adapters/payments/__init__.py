"""Payment gateway adapters and their credentials (the stack's gateway secret)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from selfcare.errors import InvalidParameter, Unavailable
from selfcare.payments import Credentials, PaymentGateway

# One package across layers: the sandbox layer (layers/sandbox) adds its modules here. In
# Lambda both layers unpack into /opt/python; locally and in tests each is its own path.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)

FIELDS = {
    "gateway": "gateway",
    "merchantId": "merchant_id",
    "accountId": "account_id",
    "apiKey": "api_key",
    "apiLogin": "api_login",
    "notificationSecret": "notification_secret",
    "signatureAlgorithm": "signature_algorithm",
}
REQUIRED = {
    "sandbox": ("notification_secret",),
    "payu": ("merchant_id", "account_id", "api_key", "api_login"),
}
NOT_CONFIGURED = "The payment gateway is not configured; retry later"
# A notified amount: ASCII digits, at most two decimals, under 10^15 (no sign, exponent, NaN,
# Infinity or other digits: nothing Decimal could refuse, or choke on later, gets through).
_AMOUNT = re.compile(r"[0-9]{1,15}(\.[0-9]{0,2})?|\.[0-9]{1,2}")


def notified_amount(value: object, name: str = "amount") -> Decimal:
    """The amount a gateway's notification states; a 400 naming `name` when it is none."""
    text = value.strip() if isinstance(value, str) else ""
    if not _AMOUNT.fullmatch(text):
        raise InvalidParameter(name, "expected an amount: digits, at most two decimals")
    return Decimal(text)


def parse_credentials(raw: Any) -> Credentials:
    """The secret's JSON as Credentials; Unavailable (503) when missing or malformed. The
    message never carries the secret's value."""
    try:
        values = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        raise Unavailable(NOT_CONFIGURED) from None
    if not isinstance(values, dict):
        raise Unavailable(NOT_CONFIGURED)
    found = {attr: str(values.get(key) or "") for key, attr in FIELDS.items()}
    gateway = found["gateway"] or "sandbox"
    if gateway not in REQUIRED or any(not found[attr] for attr in REQUIRED[gateway]):
        raise Unavailable(NOT_CONFIGURED)
    found["gateway"] = gateway
    found["signature_algorithm"] = (found["signature_algorithm"] or "MD5").upper()
    if found["signature_algorithm"] not in ("MD5", "SHA256"):
        raise Unavailable(NOT_CONFIGURED)
    test = values.get("test", True)
    return Credentials(**found, test=test is True or str(test).lower() in ("1", "true"))


def load_credentials(secret: str) -> Credentials:
    """Read through Powertools parameters, kept `boto.SECRETS_MAX_AGE` (5 minutes) per warm
    container, so a rotated secret is used at most that long after (a SnapStart restore
    reads it anew). 503 when it cannot be read (504 when Secrets Manager is too slow)."""
    from selfcare.adapters import boto

    try:
        raw = boto.secret(secret)
    except Exception as error:
        failed = boto.failure(error, "The payment gateway's credentials")
        raise (failed if failed.status == 504 else Unavailable(NOT_CONFIGURED)) from None
    return parse_credentials(raw)


def build_gateway(credentials: Credentials, items: Any, env: dict[str, str]) -> PaymentGateway:
    """The gateway the secret names. `items` keeps the sandbox gateway's own state."""
    if credentials.gateway == "payu":
        from selfcare.adapters.payments.payu import PayuGateway

        return PayuGateway(credentials, env)
    from selfcare.adapters.payments.sandbox import SandboxGateway

    return SandboxGateway(credentials, items)
