"""What a browser or a cache may do with an answer: no answer is ever stored by a cache (they
are personal: invoices, PDFs, payment pages, errors naming ids) or sniffed as another type,
whoever answers (a function, API Gateway itself); the payment pages cannot be framed
(clickjacking) and run only their own inline style or script, posting only where the
payment goes."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import urlsplit

from local import demo
from tests.conftest import AS_OF
from tests.support.claims import claim

BASE = "/v1/tigo/home/co"
RETURN = "https://mi.tigo.com.co/pagos/resultado"
CANCEL = "http://localhost:8080/pagos/cancelado"  # a local app: another origin


def hardened(response) -> bool:
    return (
        response.headers.get("Cache-Control") == "no-store"
        and response.headers.get("X-Content-Type-Options") == "nosniff"
    )


def policy(response) -> dict[str, set[str]]:
    """The answer's Content-Security-Policy, directive -> sources."""
    found: dict[str, set[str]] = {}
    for directive in response.headers.get("Content-Security-Policy", "").split(";"):
        if directive.strip():
            name, *sources = directive.split()
            found[name.lower()] = set(sources)
    return found


def inline_hashes(page: str, tag: str) -> set[str]:
    """The CSP hash of each inline <tag> element of the page, as browsers compute it."""
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", page, re.S)
    }


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_kind_of_answer_is_never_stored_nor_sniffed(client, anonymous, stacks):
    customer = demo.demo_customers("co", AS_OF)[0]
    contract = customer["contracts"][0]
    invoice = contract["invoices"][-1]["invoiceId"]
    spool = f"{BASE}/billing/contracts/{contract['contractId']}/invoices/spool/{invoice}"
    link = client.get(f"{spool}/url").get_json()["URL"]
    origin = stacks["co"].functions()["BillingFunction"].environment["ALLOWED_ORIGINS"]
    origin = origin.split(",")[0].strip()
    answers = {
        "JSON": client.get(f"{BASE}/billing/contracts/{contract['contractId']}/balance"),
        "400 errorBody": client.get(f"{BASE}/billing/contracts/abc$def/invoices/"),
        "404 errorBody": client.get(f"{BASE}/billing/contracts/99999999/invoices/"),
        "413 errorBody": client.post(
            f"{BASE}/billing/contracts/{contract['contractId']}/invoices",
            data="x" * (17 * 1024),
            content_type="application/json",
        ),
        "unknown route": client.get(f"{BASE}/nowhere/at/all"),
        "no token": anonymous.get(f"{BASE}/billing/contracts/{contract['contractId']}/balance"),
        "PDF": client.get(f"{spool}/pdf", headers={"Accept": "application/pdf"}),
        "PDF as base64": client.get(f"{spool}/pdf"),
        "spool link PDF": anonymous.get(path_of(link), headers={"Accept": "application/pdf"}),
        "CORS": client.get(
            f"{BASE}/billing/contracts/{contract['contractId']}/balance",
            headers={"Origin": origin},
        ),
        "CORS errorBody": client.get(
            f"{BASE}/billing/contracts/99999999/invoices/", headers={"Origin": origin}
        ),
    }
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        "JSON": 200,
        "400 errorBody": 400,
        "404 errorBody": 404,
        "413 errorBody": 413,
        "unknown route": 404,
        "no token": 401,
        "PDF": 200,
        "PDF as base64": 200,
        "spool link PDF": 200,
        "CORS": 200,
        "CORS errorBody": 404,
    }
    assert answers["PDF"].headers["Content-Type"] == "application/pdf"
    assert answers["CORS"].headers["Access-Control-Allow-Origin"] == origin
    assert {name for name, answer in answers.items() if not hardened(answer)} == set()


def owing():
    return claim("co", lambda c: any(not i["hasPayment"] for i in c["contracts"][0]["invoices"]))


def test_the_sandbox_payment_page_cannot_be_framed_and_posts_only_to_itself(client):
    customer = owing()
    contract = customer["contracts"][0]["contractId"]
    invoices = client.get(f"{BASE}/billing/contracts/{contract}/invoices?limit=5").get_json()
    invoice = next(i for i in invoices if not i["hasPayment"] and i["dueAmount"] > 0)
    body = {
        "invoiceId": invoice["invoiceId"],
        "paymentAmount": invoice["dueAmount"],
        "customerInfo": {"customerId": "1", "email": "ana@example.com"},
        "returnUrl": RETURN,
        "cancelUrl": CANCEL,
    }
    created = client.post(
        f"{BASE}/billing/contracts/{contract}/invoices/{invoice['invoiceId']}/checkOut",
        data=json.dumps(body),
        content_type="application/json",
    )
    assert created.status_code == 201, created.get_json()
    url = path_of(created.get_json()["redirectUrl"])

    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<form" in text and hardened(page)
    csp = policy(page)
    assert csp["frame-ancestors"] == {"'none'"} and csp["default-src"] == {"'none'"}
    assert csp["base-uri"] == {"'none'"}
    # Its own inline style, nothing else inline; no script at all.
    assert csp["style-src"] == inline_hashes(text, "style") and len(csp["style-src"]) == 1
    assert "script-src" not in csp  # default-src 'none'
    # The form posts to the page itself, which then sends the payer back to the app.
    assert csp["form-action"] == {"'self'", "https://mi.tigo.com.co", "http://localhost:8080"}

    decided = client.post(url, data={"action": "cancel"})
    assert decided.status_code == 303 and hardened(decided)
    assert decided.headers["Location"].startswith(CANCEL)
