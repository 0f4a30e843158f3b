"""A checkout as the billing function starts it at PayU (selfcare.payments.CheckoutStart):
Factura 84257928-20261101, COP 89,900 with 14,354 of tax, for Ana Gómez; and the page that
hands it to PayU, as a browser reads it."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from selfcare.payments import CheckoutStart


def checkout_start(**changes: Any) -> CheckoutStart:
    """The checkout, with `changes` to its fields."""
    values: dict[str, Any] = {
        "payment_token": "PT-7f3a9c",
        "contract_id": "84257928",
        "invoice_id": "84257928-20261101",
        "amount": Decimal("89900"),
        "tax": Decimal("14354"),
        "currency": "COP",
        "description": "Factura 84257928-20261101",
        "notify_url": "https://api.example.co/v1/tigo/home/co/payments/payu/notifications",
        "pages_url": "https://api.example.co/v1/tigo/home/co",
        "return_url": "https://mi.tigo.com.co/pagos/resultado",
        "buyer_email": "ana@example.com",
        "buyer_name": "Ana Gómez",
    }
    return CheckoutStart(**(values | changes))


class CheckoutPage(HTMLParser):
    """Our page that hands a checkout to PayU, as a browser reads it: its form's action, the
    hidden fields it posts and how many scripts it runs. Feed it the page."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = ""
        self.fields: dict[str | None, str | None] = {}
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.action = found["action"]
        elif tag == "input" and found.get("type") == "hidden":
            self.fields[found["name"]] = found["value"]
        elif tag == "script":
            self.scripts += 1
