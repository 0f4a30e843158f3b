"""Which OAuth2 scope each operation needs: reading, changing and paying (checkout, card
tokens, enrolling in recurring billing) are separate.

Tokens carry them in `scope`; channel tokens (call centre, CanalesAlternos) also carry
`selfcare.agent`, which lets them act for any customer of their country.
"""

from __future__ import annotations

READ = "selfcare.read"
WRITE = "selfcare.write"
PAY = "selfcare.pay"
AGENT = "selfcare.agent"
ALL = (READ, WRITE, PAY, AGENT)

BASE = "/v1/tigo/home/{country}"
# Routes that carry their own credential instead of a bearer token.
PUBLIC = frozenset(
    {
        ("GET", "/billing/spool/documents/{token}"),  # a signed, expiring link
        ("POST", "/payments/notifications/{gateway}"),  # signed by the gateway
        ("GET", "/payments/sandbox/checkout/{checkOutId}"),  # the payer's browser
        ("POST", "/payments/sandbox/checkout/{checkOutId}"),
        ("GET", "/payments/payu/checkout/{paymentToken}"),
    }
)
# Changes that let the customer be charged later: enrolling in recurring billing or changing
# what it charges, by card token or (Colombia) by bank debit alike. Ending it charges
# nothing: DELETE stays a change (selfcare.write), so any app may stop the charges.
CHARGING = frozenset(
    {
        ("POST", "/billing/contracts/{contractId}/recurringBillingInfo"),
        ("PUT", "/billing/contracts/{contractId}/recurringBillingInfo"),
    }
)


def contract_path(resource: str) -> str:
    """An API Gateway resource path without the base path and trailing slash."""
    path = resource.removeprefix(BASE)
    return path.rstrip("/") or "/"


def required(method: str, resource: str) -> str | None:
    """The scope an operation needs, or None for a public route."""
    method, path = method.upper(), contract_path(resource)
    if (method, path) in PUBLIC:
        return None
    # Card tokens are paying instruments whatever the method: a token that may only read
    # must not list them (and then charge one).
    if path.startswith("/tokenization/"):
        return PAY
    if method in ("GET", "HEAD", "OPTIONS"):
        return READ
    if path.endswith("/checkOut") or (method, path) in CHARGING:
        return PAY
    return WRITE
