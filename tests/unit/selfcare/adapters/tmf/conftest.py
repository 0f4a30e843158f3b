"""A scripted stand-in for an operator's BSS speaking TMF Open APIs: its OAuth2 token
endpoint issues tokens (tok-1, tok-2...) and the BSS answers each (method, path) with the
answers scripted for it, in order (the last one repeats), to the holders of a live token."""

from __future__ import annotations

import json
import ssl
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import pytest

TOKEN_PATH = "/oauth/token"
BASE_PATH = "/tmf-api"


class A(NamedTuple):
    """An answer: JSON `body` (bytes as they are), after `delay` seconds; `close` ends the
    connection after it (as an idle timeout would, without saying so)."""

    status: int
    body: Any = None
    headers: dict[str, str] = {}  # noqa: RUF012  (never mutated)
    delay: float = 0.0
    close: bool = False


DROP = A(0)  # the connection is closed without an answer


class Bss(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, context: Any = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        if context is not None:
            self.socket = context.wrap_socket(self.socket, server_side=True)
        scheme = "https" if context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server_port}"
        self.base_url, self.token_url = self.url + BASE_PATH, self.url + TOKEN_PATH
        self.routes: dict[tuple[str, str], list[A | Callable[[Any], A]]] = {}
        self.seen: list[Any] = []  # requests to the BSS
        self.tokens: list[Any] = []  # requests to the token endpoint
        self.token_answers: list[A] = []  # the first token requests' answers, then tokens
        self.expires_in: Any = 3600
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.released = threading.Event()  # ends every delay (at teardown)
        self.lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timed out) before a delayed answer is no error here."""
        if not isinstance(sys.exc_info()[1], ConnectionError | ssl.SSLError):
            super().handle_error(request, client_address)

    def script(self, method: str, path: str, *answers: A | Callable[[Any], A]) -> None:
        self.routes[(method, f"{BASE_PATH}/{path}")] = list(answers)

    def requests(self, method: str) -> list[Any]:
        return [r for r in self.seen if r.method == method]

    def answer(self, request: Any) -> A:
        with self.lock:
            if request.path == TOKEN_PATH:
                self.tokens.append(request)
                if len(self.tokens) <= len(self.token_answers):
                    return self.token_answers[len(self.tokens) - 1]
                token = f"tok-{len(self.tokens)}"
                self.issued.append(token)
                return A(
                    200,
                    {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in},
                )
            self.seen.append(request)
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in self.issued or token in self.revoked:
                return A(401, {"code": "401", "reason": "invalid_token"})
            answers = self.routes.get((request.method, request.path))
            if not answers:
                return A(404, {"code": "404", "reason": "Not found"})
            index = sum(
                1 for r in self.seen if (r.method, r.path) == (request.method, request.path)
            )
            scripted = answers[min(index, len(answers)) - 1]
        return scripted(request) if callable(scripted) else scripted


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # kept-alive connections
    server: Bss

    def answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = urlsplit(self.path)
        request = SimpleNamespace(
            method=self.command,
            target=self.path,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=self.headers,
            body=body,
            port=self.client_address[1],
        )
        answer = self.server.answer(request)
        if answer is DROP:
            self.close_connection = True
            return
        self.server.released.wait(answer.delay)
        data = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = answer.close

    do_GET = do_POST = do_PATCH = do_DELETE = answer

    def log_message(self, *args: Any) -> None:
        pass


def start(context: Any = None) -> Bss:
    server = Bss(context)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def stop(server: Bss) -> None:
    server.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def bss() -> Iterator[Bss]:
    server = start()
    yield server
    stop(server)
