"""A fault-injecting HTTP proxy in front of the embedded AWS (moto's server).

Everything is forwarded unchanged (method, path, headers with Host and the SigV4
signature, body: moto does not check signatures) unless a rule set with `inject` matches
the request: then the proxy answers an error in DynamoDB's words, drops the connection,
corrupts the answer or holds the request, before or after moto applied it. It speaks
HTTP/1.1 with keep-alive, so it serves both our http.client DynamoDB client and botocore.

    def test_a_lost_answer(fault_proxy, client):  # the proxy in front of the session's moto
        fault_proxy.inject(Fault.ERROR_AFTER, operation="TransactWriteItems", table=TABLE)
        with fault_proxy.routed():  # every AWS client of the functions goes through it
            response = client.post(...)
        assert fault_proxy.calls[0] == ("TransactWriteItems", (TABLE,), Fault.ERROR_AFTER)

`FaultProxy(upstream=url)` gives one of your own (`start()`/`stop()`, or `with`), and
`routed_through(url)` points the code under test at any endpoint.
"""

from __future__ import annotations

import binascii
import contextlib
import enum
import http.client
import json
import os
import selectors
import socket
import socketserver
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any, NamedTuple
from unittest import mock
from urllib.parse import urlsplit

UPSTREAM_TIMEOUT = 60.0  # moto answers in milliseconds: only a safeguard
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",  # recomputed for the body actually sent
    }
)


class Fault(enum.Enum):
    """What the proxy does to a matching request. *_AFTER faults (and MALFORMED*) forward it
    first: moto applies it, the client just never learns the outcome."""

    THROTTLE = enum.auto()  # not forwarded; 400 ThrottlingException
    ERROR_BEFORE = enum.auto()  # not forwarded; 500 InternalServerError
    ERROR_AFTER = enum.auto()  # applied; 500 InternalServerError instead of the answer
    DROP_BEFORE = enum.auto()  # not forwarded; the connection is closed without an answer
    DROP_AFTER = enum.auto()  # applied; the connection is closed without an answer
    MALFORMED = enum.auto()  # applied; the answer's body truncated, its x-amz-crc32 kept
    MALFORMED_NO_CRC = enum.auto()  # the same without x-amz-crc32
    HANG = enum.auto()  # held unanswered until the client leaves, `release()` or `stop()`
    HANG_AFTER = enum.auto()  # applied, then held the same way
    TRANSACTION_IN_PROGRESS = enum.auto()  # not forwarded; 400 TransactionInProgressException
    TRANSACTION_CONFLICT = enum.auto()  # not forwarded; 400 TransactionCanceledException
    # with the first item's reason TransactionConflict (another transaction holds it)


# Faults answered by the proxy alone: (status, error code, message).
_ANSWERS: dict[Fault, tuple[int, str, str]] = {
    Fault.THROTTLE: (400, "ThrottlingException", "Rate exceeded"),
    Fault.ERROR_BEFORE: (500, "InternalServerError", "Internal server error (injected)"),
    Fault.TRANSACTION_IN_PROGRESS: (
        400,
        "TransactionInProgressException",
        "Another transaction with this ClientRequestToken is in progress (injected)",
    ),
    Fault.TRANSACTION_CONFLICT: (
        400,
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons",
    ),
}


class Call(NamedTuple):
    """A request that reached the proxy: its operation ("" if not an AWS JSON call), the
    tables it names, and the fault it got."""

    operation: str
    tables: tuple[str, ...]
    fault: Fault | None


@dataclass
class Rule:
    """Fault the `nth` matching call from now on and the `times - 1` after it (every one
    from the nth if `times` is None). `fired` counts the calls it faulted."""

    fault: Fault
    operation: str | None
    table: str | None
    nth: int
    times: int | None
    seen: int = 0
    fired: int = 0

    def matches(self, operation: str, tables: tuple[str, ...]) -> bool:
        return (self.operation is None or self.operation == operation) and (
            self.table is None or self.table in tables
        )

    def count(self) -> bool:
        """Count a matching call; whether it gets the fault."""
        self.seen += 1
        due = self.seen >= self.nth and (self.times is None or self.seen < self.nth + self.times)
        self.fired += due
        return due


class FaultProxy:
    """An HTTP/1.1 proxy on 127.0.0.1 (a free port) to `upstream`, injecting faults."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Condition()
        self._rules: list[Rule] = []
        self._calls: list[Call] = []
        self._held: list[_Hold] = []
        self._busy = 0  # requests being handled
        self._connections = 0
        self._server: _Server | None = None
        self._serving: threading.Thread | None = None

    # Life cycle --------------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._server = _Server(self)
        self._serving = threading.Thread(
            target=self._server.serve_forever, name=f"fault-proxy-{self.port}", daemon=True
        )
        self._serving.start()
        return self

    def stop(self) -> None:
        """Stop serving: held requests are dropped, open connections closed, threads ended."""
        server, serving = self._server, self._serving
        if server is None or serving is None:
            return
        server.shutdown()
        serving.join()
        self.release(go_on=False)
        server.close_connections()
        server.server_close()  # joins the connection threads
        self._server = self._serving = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("The proxy is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # Rules -------------------------------------------------------------------------------------
    def inject(
        self,
        fault: Fault,
        operation: str | None = None,
        table: str | None = None,
        nth: int = 1,
        times: int | None = 1,
    ) -> Rule:
        """Give `fault` to the `nth` call from now that matches `operation` (X-Amz-Target's
        last part: PutItem, GetSecretValue) and `table` (TableName, or any table named in
        RequestItems or TransactItems), and to the `times - 1` matching calls after it
        (None: every one until `clear()`). Each rule counts its matching calls on its own;
        when several are due, the first injected wins."""
        if nth < 1 or (times is not None and times < 1):
            raise ValueError("nth and times start at 1")
        rule = Rule(fault, operation, table, nth, times)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Forget every rule and the calls seen (held requests stay held)."""
        with self._lock:
            self._rules.clear()
            self._calls.clear()

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    @property
    def connections(self) -> int:
        """How many connections clients opened to the proxy so far."""
        with self._lock:
            return self._connections

    def wait_idle(self, calls: int = 0, timeout: float = 30.0) -> bool:
        """Wait until `calls` requests reached the proxy (since `clear()`) and none is being
        handled (a forwarded write is then applied); False if `timeout` passed first (a
        safeguard for a test that would otherwise block forever)."""
        with self._lock:
            return self._lock.wait_for(
                lambda: len(self._calls) >= calls and not self._busy, timeout
            )

    def routed(self) -> AbstractContextManager[None]:
        """`routed_through(self.url)`: the code under test reaches AWS through the proxy."""
        return routed_through(self.url)

    def _decide(self, operation: str, tables: tuple[str, ...]) -> Fault | None:
        with self._lock:
            self._busy += 1  # until `_done`
            fault = None
            for rule in self._rules:  # each matching rule counts the call
                if rule.matches(operation, tables) and rule.count() and fault is None:
                    fault = rule.fault
            self._calls.append(Call(operation, tables, fault))
            return fault

    def _done(self) -> None:
        with self._lock:
            self._busy -= 1
            self._lock.notify_all()

    # Held requests -----------------------------------------------------------------------------
    @property
    def held(self) -> int:
        """How many requests are held now (HANG, HANG_AFTER)."""
        with self._lock:
            return len(self._held)

    def wait_held(self, count: int = 1, timeout: float = 30.0) -> bool:
        """Wait until at least `count` requests are held; False if `timeout` passed first
        (a safeguard for a test that would otherwise block forever)."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._held) >= count, timeout)

    def release(self, go_on: bool = True) -> None:
        """Let every held request go on: a HANG is then forwarded and answered, a HANG_AFTER
        gets moto's answer; or, with `go_on=False`, drop them (close their connections
        without an answer). Requests held later are held again."""
        with self._lock:
            for hold in self._held:
                hold.wake(go_on)
            self._held.clear()

    def _hold(self, client: socket.socket) -> bool:
        """Hold until released (True), or the client left or the proxy stopped (False)."""
        hold = _Hold()
        with self._lock:
            if self._server is None:
                return False
            self._held.append(hold)
            self._lock.notify_all()
        try:
            return hold.wait(client)
        finally:
            with self._lock:
                if hold in self._held:
                    self._held.remove(hold)
            hold.close()


class _Hold:
    """One held request: waits on its client's socket and a wake-up socket pair, never on
    a clock."""

    def __init__(self) -> None:
        self._wake_read, self._wake_write = socket.socketpair()
        self.released = False

    def wake(self, go_on: bool) -> None:
        self.released = go_on
        self._wake_write.send(b"!")

    def wait(self, client: socket.socket) -> bool:
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_read, selectors.EVENT_READ)
            selector.register(client, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_read:
                        return self.released
                    try:
                        more = client.recv(1, socket.MSG_PEEK)
                    except OSError:
                        return False
                    if not more:
                        return False  # the client closed its socket: it gave up
                    selector.unregister(client)  # it sent more (pipelined): only wake-ups now

    def close(self) -> None:
        self._wake_read.close()
        self._wake_write.close()


class _Server(socketserver.TCPServer):
    """A thread per connection; knows its connections so `stop()` can close them."""

    allow_reuse_address = True

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name=f"fault-proxy-{self.server_address[1]}-connection",
            daemon=True,
        )
        with self.proxy._lock:
            self.proxy._connections += 1
            self._open.add(request)
            self._threads = [known for known in self._threads if known.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self.proxy._lock:
                self._open.discard(request)
            self.shutdown_request(request)

    def close_connections(self) -> None:
        self._stopping = True
        with self.proxy._lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):  # ends the reads of idle kept-alive ones
                connection.shutdown(socket.SHUT_RDWR)

    def server_close(self) -> None:
        super().server_close()
        for thread in self._threads:
            thread.join()

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError) or self._stopping:
            return  # a client that left, or the proxy closing its connections
        super().handle_error(request, client_address)


class _Answer(NamedTuple):
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as AWS endpoints
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding"):
            self._reply(_Answer(501, "Not Implemented", [], b"chunked bodies are not proxied"))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        target = self.headers.get("X-Amz-Target") or ""
        request = _json(body) if target else {}
        proxy = self.server.proxy
        fault = proxy._decide(target.rpartition(".")[2], _tables(request))
        try:
            self._apply(fault, target, request, body)
        finally:
            proxy._done()

    do_GET = do_PUT = do_DELETE = do_PATCH = do_POST  # AWS JSON APIs only POST

    def _apply(
        self, fault: Fault | None, target: str, request: dict[str, Any], body: bytes
    ) -> None:
        if fault is None:
            self._reply(self._forward(body))
        elif fault in _ANSWERS:
            self._reply(_error(fault, target, request, self.headers.get("Content-Type")))
        elif fault is Fault.DROP_BEFORE:
            self.close_connection = True
        elif fault is Fault.HANG:
            if self.server.proxy._hold(self.connection):
                self._reply(self._forward(body))
            else:
                self.close_connection = True
        else:
            self._after(fault, self._forward(body), target, request)

    def _after(self, fault: Fault, answer: _Answer, target: str, request: dict[str, Any]) -> None:
        """A forwarded request's fault, once moto has applied it."""
        if fault is Fault.ERROR_AFTER:
            self._reply(_error(fault, target, request, self.headers.get("Content-Type")))
        elif fault in (Fault.MALFORMED, Fault.MALFORMED_NO_CRC):
            headers = [
                (name, value) for name, value in answer.headers if name.lower() != "x-amz-crc32"
            ]
            if fault is Fault.MALFORMED:  # DynamoDB's checksum of the real body
                headers.append(("x-amz-crc32", _crc32_of(answer)))
            self._reply(
                answer._replace(headers=headers, body=answer.body[: len(answer.body) // 2] or b"{")
            )
        elif fault is Fault.HANG_AFTER and self.server.proxy._hold(self.connection):
            self._reply(answer)
        else:  # DROP_AFTER, or a HANG_AFTER whose client left
            self.close_connection = True

    def _forward(self, body: bytes) -> _Answer:
        host, port = self.server.proxy.upstream
        upstream = http.client.HTTPConnection(host, port, timeout=UPSTREAM_TIMEOUT)
        try:
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    upstream.putheader(name, value)
            if body or self.headers.get("Content-Length") is not None:
                upstream.putheader("Content-Length", str(len(body)))
            upstream.endheaders(body or None)
            answer = upstream.getresponse()
            data = answer.read()
            headers = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
            return _Answer(answer.status, answer.reason, headers, data)
        except (OSError, http.client.HTTPException) as error:
            return _Answer(502, "Bad Gateway", [], f"upstream failed: {error!r}".encode())
        finally:
            upstream.close()

    def _reply(self, answer: _Answer) -> None:
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(answer.body)


def _json(body: bytes) -> dict[str, Any]:
    try:
        found = json.loads(body) if body else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _tables(request: dict[str, Any]) -> tuple[str, ...]:
    """The tables a DynamoDB request names (TableName, RequestItems, TransactItems)."""
    names = [request.get("TableName")]
    names.extend(request.get("RequestItems") or {})
    for item in request.get("TransactItems") or []:
        names.extend(
            action.get("TableName") for action in item.values() if isinstance(action, dict)
        )
    return tuple(dict.fromkeys(name for name in names if isinstance(name, str)))


def _error(fault: Fault, target: str, request: dict[str, Any], content_type: str | None) -> _Answer:
    """An error answer as the service sends it: DynamoDB's with its namespace and checksum."""
    dynamodb = target.startswith("DynamoDB_")
    status, code, message = _ANSWERS.get(fault, _ANSWERS[Fault.ERROR_BEFORE])
    if code == "InternalServerError" and not dynamodb:
        code = "InternalServiceError"  # Secrets Manager's name for it
    error: dict[str, Any] = {
        "__type": f"com.amazonaws.dynamodb.v20120810#{code}" if dynamodb else code,
        "message": message,
    }
    if fault is Fault.TRANSACTION_CONFLICT:
        items = request.get("TransactItems") or [None]
        error["CancellationReasons"] = [
            {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
            *({"Code": "None"} for _ in items[1:]),
        ]
        error["message"] += f" [TransactionConflict{', None' * (len(items) - 1)}]"
    data = json.dumps(error, separators=(",", ":")).encode()
    headers = [
        ("Content-Type", content_type or "application/x-amz-json-1.0"),
        ("x-amzn-RequestId", uuid.uuid4().hex),
    ]
    if dynamodb:
        headers.append(("x-amz-crc32", str(binascii.crc32(data))))
    return _Answer(status, http.client.responses[status], headers, data)


def _crc32_of(answer: _Answer) -> str:
    for name, value in answer.headers:
        if name.lower() == "x-amz-crc32":
            return value
    return str(binascii.crc32(answer.body))


# Pointing the code under test at an endpoint ---------------------------------------------------
@contextmanager
def routed_through(endpoint: str) -> Iterator[None]:
    """For the block, every AWS client of the code under test (our DynamoDB client,
    Powertools idempotency's and parameters' boto3 clients, new boto3 clients) reaches
    `endpoint`; afterwards the ones made meanwhile are forgotten again."""
    names = {
        "AWS_ENDPOINT_URL",
        *(name for name in os.environ if name.startswith("AWS_ENDPOINT_URL_")),
    }
    try:
        with mock.patch.dict(os.environ, dict.fromkeys(names, endpoint)):
            forget_clients()
            yield
    finally:
        forget_clients()


def forget_clients() -> None:
    """Drop every cached client (and cached secret) so the next call builds one from the
    environment: our DynamoDB client, the idempotency persistence layers (a boto3 client
    each), Powertools parameters' providers (a boto3 client and the values they keep)."""
    from selfcare import idempotency
    from selfcare.adapters import aws

    aws.reset_clients()
    idempotency._persistence.cache_clear()
    if "selfcare.adapters.boto" in sys.modules:  # its Secrets Manager client and secrets
        from selfcare.adapters import boto

        boto.forget()
    if "aws_lambda_powertools.utilities.parameters" in sys.modules:
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
