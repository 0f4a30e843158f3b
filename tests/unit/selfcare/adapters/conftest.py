"""A scripted HTTP server standing in for DynamoDB and the container credentials endpoint."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

SILENT = None  # never answers (until the test ends)


class RAW(bytes):
    """A body sent as these bytes, not as JSON."""


class Scripted(ThreadingHTTPServer):
    """127.0.0.1 on a free port answering the n-th request with `answers[n]` (the last one
    repeats): (status, JSON body[, headers[, seconds to wait first]]) or SILENT. Keeps each
    request it was sent in `seen`."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, answers):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers = answers
        self.seen = []
        self.arrived = threading.Condition()
        self.released = threading.Event()
        self.url = f"http://127.0.0.1:{self.server_port}"

    def wait_for(self, count):
        """The requests seen, once `count` have arrived."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.seen) >= count, timeout=10)
        return self.seen


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # kept-alive connections, as DynamoDB's

    def answer(self):
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with server.arrived:
            index = len(server.seen)
            server.seen.append(
                SimpleNamespace(
                    method=self.command,
                    path=self.path,
                    headers=self.headers,
                    body=body,
                    peer=self.client_address,
                )
            )
            server.arrived.notify_all()
        scripted = server.answers[min(index, len(server.answers) - 1)]
        if scripted is SILENT:
            server.released.wait(30)
            self.close_connection = True
            return
        status, payload, *more = scripted
        headers = more[0] if more else {}
        delay = more[1] if len(more) > 1 else 0
        server.released.wait(delay)
        data = payload if isinstance(payload, RAW) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """serve(*answers) starts a Scripted server; all are stopped when the test ends."""
    started = []

    def start(*answers):
        server = Scripted(list(answers))
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.released.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def keys(monkeypatch):
    """Credentials in the environment, as Lambda gives them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSCRIPTED")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "scripted-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
