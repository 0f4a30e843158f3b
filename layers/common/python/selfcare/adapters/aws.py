"""AWS clients, created once per warm container on first use, and AWS errors mapped to ours.

boto3 is imported here lazily: a request that needs no AWS call never pays for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from selfcare.errors import Unavailable, UpstreamError, UpstreamTimeout

_clients: dict[str, Any] = {}
_lock = threading.Lock()

_BUSY = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "LimitExceededException",
}
_MISCONFIGURED = {
    "ResourceNotFoundException",
    "AccessDeniedException",
    "UnrecognizedClientException",
}


def client(service: str) -> Any:
    """A shared client for `service` (region, endpoint and credentials from the environment)."""
    found = _clients.get(service)
    if found is not None:
        return found
    with _lock:
        if service not in _clients:
            import boto3
            from botocore.config import Config

            config = Config(
                connect_timeout=2,
                read_timeout=5,
                retries={"mode": "standard", "max_attempts": 3},
                tcp_keepalive=True,
            )
            _clients[service] = boto3.session.Session().client(service, config=config)
        return _clients[service]


def reset_clients() -> None:
    """Forget every client (tests switching between moto backends; SnapStart restore)."""
    with _lock:
        _clients.clear()


@contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Turn botocore failures into 502/503/504 service errors that name `what` failed."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _BUSY:
            raise Unavailable(f"{what} is busy; retry shortly") from exc
        if code in _MISCONFIGURED:
            raise Unavailable(f"{what} is not available") from exc
        raise UpstreamError(f"{what} failed") from exc
    except (ReadTimeoutError, ConnectTimeoutError) as exc:
        raise UpstreamTimeout(f"{what} did not answer in time") from exc
    except EndpointConnectionError as exc:
        raise Unavailable(f"{what} is not reachable") from exc
    except BotoCoreError as exc:
        raise UpstreamError(f"{what} failed") from exc
