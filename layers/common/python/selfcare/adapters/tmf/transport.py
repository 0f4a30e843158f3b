"""HTTP/1.1 to the BSS and its token endpoint, in the manner of `selfcare.adapters.aws`: one
kept-alive connection per thread and origin, every attempt inside the invocation's budget,
jittered back-off between attempts, and no attempt that could apply a write twice.

https is always verified (the system's CAs), with a client certificate when one is given
(mTLS). Plain http is accepted on the loopback only (the local stand-in): anywhere else
client secrets and tokens would travel in the clear.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import NamedTuple
from urllib.parse import urlsplit

from selfcare import budget
from selfcare.errors import ServiceError, Unavailable, UpstreamTimeout
from selfcare.params import ascii_int

ATTEMPTS = 3
BACKOFF, BACKOFF_CAP = 0.1, 1.0  # full jitter over BACKOFF * 2^(n-1) seconds, at most the cap
RETRY_AFTER_CAP = 2.0  # a longer Retry-After is not waited for: the answer stands
MIN_TRY = 0.2  # seconds of budget a retry needs, after its pause, to be worth starting
MAX_ANSWER = 8 << 20  # bytes read of an answer; a longer one is unreadable
RETRIED = frozenset({429, 502, 503, 504})  # answers an idempotent request is sent again on
CONTEXTS_KEPT = 4  # client certificates' TLS contexts kept (a rotation adds one)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})  # the only hosts plain http may reach


class Origin(NamedTuple):
    secure: bool
    host: str
    port: int | None

    @classmethod
    def of(cls, url: str) -> tuple[Origin, str]:
        """(origin, path) of an https URL, or an http one to the loopback; ValueError else."""
        parts = urlsplit(url)
        if not parts.hostname or not (
            parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
        ):
            raise ValueError("not an https URL")
        return cls(parts.scheme == "https", parts.hostname, parts.port), parts.path

    def url(self, path: str) -> str:
        """A request's URL as traces show it: give `path` without its query string."""
        port = f":{self.port}" if self.port else ""
        return f"{'https' if self.secure else 'http'}://{self.host}{port}{path}"


class Answer(NamedTuple):
    status: int
    headers: http.client.HTTPMessage
    data: bytes  # at most MAX_ANSWER + 1 bytes
    ambiguous: bool  # an earlier attempt may have reached the server (and been applied)


class NoAnswer(Exception):
    """No answer came (timed out, refused, dropped) or only failures: `error` is the service
    error to raise. The circuit breaker counts it as the upstream's failure."""

    def __init__(self, error: ServiceError) -> None:
        super().__init__(error.message)
        self.error = error


class _NotSent(Exception):
    """The connection could not be opened: the request never left."""


class Transport:
    """Thread-safe: each thread keeps its own connection to each origin."""

    def __init__(self, what: str, attempt_timeout: float, counted: Callable[[], None]) -> None:
        self.what, self.attempt_timeout, self.counted = what, attempt_timeout, counted
        self._local = threading.local()

    def send(
        self,
        origin: Origin,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
        *,
        idempotent: bool,
        context: ssl.SSLContext | None = None,
    ) -> Answer:
        """The answer to the request, whatever its status. Sent again (up to ATTEMPTS times in
        all) while its connection cannot be opened, and when `idempotent` also on timeouts,
        dropped connections and RETRIED answers; never past the invocation's budget."""
        ambiguous = False
        for attempt in range(1, ATTEMPTS + 1):
            last: Answer | ServiceError
            wait = 0.0
            try:
                answer = self._exchange(origin, method, target, headers, body, context)
            except _NotSent:
                last = Unavailable(f"{self.what} is not reachable; retry shortly")
            except TimeoutError:
                self._drop(origin)
                last, ambiguous = UpstreamTimeout(f"{self.what} did not answer in time"), True
            except (OSError, http.client.HTTPException):  # reset, or closed before answering
                self._drop(origin)
                last, ambiguous = Unavailable(f"{self.what} is not reachable; retry shortly"), True
            else:
                last = answer._replace(ambiguous=ambiguous)
                if not (idempotent and answer.status in RETRIED):
                    return last
                ambiguous, wait = True, _retry_after(answer.headers)
            if isinstance(last, ServiceError) and ambiguous and not idempotent:
                raise NoAnswer(last)  # it may have been applied: never sent twice
            pause = max(_backoff(attempt), wait)
            if attempt == ATTEMPTS or wait > RETRY_AFTER_CAP or not budget.allows(pause + MIN_TRY):
                if isinstance(last, ServiceError):
                    raise NoAnswer(last)
                return last
            time.sleep(pause)
        raise AssertionError("unreachable")

    def _exchange(
        self,
        origin: Origin,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None,
        context: ssl.SSLContext | None,
    ) -> Answer:
        connection = self._connection(origin, context)
        if connection.sock is not None:
            connection.sock.settimeout(budget.timeout(self.attempt_timeout, self.what))
        self.counted()
        connection.request(method, target, body=body, headers=dict(headers))
        response = connection.getresponse()
        data = response.read(MAX_ANSWER + 1)
        if not response.isclosed():  # longer than we read: the connection is unusable
            self._drop(origin)
        return Answer(response.status, response.headers, data, False)

    def _connection(
        self, origin: Origin, context: ssl.SSLContext | None
    ) -> http.client.HTTPConnection:
        kept: dict[Origin, tuple[ssl.SSLContext | None, http.client.HTTPConnection]]
        kept = self._local.__dict__.setdefault("kept", {})
        context = (context or default_context()) if origin.secure else None
        found = kept.pop(origin, None)
        if found is not None:
            used, connection = found
            if used is context and connection.sock is not None and not _closed(connection.sock):
                kept[origin] = found
                return connection
            connection.close()  # closed by the other end, or made for rotated credentials
        timeout = budget.timeout(self.attempt_timeout, self.what)
        if context is not None:
            connection = http.client.HTTPSConnection(
                origin.host, origin.port, timeout=timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(origin.host, origin.port, timeout=timeout)
        try:
            connection.connect()
        except OSError as error:  # refused, unreachable, TLS refused, or timed out connecting
            connection.close()
            if isinstance(error, ssl.SSLError):  # no retry makes certificates match
                raise NoAnswer(Unavailable(f"{self.what} is not reachable securely")) from None
            raise _NotSent from error
        kept[origin] = (context, connection)
        return connection

    def _drop(self, origin: Origin) -> None:
        found = self._local.__dict__.get("kept", {}).pop(origin, None)
        if found is not None:
            found[1].close()


def _closed(sock: socket.socket) -> bool:
    """Has the other end closed this idle connection (it reads as ready: EOF)? Checked before
    reusing one, so a write is not sent on a connection that cannot take it."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


def _backoff(attempt: int) -> float:
    return random.random() * min(BACKOFF * 2 ** (attempt - 1), BACKOFF_CAP)  # noqa: S311  (jitter)


def _retry_after(headers: http.client.HTTPMessage) -> float:
    """Retry-After in seconds (its HTTP-date form counts as too long to wait)."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return 0.0
    seconds = ascii_int(value, 9)
    return RETRY_AFTER_CAP + 1.0 if seconds is None else float(seconds)


# --- TLS ---------------------------------------------------------------------------------------

_contexts: dict[str, ssl.SSLContext] = {}  # by the hash of certificate and key; "": none
_contexts_lock = threading.Lock()


def default_context() -> ssl.SSLContext:
    """The verifying context (the system's CAs), made on first https use."""
    with _contexts_lock:
        found = _contexts.get("")
        if found is None:
            found = _contexts[""] = ssl.create_default_context()
    return found


def tls_context(cert: str | None, key: str | None) -> ssl.SSLContext | None:
    """A verifying context presenting the client certificate `cert` (PEM chain) with its
    private `key` (PEM), made once per pair; None without a certificate."""
    if not cert:
        return None
    digest = hashlib.sha256(f"{cert}\0{key or ''}".encode()).hexdigest()
    with _contexts_lock:
        found = _contexts.get(digest)
        if found is None:
            found = _contexts[digest] = _with_client_certificate(cert, key, digest)
            while len(_contexts) > CONTEXTS_KEPT:
                _contexts.pop(next(k for k in _contexts if k not in ("", digest)))
    return found


def _with_client_certificate(cert: str, key: str | None, digest: str) -> ssl.SSLContext:
    """ssl loads a certificate chain from files only: they are written, named by the PEM's
    hash, in a private directory (0700, files 0600) and removed once loaded."""
    import tempfile

    context = ssl.create_default_context()
    folder = tempfile.mkdtemp(prefix="tmf-")
    paths = [os.path.join(folder, f"{digest[:16]}.{ext}") for ext in ("crt", "key")]
    try:
        for path, text in zip(paths, (cert, key or ""), strict=True):
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(text)
        context.load_cert_chain(paths[0], paths[1] if key else None)
    finally:
        for path in paths:
            with suppress(FileNotFoundError):
                os.remove(path)
        os.rmdir(folder)
    return context
