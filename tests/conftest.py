"""Shared fixtures: the whole API (three country stacks from template.yaml) on moto,
reachable in process through the local runner's WSGI app."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The dataset date the committed events/ were built for: tests seed the same data.
AS_OF = date.fromisoformat(json.loads((ROOT / "events" / "manifest.json").read_text())["asOf"])
# More customers than `make run` seeds (the first 40 are the same people): tests that change
# data each claim customers of their own (tests/support/claims.py).
TEST_CUSTOMERS = 160


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import settings

    from local import demo

    # Property tests check behaviour, not speed (that is `make bench`): on two busy cores a
    # per-example deadline only turns slow examples into flaky failures.
    settings.register_profile("selfcare", deadline=None)
    settings.load_profile("selfcare")

    demo.CUSTOMERS = TEST_CUSTOMERS
    # On two cores running the suite in parallel (or beside another busy process), an
    # invocation takes several times what it takes in Lambda: runners built here (and
    # started as processes) give each function 6x its Timeout, and the functions' own time
    # budget follows, so a slow machine never reads as a slow dependency. Tests about
    # timeouts set their own (Gateway(timeouts=...), host.timeout_s).
    os.environ.setdefault("LOCAL_TIMEOUT_SCALE", "6")


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[str]:
    """moto's server on a free local port, as `make run` serves it: the functions reach it
    over HTTP like DynamoDB (their client is not botocore, which `mock_aws` patches), and
    boto3 (tests, Powertools idempotency and parameters) through AWS_ENDPOINT_URL."""
    import socket

    from local.embedded_aws import EmbeddedAwsServer
    from local.server import embedded_aws_env
    from selfcare.adapters import aws

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = EmbeddedAwsServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = dict(os.environ)
    os.environ.update(embedded_aws_env(endpoint))
    aws.reset_clients()
    yield endpoint
    aws.reset_clients()
    server.stop()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def _fault_proxy(embedded_aws):
    from tests.support.faults import FaultProxy

    with FaultProxy(upstream=embedded_aws) as proxy:
        yield proxy


@pytest.fixture
def fault_proxy(_fault_proxy):
    """A fault-injecting proxy in front of the session's embedded AWS, without rules or
    calls; `with fault_proxy.routed():` sends the functions' AWS calls through it
    (tests/support/faults.py)."""
    _fault_proxy.clear()
    yield _fault_proxy
    _fault_proxy.clear()
    _fault_proxy.release(go_on=False)
    assert _fault_proxy.wait_idle(), "the fault proxy is still busy"


@pytest.fixture(scope="session")
def jwks():
    """The local identity provider's JWKS over real HTTP, as the authorizer fetches it."""
    from local import auth

    with auth.serve_jwks(auth.keys()) as server:
        yield server


@pytest.fixture(scope="session")
def stacks(embedded_aws, jwks):
    from local.server import COUNTRIES, build, identity_parameters

    return build(COUNTRIES, AS_OF, identity_parameters(jwks.url))


@pytest.fixture(scope="session")
def gateway(stacks):
    from local.gateway import Gateway
    from local.server import local_function_env

    return Gateway(stacks, "co", local_function_env())


@pytest.fixture(scope="module")
def build_stacks(embedded_aws, jwks):
    """Stacks a suite builds for itself, apart from the session's: build_stacks(stage)."""
    from local.server import build, identity_parameters

    def made(stage: str, countries: tuple[str, ...] = ("co",)):
        return build(countries, AS_OF, identity_parameters(jwks.url), stage=stage)

    return made


@pytest.fixture(scope="session")
def tmf_standin():
    """The TM Forum stand-in (each country's BSS) on the tests' dataset, over real HTTP."""
    from local import demo, tmf_standin

    with tmf_standin.standin(AS_OF, demo.CUSTOMERS) as server:
        yield server


@pytest.fixture(scope="session")
def tmf_stacks(embedded_aws, jwks, tmf_standin):
    """The three stacks again (stage "tmf", tables of their own) with Backend tmf."""
    from local.server import COUNTRIES, build, identity_parameters

    return build(COUNTRIES, AS_OF, identity_parameters(jwks.url), stage="tmf", bss=tmf_standin)


@pytest.fixture(scope="session")
def tmf_gateway(tmf_stacks):
    from local.gateway import Gateway
    from local.server import local_function_env

    return Gateway(tmf_stacks, "co", local_function_env())


class TokenClient:
    """A WSGI client that sends a bearer token unless the request brings its own headers."""

    def __init__(self, gateway, token: str) -> None:
        from werkzeug.test import Client

        self._client = Client(gateway)
        self.token = token

    def open(self, *args, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Authorization", f"Bearer {self.token}")
        return self._client.open(*args, headers=headers, **kwargs)

    def get(self, *args, **kwargs):
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args, **kwargs):
        return self.open(*args, method="POST", **kwargs)

    def put(self, *args, **kwargs):
        return self.open(*args, method="PUT", **kwargs)

    def delete(self, *args, **kwargs):
        return self.open(*args, method="DELETE", **kwargs)


@pytest.fixture(scope="session")
def agent_token() -> str:
    """A channel (call centre) token with every scope: reaches every customer."""
    from local import auth

    return auth.agent_token("call-centre", ttl=6 * 3600)


@pytest.fixture
def client(gateway, agent_token):
    return TokenClient(gateway, agent_token)


@pytest.fixture
def anonymous(gateway):
    from werkzeug.test import Client

    return Client(gateway)
