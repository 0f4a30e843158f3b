"""The sandbox gateway's hosted payment page (what a payer sees at the redirectUrl)."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from selfcare.countries import Country
from selfcare.payments import Outcome

TEST_CARDS = (
    ("4111 1111 1111 1111", "VISA, aprobada"),
    ("5555 5555 5555 4444", "MASTERCARD, aprobada"),
    ("4000 0000 0000 0002", "rechazada"),
    ("4000 0000 0000 9995", "fondos insuficientes"),
    ("4000 0000 0000 0259", "queda pendiente"),
)
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}"
    "input{font-size:1.1rem;width:100%;padding:.5rem;margin:.5rem 0}"
    "button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}"
    "small{color:#555}"
)


EXPIRED = "Pago vencido: el tiempo para pagar terminó; no se cobró nada"


def page(session: dict[str, Any], country: Country, error: str | None = None) -> str:
    amount = country.money(session["amount"])
    cards = "".join(f"<li><code>{n}</code> {escape(what)}</li>" for n, what in TEST_CARDS)
    decided = session["status"] != "pending"
    form = (
        f"<p>{EXPIRED}</p>"
        if session["status"] == "expired"
        else "<p>Este pago ya fue procesado.</p>"
        if decided
        else """<form method="post">
  <label>Número de tarjeta <input name="cardNumber" inputmode="numeric" autocomplete="off"
    placeholder="4111 1111 1111 1111"></label>
  <button name="action" value="pay">Pagar</button>
  <button name="action" value="cancel">Cancelar</button>
</form>"""
    )
    problem = f'<p role="alert">{escape(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Pasarela de pruebas</title><style>{STYLE}</style></head>
<body><h1>Pasarela de pruebas</h1>
<p>{escape(str(session.get("description", "")))}</p>
<p><strong>{escape(session["currency"])} {amount}</strong></p>
{problem}{form}
<p><small>Sandbox: no se cobra nada. Tarjetas de prueba:</small></p><ul>{cards}</ul>
</body></html>"""


def result(outcome: Outcome) -> str:
    words = {
        "approved": "Pago aprobado",
        "declined": "Pago no aprobado",
        "pending": "Pago pendiente",
        "expired": EXPIRED,
    }
    return (
        '<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Resultado</title></head>'
        f"<body><h1>{escape(words.get(outcome.status, outcome.status))}</h1></body></html>"
    )


def back_to(url: str, outcome: Outcome) -> str:
    """The app's return (or cancel) URL, told which attempt and how it ended."""
    parts = urlsplit(url)
    extra = urlencode({"paymentToken": outcome.payment_token, "status": outcome.status})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
