"""The issuer's keys: fetched over HTTP once per container, refreshed, and an unreachable
issuer told apart from a bad token."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import jwt
import pytest

from local import auth
from tests.unit.functions.authorizer.conftest import closed_port_url


class Clock:
    """PyJWT's monotonic clock, movable: the key set cache and refresh cooldown read it."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset


@pytest.fixture
def clock(monkeypatch):
    found = Clock()
    for module in ("jwt.api_jwk", "jwt.jwk_set_cache", "jwt.jwks_client"):
        monkeypatch.setattr(f"{module}.time", SimpleNamespace(monotonic=found.monotonic))
    return found


def unavailable(authorizer, token: str) -> Exception:
    """The authorizer fails without refusing: API Gateway answers AUTHORIZER_FAILURE (503)."""
    with pytest.raises(Exception) as raised:
        authorizer(token)
    assert str(raised.value) != "Unauthorized"
    return raised.value


def test_keys_are_fetched_once_per_container(authorizer, local_keys, jwks):
    authorizer(auth.customer_token("cc", "10307011", keys=local_keys))
    authorizer(auth.agent_token(alg="ES256", keys=local_keys))
    assert jwks.hits == 1


def test_cached_keys_outlive_an_issuer_outage(authorizer, local_keys, jwks):
    token = auth.customer_token("cc", "10307011", keys=local_keys)
    authorizer(token)
    jwks.stop()
    assert authorizer(token)["context"]["customerId"] == "10307011"


def test_unreachable_issuer_is_not_the_callers_fault(load_app, local_keys):
    authorizer = load_app(JWKS_URL=closed_port_url())
    error = unavailable(authorizer, auth.customer_token("cc", "10307011", keys=local_keys))
    assert isinstance(error, RuntimeError)
    last = authorizer.log_lines()[-1]
    assert last["message"] == "Identity provider unavailable"
    assert last["level"] == "ERROR"


@pytest.mark.parametrize(
    "body",
    [b"<html>Bad gateway</html>", b"[1, 2]", b'{"keys": []}', b'{"keys": [{"kty": "RSA"}]}'],
    ids=["html", "array", "no keys", "broken key"],
)
def test_issuer_answering_garbage_is_not_the_callers_fault(authorizer, local_keys, jwks, body):
    jwks.body = body
    unavailable(authorizer, auth.customer_token("cc", "10307011", keys=local_keys))


def test_issuer_answering_404_is_not_the_callers_fault(load_app, local_keys, jwks):
    authorizer = load_app(JWKS_URL=jwks.url.replace("jwks.json", "missing.json"))
    unavailable(authorizer, auth.customer_token("cc", "10307011", keys=local_keys))


def test_a_withdrawn_key_stops_verifying_when_the_cache_expires(
    authorizer, local_keys, jwks, clock, tmp_path
):
    token = auth.customer_token("cc", "10307011", keys=local_keys)
    authorizer(token)
    jwks.body = json.dumps(auth.keys(tmp_path).jwks()).encode()  # the issuer rotated
    clock.offset = 200
    assert authorizer(token)["context"]["customerId"] == "10307011"  # cached 5 minutes
    clock.offset = 301
    assert authorizer.refuse(token) == "unknown key"
    assert jwks.hits == 2


def test_a_new_key_is_fetched_once_the_refresh_cooldown_is_over(
    authorizer, local_keys, jwks, clock, tmp_path
):
    authorizer(auth.customer_token("cc", "10307011", keys=local_keys))
    rotated = auth.keys(tmp_path)
    jwks.body = json.dumps(rotated.jwks()).encode()
    token = auth.customer_token("cc", "10307011", keys=rotated)
    assert authorizer.refuse(token) == "unknown key"  # right after a fetch: no refresh
    clock.offset = 31
    assert authorizer(token)["context"]["customerId"] == "10307011"
    assert jwks.hits == 2


def test_unknown_kids_do_not_hammer_the_issuer(authorizer, local_keys, jwks):
    authorizer(auth.customer_token("cc", "10307011", keys=local_keys))
    for n in range(5):
        kid = {"kid": f"random-{n}"}
        token = jwt.encode(auth.claims(), local_keys.rsa_private, "RS256", headers=kid)
        assert authorizer.refuse(token) == "unknown key"
    assert jwks.hits == 1


@pytest.mark.parametrize(
    "env",
    [
        {"JWKS_URL": "file:///etc/jwks.json"},  # PyJWKClient fetches http(s) only
        {"JWT_ISSUER": None},
        {"JWT_AUDIENCE": None},
        {"JWKS_URL": None},
        {"COUNTRY": "mx"},
        {"USAGE_PLAN_KEYS": "mitigo-app=key"},
        {"USAGE_PLAN_KEYS": '{"mitigo-app": 7}'},
        {"JWT_LEEWAY_SECONDS": "-1"},
    ],
    ids=lambda env: ",".join(f"{k}={v}" for k, v in env.items()),
)
def test_misconfiguration_fails_the_cold_start(load_app, env):
    with pytest.raises(Exception) as raised:
        load_app(**env)
    assert str(raised.value) != "Unauthorized"
