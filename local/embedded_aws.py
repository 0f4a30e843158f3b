"""moto as the embedded AWS, made safe for concurrent callers.

Real DynamoDB applies each request atomically, whatever the concurrency; moto's in-memory
backends are not thread-safe (a transaction deep-copies a table while another thread
writes to it). Serializing moto's requests gives the local runner and the tests
DynamoDB's atomicity without changing anything the functions see.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

_one_request_at_a_time = threading.RLock()


class EmbeddedAwsServer(ThreadedMotoServer):
    """moto's server on 127.0.0.1, answering one request at a time."""

    _failed: OSError | None = None

    def _server_entry(self) -> None:
        moto_app = DomainDispatcherApplication(create_backend_app)

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with _one_request_at_a_time:
                return list(moto_app(environ, start_response))

        try:
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
        except OSError as error:  # the port is taken: start() says so instead of waiting
            self._failed = error
            self._server_ready_event.set()
            return
        self._server_ready_event.set()
        self._server.serve_forever()

    def start(self) -> None:
        self._failed = None
        super().start()
        if self._failed is not None:
            raise self._failed


@contextmanager
def serialized_mock() -> Iterator[None]:
    """moto's in-process `mock_aws`, with its requests serialized the same way."""
    from moto import mock_aws
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__

    def one_at_a_time(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _one_request_at_a_time:
            return original(self, *args, **kwargs)

    BotocoreStubber.__call__ = one_at_a_time  # type: ignore[method-assign]
    try:
        with mock_aws():
            yield
    finally:
        BotocoreStubber.__call__ = original  # type: ignore[method-assign]
