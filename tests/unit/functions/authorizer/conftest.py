"""The authorizer loaded as Lambda loads it (app.py imported under the stack's environment),
against the local identity provider's JWKS served over real HTTP."""

from __future__ import annotations

import importlib.util
import io
import itertools
import json
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from local import auth

CODE = Path(__file__).resolve().parents[4] / "functions" / "authorizer"
if str(CODE) not in sys.path:
    sys.path.insert(0, str(CODE))

METHOD_ARN = (
    "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET"
    "/v1/tigo/home/co/billing/contracts/84257928/balance"
)
STAGE_WILDCARD = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*/*"
_loads = itertools.count()


def closed_port_url() -> str:
    """A JWKS URL where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{auth.JWKS_PATH}"


@dataclass
class Context:
    function_name: str = "home-self-care-authorizer-co-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:authorizer"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"


@pytest.fixture(scope="session")
def local_keys(tmp_path_factory: pytest.TempPathFactory) -> auth.LocalKeys:
    return auth.keys(tmp_path_factory.mktemp("jwt"))


@pytest.fixture
def jwks(local_keys: auth.LocalKeys) -> Iterator[auth.JwksServer]:
    with auth.serve_jwks(local_keys) as server:
        yield server


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the authorizer's Powertools Logger writes (one JSON object per line)."""
    from aws_lambda_powertools import Logger

    Logger(service="authorizer")  # the handler every instance of the service shares
    handler = logging.getLogger("authorizer").handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    captured = io.StringIO()
    # swap without setStream: it flushes the old stream, which an earlier test's capture
    # may already have closed
    previous, handler.stream = handler.stream, captured
    yield captured
    handler.stream = previous


class Authorizer:
    """One container of the authorizer, as API Gateway calls it."""

    def __init__(self, module: ModuleType, logs: io.StringIO) -> None:
        self.module = module
        self.logs = logs

    def __call__(
        self, token: str, *, scheme: str = "Bearer ", method_arn: str = METHOD_ARN
    ) -> dict[str, Any]:
        """The answer to a request bearing `token` (raises whatever the handler raises)."""
        event = {"type": "TOKEN", "authorizationToken": scheme + token, "methodArn": method_arn}
        answer: dict[str, Any] = self.module.handler(event, Context())
        return answer

    def refuse(self, token: str, *, scheme: str = "Bearer ") -> str:
        """Assert a 401 (an exception whose message is exactly Unauthorized); the logged reason."""
        with pytest.raises(Exception) as raised:
            self(token, scheme=scheme)
        assert type(raised.value) is Exception
        assert str(raised.value) == "Unauthorized"
        last = self.log_lines()[-1]
        assert last["message"] == "Refused"
        return str(last["reason"])

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logs.getvalue().splitlines()]


@pytest.fixture
def load_app(jwks: auth.JwksServer, logs: io.StringIO) -> Callable[..., Authorizer]:
    """A cold start: app.py imported afresh under COUNTRY, issuer, audience, JWKS URL..."""

    def load(**env: str | None) -> Authorizer:  # None: the variable is unset
        environment: dict[str, str | None] = {
            "COUNTRY": "co",
            "JWT_ISSUER": auth.ISSUER,
            "JWT_AUDIENCE": auth.AUDIENCE,
            "JWKS_URL": jwks.url,
            **env,
        }
        name = f"_authorizer_app_{next(_loads)}"
        spec = importlib.util.spec_from_file_location(name, CODE / "app.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        saved = dict(os.environ)
        for name in ("JWT_LEEWAY_SECONDS", "USAGE_PLAN_KEYS", *environment):
            os.environ.pop(name, None)
        os.environ.update({k: v for k, v in environment.items() if v is not None})
        try:
            spec.loader.exec_module(module)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return Authorizer(module, logs)

    return load


@pytest.fixture
def authorizer(load_app: Callable[..., Authorizer]) -> Authorizer:
    """The Colombian stack's authorizer."""
    return load_app()
