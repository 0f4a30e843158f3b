"""One conformance suite for every backend (issue 13): the same API on Backend sandbox and on
Backend tmf (a TM Forum BSS, here local.tmf_standin over the same dataset) answers every read
of every demo identity byte for byte the same. Each walk (tests/support/walk.py) asks every
GET of the contract the identity has something to ask for, as the household itself, and
holds each answer to api/openapi.yaml (issue 2's demo walk, now on both backends)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from local import demo
from tests.conftest import AS_OF
from tests.support.walk import READS, Walk, not_applicable, walk_contract, walk_customer

COUNTRIES = ("co", "gt", "sv")
IDENTITIES = [(country, c) for country in COUNTRIES for c in demo.demo_customers(country, AS_OF)]
# A spool link is signed with its stack's own key and expires from when it was asked for:
# compared by what it names (contract and invoice), not by its signature or expiry.
SIGNED = re.compile(rb"/spool/documents/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+")


def _names(link: re.Match[bytes]) -> bytes:
    payload = link.group(1) + b"=" * (-len(link.group(1)) % 4)
    named = json.loads(base64.urlsafe_b64decode(payload))
    return b"/spool/documents/" + json.dumps({k: named[k] for k in ("c", "i")}).encode()


def walked(gateway, country, customer) -> dict[str, tuple[int, str, bytes]]:
    walk = Walk(gateway, country, customer)
    walk_customer(walk)
    for contract in customer["contracts"]:
        walk_contract(walk, contract)
    assert not walk.failures, "\n".join(walk.failures)
    assert walk.called == READS - not_applicable(country, customer)
    return {where: (s, t, SIGNED.sub(_names, b)) for where, (s, t, b) in walk.answers.items()}


def test_there_are_eighteen_demo_identities():
    assert len(IDENTITIES) == 18


@pytest.mark.parametrize(
    ("country", "customer"),
    IDENTITIES,
    ids=[f"{country}-{c['documentType']}-{c['customerId']}" for country, c in IDENTITIES],
)
def test_every_read_answers_the_same_on_both_backends(gateway, tmf_gateway, country, customer):
    sandbox = walked(gateway, country, customer)
    tmf = walked(tmf_gateway, country, customer)
    assert sandbox.keys() == tmf.keys()
    differ = [where for where in sandbox if sandbox[where] != tmf[where]]
    shown = [f"{w}\n  sandbox {sandbox[w]!r:.400}\n  tmf     {tmf[w]!r:.400}" for w in differ[:5]]
    assert not differ, f"{len(differ)} of {len(sandbox)} reads differ:\n" + "\n".join(shown)
