import pytest

from billing import spool
from selfcare.api import public_base_url
from selfcare.errors import Forbidden, InvalidParameter

KEY = b"k" * 32


def test_a_signed_link_names_its_invoice_until_it_expires():
    token = spool.sign(KEY, "12345678", "F-1", ttl=900, now=1_000_000)
    spool.check_token_shape(token)
    assert spool.verify(KEY, token, now=1_000_000 + 899) == ("12345678", "F-1")
    with pytest.raises(Forbidden, match="expired"):
        spool.verify(KEY, token, now=1_000_000 + 901)


def test_tampered_or_foreign_links_are_refused():
    token = spool.sign(KEY, "12345678", "F-1", ttl=900, now=1_000_000)
    payload, signature = token.split(".")
    other = spool.sign(KEY, "87654321", "F-2", ttl=900, now=1_000_000).split(".")[0]
    for forged in (f"{other}.{signature}", f"{payload}.{signature[:-2]}AA", f"{payload}."):
        with pytest.raises(Forbidden):
            spool.verify(KEY, forged, now=1_000_000)
    with pytest.raises(Forbidden):
        spool.verify(b"another key" * 3, token, now=1_000_000)


@pytest.mark.parametrize("token", ["short", "a" * 600, "no-dot-here-but-long-enough"])
def test_malformed_tokens_are_400(token):
    with pytest.raises(InvalidParameter):
        spool.check_token_shape(token)


def test_base_url_is_the_one_the_request_came_through():
    event = {
        "headers": {"X-Forwarded-Proto": "https", "Host": "ignored"},
        "requestContext": {
            "domainName": "abc.execute-api.us-east-1.amazonaws.com",
            "path": "/prod/v1/tigo/home/co/billing/contracts/1/invoices/spool/2/url",
        },
    }
    assert (
        public_base_url(event)
        == "https://abc.execute-api.us-east-1.amazonaws.com/prod/v1/tigo/home/co"
    )
