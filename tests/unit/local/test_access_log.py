"""The local runner's access log (one line per request on the console) shows no card
number, whether it came in a path or in a query string."""

from __future__ import annotations

import re

from werkzeug.test import Client

from local.server import access_log

PAN = "4539148803436467"  # Luhn-valid; its hidden digits 880343 appear nowhere else


def answer(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b"{}"]


def test_card_numbers_in_paths_and_queries_are_masked_in_the_access_log(capsys):
    client = Client(access_log(answer))
    client.get(f"/v1/tigo/home/co/tokenization/cards/{PAN}/cardtokens/")
    client.get("/v1/tigo/home/co/billing/contracts/84257928/invoices", query_string={"pan": PAN})
    client.get(f"/v1/tigo/home/co/billing/contracts/{PAN[:4]}-{PAN[4:8]}-{PAN[8:12]}-{PAN[12:]}")
    grouped = " ".join(PAN[i : i + 4] for i in range(0, 16, 4))
    client.get("/v1/tigo/home/co/billing/search", query_string={"q": grouped})  # q=4111+1111...
    logged = capsys.readouterr().err
    assert len(logged.splitlines()) == 4 and " -> 404 " in logged
    for line in logged.splitlines():
        assert PAN[6:12] not in re.sub(r"[^0-9]", "", line), line
    assert "/tokenization/cards/453914XXXXXX6467/cardtokens/" in logged
    assert "/billing/contracts/84257928/invoices?" in logged  # ids that are not cards stay
