"""The transport to an operator's BSS speaking TM Forum Open APIs (v4): JSON over HTTP/1.1
with an OAuth2 client-credentials token (`oauth`), optional mTLS, retries of idempotent
calls and a circuit breaker (`breaker`), TMF pagination and partial responses (`fields`).

Stdlib only (cold starts): `transport` keeps one connection per thread, and `concurrently`
runs one operation's independent calls on a pool made on first use. Every failure is a
`selfcare.errors` error naming `what`, never the upstream's text, a URL's query or a token.
JSON numbers with a fraction are read as Decimal (money); Decimal is written as a number.
Base and token URLs must be https; http is for the local stand-in (on the loopback).
"""

from __future__ import annotations

import builtins
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlencode

from selfcare import tracing
from selfcare.adapters.tmf.breaker import Breaker
from selfcare.adapters.tmf.oauth import ClientCredentials, Tokens
from selfcare.adapters.tmf.transport import MAX_ANSWER, Answer, NoAnswer, Origin, Transport
from selfcare.errors import (
    BadRequest,
    Conflict,
    NotFound,
    ServiceError,
    Unavailable,
    UpstreamError,
    UpstreamTimeout,
)
from selfcare.params import ascii_int

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

__all__ = ["ClientCredentials", "TmfClient"]

T = TypeVar("T")
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH_QUERY = "application/json-patch-query+json"  # TMF630 JSON Patch with queries


class Rejected(UpstreamError):
    """The BSS refused a change as malformed (400/422): the caller's value, or ours (502
    unless the adapter knows which of the caller's values the BSS judged)."""


MAX_PAGES = 20  # pages `list` reads at most (page_size items each)
_PAGING = ("offset", "limit")


class TmfClient:
    """One BSS base URL (`https://bss.example/tmf-api`); paths are relative to it, raw (each
    segment is encoded here). Thread-safe; keep one per container."""

    def __init__(
        self,
        base_url: str,
        credentials: Callable[[], ClientCredentials],
        *,
        what: str = "The back office",
        attempt_timeout: float = 3.0,
        page_size: int = 100,
        workers: int = 4,
        failure_threshold: int = 5,
        cool_down: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        try:
            self.origin, base = Origin.of(base_url)
        except ValueError:
            raise Unavailable(f"{what} is not configured properly") from None
        self.base = base.rstrip("/")
        self.what, self.page_size, self.workers = what, page_size, workers
        self.calls = 0  # upstream HTTP requests made, token requests included
        self.transport = Transport(what, attempt_timeout, self._counted)
        self.tokens = Tokens(credentials, self.transport, what, clock)
        self.breaker = Breaker(what, failure_threshold, cool_down, clock)
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pooled = threading.local()

    # Calls ----------------------------------------------------------------------------------
    def get(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        fields: Sequence[str] | None = None,
    ) -> Any:
        """The resource's JSON (an object or an array); None when the BSS answers 404."""
        answer = self._call("GET", path, _query(params, fields))
        if answer.status == 404:
            return None
        found = self._json(answer)
        if not isinstance(found, dict | list):
            raise self.unreadable()
        return found

    def list(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a collection, page by page (`offset`/`limit`), up to `limit` items
        and at most MAX_PAGES pages; stops at X-Total-Count when the BSS sends it (a BSS may
        cap its pages below what we ask), else at a short page. [] on 404."""
        items: list[dict[str, Any]] = []
        wanted = self.page_size * MAX_PAGES if limit is None else min(limit, 1 << 30)
        base = {k: v for k, v in (params or {}).items() if k not in _PAGING}
        for _ in range(MAX_PAGES):
            asked = min(self.page_size, wanted - len(items))
            if asked <= 0:
                break
            paging = {**base, "offset": str(len(items)), "limit": str(asked)}
            answer = self._call("GET", path, _query(paging, fields))
            if answer.status == 404:
                break
            page = self._json(answer)
            if not isinstance(page, list) or not all(isinstance(i, dict) for i in page):
                raise self.unreadable()
            items.extend(page[: wanted - len(items)])
            total = _count(answer, "X-Total-Count")
            if not page or (len(page) != asked if total is None else len(items) >= total):
                break  # the last page (or, without a total, the BSS sent it all at once)
        return items

    def post(self, path: str, body: Any, key: str | None = None) -> Any:
        """The created resource's JSON (None when the answer has no body). Never sent again
        once it may have reached the BSS; `key` goes as its Idempotency-Key, so that the
        caller's own retry of the change is answered, not applied, a second time."""
        return self._write("POST", path, body, "application/json", key)

    def patch(self, path: str, body: Any, key: str | None = None, kind: str = MERGE_PATCH) -> Any:
        """JSON merge patch (RFC 7386), or `kind` (TMF630's JSON Patch Query); the
        resource's JSON (None without a body). Never sent again once it may have reached
        the BSS."""
        return self._write("PATCH", path, body, kind, key)

    def delete(self, path: str, key: str | None = None) -> None:
        """NotFound (404) when the BSS has no such resource (unless an earlier attempt of
        this call may have deleted it)."""
        answer = self._call("DELETE", path, key=key)
        if answer.status == 404 and not answer.ambiguous:
            raise NotFound(f"{self.what} has no such record")

    def concurrently(self, *calls: Callable[[], T]) -> builtins.list[T]:
        """Run independent calls of one operation in parallel: their results in order, or,
        once all have ended, the first one's error. Inside a pooled call they run in turn
        (a pool waiting on itself could wait forever)."""
        if len(calls) < 2 or getattr(self._pooled, "inside", False):
            return _gathered([_outcome(call) for call in calls])
        from concurrent.futures import wait

        futures = [self._executor().submit(_outcome, self._inside(call)) for call in calls]
        wait(futures)
        return _gathered([future.result() for future in futures])

    # Internals ------------------------------------------------------------------------------
    def _write(self, method: str, path: str, body: Any, kind: str, key: str | None) -> Any:
        data = json.dumps(body, separators=(",", ":"), default=_number).encode()
        answer = self._call(method, path, body=data, kind=kind, key=key)
        return self._json(answer) if answer.data.strip() else None

    def _call(
        self,
        method: str,
        path: str,
        query: str = "",
        body: bytes | None = None,
        kind: str = "",
        key: str | None = None,
    ) -> Answer:
        """The BSS's answer (2xx, or a 404 to a GET or DELETE), through the circuit breaker;
        any other answer raised as its service error."""
        target = f"{self.base}/{_path(path)}"
        probe = self.breaker.enter()
        ok: bool | None = None
        try:
            with tracing.remote_subsegment(
                self.origin.host, method, self.origin.url(target)
            ) as traced:
                answer = self._authorized(method, target + query, body, kind, key)
                traced(answer.status)
            ok = answer.status < 500
        except NoAnswer as failed:
            ok = False
            raise failed.error from None
        finally:
            self.breaker.leave(ok, probe)
        refused = self._refusal(method, answer.status)
        if refused is not None:
            raise refused
        return answer

    def _authorized(
        self, method: str, target: str, body: bytes | None, kind: str, key: str | None
    ) -> Answer:
        """Sent with the current token; once more with a new one when the BSS answers 401
        (it processed nothing, so a write may be sent again too)."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = kind
        if key is not None:
            headers["Idempotency-Key"] = key
        for renewed in (False, True):
            access = self.tokens.get()
            headers["Authorization"] = f"Bearer {access.token}"
            answer = self.transport.send(
                self.origin,
                method,
                target,
                headers,
                body,
                idempotent=method in ("GET", "DELETE"),
                context=access.context,
            )
            if answer.status != 401 or renewed:
                return answer
            self.tokens.forget(access)
        raise AssertionError("unreachable")

    def _refusal(self, method: str, status: int) -> ServiceError | None:
        what = self.what
        if 200 <= status < 300 or (status == 404 and method in ("GET", "DELETE")):
            return None
        if status == 404:
            return NotFound(f"{what} has no such record")
        if status == 409 and method != "GET":
            return Conflict(f"{what} refused the change: it conflicts with the record's state")
        if status == 401:
            return Unavailable(f"{what} refused our credentials")
        if status in (429, 503):
            return Unavailable(f"{what} is busy; retry shortly")
        if status == 504:
            return UpstreamTimeout(f"{what} did not answer in time")
        if status in (400, 422) and method != "GET":
            return Rejected(f"{what} rejected the change")
        if 400 <= status < 500:
            return UpstreamError(f"{what} rejected the request")
        return UpstreamError(f"{what} failed" if status >= 500 else f"{what} answered unexpectedly")

    def _json(self, answer: Answer) -> Any:
        if len(answer.data) > MAX_ANSWER:
            raise self.unreadable()
        try:
            return json.loads(answer.data, parse_float=Decimal)
        except ValueError:  # UnicodeDecodeError included
            raise self.unreadable() from None

    def unreadable(self) -> UpstreamError:
        """The 502 of an answer that is not what was asked for (naming none of it)."""
        return UpstreamError(f"{self.what} answered unreadably")

    def _counted(self) -> None:
        with self._lock:
            self.calls += 1

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="tmf")
            return self._pool

    def _inside(self, call: Callable[[], T]) -> Callable[[], T]:
        def pooled() -> T:
            self._pooled.inside = True
            return call()

        return pooled


def _path(path: str) -> str:
    """`path` with each segment percent-encoded (ids may hold any character but "/"). An
    empty or dot segment would name another resource: refused."""
    segments = path.lstrip("/").split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise BadRequest("An identifier is empty or malformed")
    return "/".join(quote(segment, safe=":@") for segment in segments)


def _query(params: Mapping[str, str] | None, fields: Sequence[str] | None) -> str:
    pairs = dict(params or {})
    if fields:
        pairs["fields"] = ",".join(fields)
    return f"?{urlencode(pairs, quote_via=quote, safe=',')}" if pairs else ""


def _count(answer: Answer, header: str) -> int | None:
    return ascii_int((answer.headers.get(header) or "").strip(), 18)


def _number(value: Any) -> Any:
    """json.dumps' fallback: a Decimal as a number (money)."""
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _outcome(call: Callable[[], T]) -> tuple[bool, Any]:
    try:
        return True, call()
    except Exception as error:
        return False, error


def _gathered(outcomes: list[tuple[bool, Any]]) -> list[Any]:
    for ok, value in outcomes:
        if not ok:
            raise value
    return [value for _, value in outcomes]
