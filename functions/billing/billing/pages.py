"""The Content-Security-Policy of the HTML pages a payer's browser opens: the sandbox
gateway's page and its result, and the page that hands the signed form to PayU.

As strict as each page allows, derived from the page itself so that it follows the page: no
framing (clickjacking a "pay" button), nothing loaded from anywhere, and only the page's own
inline <script> and <style> elements run, each allowed by its SHA-256 hash (the pages are
rendered whole per request, no nonce needed). Forms may post only where the page's forms
post (its own origin for a form without an absolute action, PayU's checkout for PayU's),
plus where that post redirects the payer (the app's return and cancel URLs): browsers
check form-action on those redirects too.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

_INLINE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_FORM = re.compile(r"<form\b([^>]*)>", re.IGNORECASE)
_ACTION = re.compile(r"""\baction\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
NONE = "'none'"


def origin(url: str) -> str | None:
    """scheme://host[:port] of an absolute http(s) URL, else None."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def content_security_policy(page: str, redirects: Iterable[str | None] = ()) -> str:
    """The policy for `page`; `redirects`: where a post of its forms may send the payer."""
    sources: dict[str, list[str]] = {"script": [], "style": []}
    for tag, attributes, body in _INLINE.findall(page):
        if tag.lower() == "script" and _SRC.search(attributes):
            continue  # not inline: no hash for it, and no source allows it
        sources[tag.lower()].append(_hash(body))
    actions: list[str] = []
    for attributes in _FORM.findall(page):
        found = _ACTION.search(attributes)
        target = html.unescape(found[1] or found[2]) if found else ""
        actions.append(origin(target) or "'self'")
    if actions:
        actions += [o for o in map(origin, filter(None, redirects)) if o]
    directives = {
        "default-src": [NONE],
        **{f"{kind}-src": found for kind, found in sources.items() if found},
        "form-action": actions or [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(to))}" for name, to in directives.items())


def headers(page: str, redirects: Iterable[str | None] = ()) -> dict[str, str]:
    """The headers of a payment page (with selfcare.api's, which every answer gets)."""
    return {"Content-Security-Policy": content_security_policy(page, redirects)}
