"""The stand-in's HTTP side: OAuth2 client credentials, TMF630 reads (attribute filters,
`fields`, `offset`/`limit` with X-Total-Count, `sort`), merge-patch and create, and a fault
switch. One BSS per country under /<country>/tmf-api/ on 127.0.0.1, in a thread.

  POST /oauth2/token                      client credentials (HTTP Basic) -> Bearer token
  GET  /<cc>/tmf-api/<api>/<v>/<resource>[/<id>]   reads
  POST|PATCH|DELETE ...                   writes (see local.tmf_standin.writes)
  POST /_faults  {"status": 500, "times": 2, "delay": 1.5, "malformed": true, "drop": true,
                  "path": "customerBill", "method": "GET", "expire": true, "after": true}
                 (after: the request is processed first, its answer then lost)  DELETE clears
  GET  /_stats                            requests served per resource

Every answer is computed and encoded under the stand-in's lock (the collections change as
writes publish) and sent after it is released, so a slow client holds up no one else. A
request the stand-in fails on unexpectedly answers 500 with a TMF Error body naming the
error's type, rather than a dropped connection.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from local.serving import Served
from local.tmf_standin import query
from local.tmf_standin.engine import Bss
from local.tmf_standin.resources import Collections

CLIENT_ID, CLIENT_SECRET = "selfcare-local", "local-only-client-secret"
TOKEN_SECONDS = 3600


@dataclass
class Fault:
    """What the next matching requests suffer: an HTTP status, a delay before answering,
    a body that is not JSON, or every token taken for expired (401)."""

    status: int | None = None
    times: int = 1_000_000
    delay: float = 0.0
    malformed: bool = False
    path: str = ""  # a part of the request path; "" matches every request
    expire: bool = False
    method: str = ""  # "" matches every method
    after: bool = False  # suffer it after the request is processed (a write made, its answer lost)
    drop: bool = False  # close the connection without answering

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.path in path and (not self.method or self.method == method)


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    served: list[str] = field(default_factory=list)  # "METHOD collection", in order (tests)

    def count(self, key: str) -> None:
        self.requests[key] += 1
        self.served.append(key)
        del self.served[:-1000]


def encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value).__name__)


def payload(body: Any) -> bytes:
    """`body` as the JSON the stand-in sends (b"" for None)."""
    return b"" if body is None else json.dumps(body, default=encode, ensure_ascii=False).encode()


def error_body(status: int, reason: str) -> dict[str, str]:
    return {"code": str(status), "reason": reason, "@type": "Error"}


class TmfStandIn(Served):
    def __init__(self, countries: Mapping[str, Bss], port: int = 0) -> None:
        self.countries = dict(countries)
        self.tokens: dict[str, float] = {}  # access token -> expiry (monotonic)
        self.faults: list[Fault] = []
        self.idempotent: dict[tuple[str, str], tuple[str, Any]] = {}  # (country, key) -> answer
        self.stats = Stats()
        self.lock = threading.RLock()
        super().__init__(_handler(self), port)
        self.url = f"http://127.0.0.1:{self.port}"

    def base_url(self, country: str) -> str:
        return f"{self.url}/{country}/tmf-api"

    def secret(self) -> dict[str, str]:
        """The client-credentials secret the adapter reads from Secrets Manager."""
        return {
            "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "tokenUrl": f"{self.url}/oauth2/token",
        }

    def inject(self, **fault: Any) -> Fault:
        found = Fault(**fault)
        with self.lock:
            self.faults.append(found)
        return found

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()

    # Faults and tokens ------------------------------------------------------------------------
    def fault_for(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def issue_token(self, authorization: str) -> str | None:
        try:
            scheme, _, encoded = authorization.partition(" ")
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if scheme.lower() != "basic" or (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return None
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + TOKEN_SECONDS
        return token

    def authorized(self, authorization: str, fault: Fault | None) -> bool:
        token = authorization.removeprefix("Bearer ")
        with self.lock:
            expiry = self.tokens.get(token)
            if fault is not None and fault.expire:
                self.tokens.pop(token, None)
                return False
        return expiry is not None and expiry > time.monotonic()


def _handler(standin: TmfStandIn) -> type[BaseHTTPRequestHandler]:
    from local.tmf_standin import writes

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY: an answer goes out as two writes (headers, body); with Nagle on, the
        # body waits for the client's delayed ACK of the headers, ~40 ms on every request.
        disable_nagle_algorithm = True

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _answer(
            self,
            status: int,
            body: Any = None,
            headers: Mapping[str, str] | None = None,
            raw: bytes | None = None,
        ) -> None:
            self._send(status, payload(body) if raw is None else raw, headers)

        def _send(self, status: int, raw: bytes, headers: Mapping[str, str] | None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)

        def _error(self, status: int, reason: str) -> None:
            self._answer(status, error_body(status, reason))

        def _serve(self, method: str) -> None:
            try:
                body = self._body()
                parts = urlsplit(self.path)
                path = unquote(parts.path)
                if path == "/oauth2/token" and method == "POST":
                    return self._token(body)
                if path == "/_faults":
                    return self._faults(method, body)
                if path == "/_stats":
                    with standin.lock:
                        served = dict(standin.stats.requests)
                    return self._answer(200, served)
                fault = standin.fault_for(method, path)
                if not standin.authorized(self.headers.get("Authorization", ""), fault):
                    return self._error(401, "invalid or expired token")
                if fault is not None and not fault.after and self._suffer(fault):
                    return None
                segments = [s for s in path.split("/") if s]
                if len(segments) < 5 or segments[1] != "tmf-api":
                    return self._error(404, "no such resource")
                country, collection = segments[0], "/".join(segments[2:5])
                resource_id = "/".join(segments[5:]) or None
                headers: dict[str, str]
                with standin.lock:  # computed and encoded here; sent once it is released
                    bss = standin.countries.get(country)
                    if bss is not None:
                        standin.stats.count(f"{method} {collection}")
                    if bss is None:
                        status, found, headers = 404, error_body(404, "no such country"), {}
                    elif method == "GET":
                        params = parse_qsl(parts.query, keep_blank_values=True)
                        status, found, headers = _read(
                            bss.collections, collection, resource_id, params
                        )
                    else:
                        status, found, headers = writes.apply(
                            standin,
                            country,
                            bss,
                            method,
                            collection,
                            resource_id,
                            body,
                            self.headers,
                        )
                    raw = payload(found)
                if fault is not None and fault.after and self._suffer(fault):
                    return None  # the change is made; its answer is lost
                self._send(status, raw, headers)
            except (BrokenPipeError, ConnectionResetError):  # the client went away
                pass
            except Exception as error:  # a bug of the stand-in: answered, not a dropped connection
                self.close_connection = True  # the request's body may not have been read
                with contextlib.suppress(OSError):
                    self._error(500, f"the stand-in failed: {type(error).__name__}")

        def _suffer(self, fault: Fault) -> bool:
            """Apply `fault`; True when it answered (or dropped) the request itself."""
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return True
            if fault.malformed:
                self._answer(200, raw=b"<html>upstream proxy error</html>")
                return True
            if fault.status:
                self._error(fault.status, "injected fault")
                return True
            return False

        def _token(self, body: bytes) -> None:
            form = dict(parse_qsl(body.decode(errors="replace")))
            if form.get("grant_type") != "client_credentials":
                return self._answer(400, {"error": "unsupported_grant_type"})
            token = standin.issue_token(self.headers.get("Authorization", ""))
            if token is None:
                return self._answer(401, {"error": "invalid_client"})
            self._answer(
                200, {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}
            )

        def _faults(self, method: str, body: bytes) -> None:
            if method == "DELETE":
                standin.clear()
                return self._answer(204)
            try:
                standin.inject(**json.loads(body or b"{}"))
            except (TypeError, ValueError):
                return self._error(
                    400, "a fault is {status, times, delay, malformed, path, expire, method}"
                )
            self._answer(201, {"faults": len(standin.faults)})

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def log_message(self, format: str, *args: Any) -> None:  # quiet: bodies hold personal data
            pass

    return Handler


def _read(
    collections: Collections,
    collection: str,
    resource_id: str | None,
    params: list[tuple[str, str]],
) -> tuple[int, Any, dict[str, str]]:
    """A read's status, body and headers (under the stand-in's lock)."""
    items = collections.get(collection, {})
    fields = next((v for k, v in params if k == "fields"), None)
    if resource_id is not None:
        found = items.get(resource_id)
        if found is None:
            return 404, error_body(404, "not found"), {}
        return 200, query.select(found, fields), {}
    try:
        page, total = query.run(list(items.values()), params)
    except ValueError as error:
        return 400, error_body(400, str(error)), {}
    headers = {"X-Total-Count": str(total), "X-Result-Count": str(len(page))}
    return 200, [query.select(r, fields) for r in page], headers
