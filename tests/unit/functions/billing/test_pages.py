"""The payment pages' Content-Security-Policy follows the page (billing.pages)."""

from __future__ import annotations

import base64
import hashlib

from billing import pages


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def directives(policy: str) -> dict[str, list[str]]:
    return {name: rest for name, *rest in (d.split() for d in policy.split(";"))}


def test_inline_script_and_style_are_allowed_by_their_hash_only():
    page = (
        "<style>body{margin:0}</style><script>go();</script>"
        '<script src="https://cdn.example/x.js"></script>'
        '<form action="https://Checkout.Example:8443/pay?a=1&amp;b=2"></form>'
    )
    csp = directives(pages.content_security_policy(page, ["https://mi.tigo.com.co/back"]))
    assert csp == {
        "default-src": ["'none'"],
        "script-src": [sha("go();")],  # the external script: not allowed
        "style-src": [sha("body{margin:0}")],
        "form-action": ["https://checkout.example:8443", "https://mi.tigo.com.co"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }


def test_a_form_without_an_absolute_action_posts_to_self():
    page = "<form method='post'><button>Pagar</button></form><form action='/x'></form>"
    csp = directives(pages.content_security_policy(page, [None, "javascript:alert(1)"]))
    assert csp["form-action"] == ["'self'"]
    assert "script-src" not in csp and "style-src" not in csp


def test_a_page_without_a_form_may_post_nowhere():
    csp = directives(pages.content_security_policy("<h1>Pago aprobado</h1>", ["https://a.b"]))
    assert csp["form-action"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
