#!/usr/bin/env python3
"""Smoke test of one country's deployed Home Self Care API.

    SMOKE_TOKEN=<channel token> python tools/smoke.py --country gt \\
        --url https://<api>.execute-api.<region>.amazonaws.com/<stage>/v1/tigo/home/gt

Reads a demo customer's contracts and, for its first contract, the invoices, the balance and
the products: each must answer 200 with a JSON body of the contract's shape. Then an unknown
route must answer 404 and a request without a token 401, both as an errorBody. Prints one line
per check and a summary; exits 0 when every check passed, 1 when any failed, 2 on a usage
error.

The token (a channel token of the country's identity provider, with `selfcare.agent` and
`selfcare.read`) is read from an environment variable, never from the command line, and is
never printed. Against `make run`: SMOKE_TOKEN=$(make -s token ARGS='agent call-centre
--country co') python tools/smoke.py --url http://127.0.0.1:3000/v1/tigo/home/co --country co

Without SMOKE_TOKEN, the token is obtained at run time with the OAuth 2.0 client credentials
grant (RFC 6749 section 4.4), as CI does (a stored token would expire):

    SMOKE_TOKEN_URL      the provider's token endpoint (https; plain http only on loopback)
    SMOKE_CLIENT_ID      the channel's client and its secret, sent with HTTP Basic
    SMOKE_CLIENT_SECRET  (client_secret_basic); neither the secret nor the token is printed
    SMOKE_SCOPE          optional, default "selfcare.agent selfcare.read"
    SMOKE_AUDIENCE       optional, sent as `audience` (Auth0 and alike: the stack's JwtAudience)

The endpoint must answer 200 with a JSON `access_token` of `token_type` Bearer; anything else
(a refusal, no token, no answer) exits 2 before the API is called. SMOKE_TOKEN, when set, wins.

Standard library only: CI runs it with any Python 3.11+ and nothing installed.
"""

from __future__ import annotations

import argparse
import base64
import email.message
import http.client
import ipaddress
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

# The README's demo identity per country: (document type, document number).
DEMO_CUSTOMERS = {
    "co": ("cc", "10307011"),
    "gt": ("dpi", "6922051792006"),
    "sv": ("dui", "07925688-0"),
}
MAX_BODY = 1 << 20  # bytes read from one answer
USER_AGENT = "home-self-care-smoke/1"
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
DEFAULT_SCOPE = "selfcare.agent selfcare.read"
CLIENT_CREDENTIALS = ("SMOKE_TOKEN_URL", "SMOKE_CLIENT_ID", "SMOKE_CLIENT_SECRET")
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750 2.1: what a Bearer header may carry
_OAUTH_ERROR = re.compile(r"[\w.-]{1,64}")  # RFC 6749 5.2 error codes, e.g. invalid_client


class Usage(Exception):
    """A bad option or environment: exit code 2."""


class Failed(Exception):
    """A check's expectation was not met; the message says which."""


class NoToken(Exception):
    """The client credentials grant gave no usable token: exit code 2 (a setup error). The
    message names neither the client secret nor any token."""


@dataclass(frozen=True)
class ClientCredentials:
    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str
    audience: str


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    millis: int


@dataclass
class Result:
    name: str
    path: str
    outcome: str  # "ok", "FAIL" or "SKIP"
    detail: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: it would carry the bearer token to wherever it points."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: email.message.Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


class Client:
    """GETs paths below the base URL, with a timeout and bounded retries of transient failures
    (no answer, 429 or 5xx); the token goes only in the Authorization header."""

    def __init__(
        self, base: str, token: str, timeout: float, retries: int, retry_delay: float
    ) -> None:
        self.base = base
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self._opener = urllib.request.build_opener(_NoRedirect)

    def get(self, path: str, *, with_token: bool = True) -> Answer:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if with_token:
            headers["Authorization"] = f"Bearer {self.token}"
        # The base URL is checked to be http(s) (_base_url), so no file: or custom scheme.
        request = urllib.request.Request(self.base + path, headers=headers, method="GET")  # noqa: S310
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            started = time.monotonic()
            try:
                answer = self._send(request, started)
            except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
                if last:
                    raise Failed(f"no answer: {_reason(error)}") from None
            else:
                if last or not (answer.status == 429 or answer.status >= 500):
                    return answer
            time.sleep(self.retry_delay * (attempt + 1))
        raise AssertionError("unreachable")

    def _send(self, request: urllib.request.Request, started: float) -> Answer:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_BODY)
                status = response.status
                content_type = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:  # 4xx and 5xx (and 3xx: never followed)
            with error:
                body = error.read(MAX_BODY)
                status = error.code
                content_type = error.headers.get("Content-Type", "") if error.headers else ""
        if self.token:  # an answer that echoes the token must not carry it into the report
            body = body.replace(self.token.encode(), b"[token]")
        return Answer(status, body, content_type, int((time.monotonic() - started) * 1000))


def _client_credentials(environ: Mapping[str, str]) -> ClientCredentials | None:
    """The client credentials from the environment; None when none of them is set."""
    values = {name: environ.get(name, "").strip() for name in CLIENT_CREDENTIALS}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise Usage(f"incomplete client credentials: set {' and '.join(missing)} too")
    return ClientCredentials(
        token_url=_token_url(values["SMOKE_TOKEN_URL"]),
        client_id=values["SMOKE_CLIENT_ID"],
        client_secret=values["SMOKE_CLIENT_SECRET"],
        scope=" ".join(environ.get("SMOKE_SCOPE", "").split()) or DEFAULT_SCOPE,
        audience=environ.get("SMOKE_AUDIENCE", "").strip(),
    )


def _token_url(url: str) -> str:
    """The token endpoint: https (http only on loopback), no credentials or fragment; its query,
    if any, is kept (RFC 6749 3.2). The URL itself is not echoed in the errors."""
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname
        parsed.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise Usage("SMOKE_TOKEN_URL is not a URL") from None
    if parsed.scheme not in ("https", "http") or not host:
        raise Usage("SMOKE_TOKEN_URL must be an http(s) URL")
    if parsed.username or parsed.password or parsed.fragment:
        raise Usage("SMOKE_TOKEN_URL must not carry credentials or a fragment")
    if parsed.scheme == "http" and not _loopback(host):
        raise Usage("SMOKE_TOKEN_URL must be https (plain http only for a server on loopback)")
    return url


def _endpoint(url: str) -> str:
    """The token endpoint as shown in messages: scheme, host, port and path (no query)."""
    parsed = urllib.parse.urlsplit(url)
    host = f"[{parsed.hostname}]" if ":" in (parsed.hostname or "") else parsed.hostname
    port = f":{parsed.port}" if parsed.port else ""
    return urllib.parse.urlunsplit((parsed.scheme, f"{host}{port}", parsed.path, "", ""))


def fetch_token(
    credentials: ClientCredentials, timeout: float, retries: int, retry_delay: float
) -> str:
    """An access token from the client credentials grant (RFC 6749 4.4): a form POST with the
    client authenticated by HTTP Basic (2.3.1: id and secret form-encoded first), never
    redirected (the Basic credentials would follow), with the same timeout and retries of
    transient failures as the checks."""
    form = {"grant_type": "client_credentials", "scope": credentials.scope}
    if credentials.audience:
        form["audience"] = credentials.audience
    pair = ":".join(
        urllib.parse.quote_plus(part) for part in (credentials.client_id, credentials.client_secret)
    )
    headers = {
        "Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii"),
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    # The URL is checked to be http(s) (_token_url), so no file: or custom scheme.
    request = urllib.request.Request(  # noqa: S310
        credentials.token_url,
        data=urllib.parse.urlencode(form).encode(),
        headers=headers,
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect)
    where = _endpoint(credentials.token_url)
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            status, body = _post(opener, request, timeout)
        except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
            if last:
                raise NoToken(f"token endpoint {where} unreachable: {_reason(error)}") from None
        else:
            if last or not (status == 429 or status >= 500):
                return _access_token(status, body, credentials.client_secret, where)
        time.sleep(retry_delay * (attempt + 1))
    raise AssertionError("unreachable")


def _post(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float
) -> tuple[int, bytes]:
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(MAX_BODY)
    except urllib.error.HTTPError as error:  # 4xx and 5xx (and 3xx: never followed)
        with error:
            return error.code, error.read(MAX_BODY)


def _access_token(status: int, body: bytes, secret: str, where: str) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if status != 200:
        raise NoToken(f"token endpoint {where} answered {status}{_oauth_error(answer, secret)}")
    if not isinstance(answer, dict):
        raise NoToken(f"token endpoint {where} answered 200 without a JSON object")
    token = answer.get("access_token")
    if not isinstance(token, str) or not token:
        raise NoToken(f"token endpoint {where} answered 200 without an access_token")
    token_type = answer.get("token_type")  # required (RFC 6749 5.1), any case (7.1)
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        shown = repr(token_type[:20]) if isinstance(token_type, str) else "none"
        raise NoToken(f"token endpoint {where} answered token_type {shown}, not Bearer")
    if not _B64TOKEN.fullmatch(token):
        raise NoToken(f"token endpoint {where} answered an access_token unfit for a Bearer header")
    return token


def _oauth_error(answer: Any, secret: str) -> str:
    """`: <error> <error_description>` of an OAuth error answer (RFC 6749 5.2), the secret and
    anything shaped like a JWT masked before it is cut short."""
    if not isinstance(answer, dict):
        return ""
    parts = []
    error, description = answer.get("error"), answer.get("error_description")
    if isinstance(error, str) and _OAUTH_ERROR.fullmatch(error):
        parts.append(error)
    if isinstance(description, str) and description:
        for hidden in {secret, urllib.parse.quote_plus(secret)}:
            description = description.replace(hidden, "[secret]")
        description = _JWT.sub("[jwt]", description)
        parts.append(repr(description[:200] + ("..." if len(description) > 200 else "")))
    return ": " + " ".join(parts) if parts else ""


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    return str(reason) or type(reason).__name__


def _excerpt(answer: Answer, size: int = 200) -> str:
    """The start of a body for the report, with anything shaped like a JWT masked first."""
    text = _JWT.sub("[jwt]", answer.body.decode("utf-8", "replace"))
    return repr(text[:size] + ("..." if len(text) > size else ""))


def _json(answer: Answer) -> Any:
    try:
        return json.loads(answer.body)
    except ValueError:
        raise Failed(f"body is not JSON: {_excerpt(answer)}") from None


def _expect_status(answer: Answer, status: int) -> None:
    if answer.status != status:
        raise Failed(f"expected {status}, got {answer.status}: {_excerpt(answer)}")


def _list_of(
    answer: Answer, key: str, kind: type | tuple[type, ...], *, non_empty: bool
) -> list[Any]:
    body = _json(answer)
    if not isinstance(body, list):
        raise Failed(f"expected a JSON list, got {type(body).__name__}")
    if non_empty and not body:
        raise Failed("expected at least one item, got an empty list")
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            raise Failed(f"item {index} is not an object")
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, kind) or value == "":
            raise Failed(f"item {index} has no valid {key!r}: {value!r}")
    return body


def _error_body(answer: Answer, status: int) -> str:
    _expect_status(answer, status)
    body = _json(answer)
    if not isinstance(body, dict) or not {"code", "message"} <= set(body):
        raise Failed(f"expected an errorBody {{code, message}}, got {body!r:.200}")
    if body["code"] != status or not isinstance(body["message"], str) or not body["message"]:
        raise Failed(f"errorBody does not match the status {status}: {body!r:.200}")
    return f"{status} errorBody: {body['message']}"


def run_checks(client: Client, doc_type: str, doc_number: str) -> list[Result]:
    results: list[Result] = []

    def check(name: str, path: str, run: Callable[[], str], *, needs: bool = True) -> None:
        if not needs:
            results.append(Result(name, path, "SKIP", "no contract to read"))
            return
        try:
            detail = run()
        except Failed as failure:
            results.append(Result(name, path, "FAIL", str(failure)))
        else:
            results.append(Result(name, path, "ok", detail))

    quote = urllib.parse.quote
    document = f"{quote(doc_type, safe='')}/customers/{quote(doc_number, safe='')}"
    customer = f"/billing/doc-type/{document}"
    contracts_path = f"{customer}/contracts"
    contract_ids: list[str] = []

    def contracts() -> str:
        answer = client.get(contracts_path)
        _expect_status(answer, 200)
        items = _list_of(answer, "contractId", str, non_empty=True)
        contract_ids.extend(item["contractId"] for item in items)
        return f"200, {len(items)} contract(s) ({answer.millis} ms)"

    check("contracts", contracts_path, contracts)
    contract = f"/billing/contracts/{quote(contract_ids[0], safe='')}" if contract_ids else ""
    have = bool(contract_ids)

    def invoices() -> str:
        answer = client.get(f"{contract}/invoices?limit=3")
        _expect_status(answer, 200)
        items = _list_of(answer, "invoiceId", str, non_empty=False)
        return f"200, {len(items)} invoice(s) ({answer.millis} ms)"

    def balance() -> str:
        answer = client.get(f"{contract}/balance")
        _expect_status(answer, 200)
        body = _json(answer)
        due = body.get("dueAmount") if isinstance(body, dict) else None
        if isinstance(due, bool) or not isinstance(due, int | float):
            raise Failed(f"expected a BillingBalance with a numeric dueAmount, got {body!r:.200}")
        return f"200, dueAmount {due} ({answer.millis} ms)"

    def products() -> str:
        answer = client.get(f"/portfolio/contracts/{quote(contract_ids[0], safe='')}/products")
        _expect_status(answer, 200)
        items = _list_of(answer, "productId", (int, float), non_empty=True)
        return f"200, {len(items)} product(s) ({answer.millis} ms)"

    shown = contract or "/billing/contracts/?"
    check("invoices", f"{shown}/invoices?limit=3", invoices, needs=have)
    check("balance", f"{shown}/balance", balance, needs=have)
    products_path = shown.replace("/billing/", "/portfolio/", 1) + "/products"
    check("products", products_path, products, needs=have)
    unknown = "/smoke-test/no-such-route"
    check("unknown route", unknown, lambda: _error_body(client.get(unknown), 404))
    check(
        "no token",
        contracts_path,
        lambda: _error_body(client.get(contracts_path, with_token=False), 401),
    )
    return results


def _redact(text: str, token: str) -> str:
    if token:
        text = text.replace(token, "[token]")
    return _JWT.sub("[jwt]", text)


def _base_url(url: str, country: str) -> str:
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise Usage(f"--url must be an http(s) URL, got {url!r}")
    if parsed.username or parsed.password or parsed.query or parsed.fragment:
        raise Usage("--url must not carry credentials, a query or a fragment")
    if parsed.scheme == "http" and not _loopback(parsed.hostname):
        raise Usage("--url must be https (plain http only for a local server on loopback)")
    base = urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, parsed.path, "", "")).rstrip("/")
    if not base.endswith(f"/{country}"):
        raise Usage(f"--url must be the {country} API's base URL (ending in /{country})")
    return base


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tools/smoke.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--url", required=True, help="the stack's ApiUrl output")
    parser.add_argument("--country", required=True, choices=sorted(DEMO_CUSTOMERS))
    parser.add_argument("--doc-type", help="demo customer's document type (default per country)")
    parser.add_argument("--doc-number", help="demo customer's document number")
    parser.add_argument(
        "--token-env",
        default="SMOKE_TOKEN",
        help="environment variable holding the bearer token (default SMOKE_TOKEN)",
    )
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per request")
    parser.add_argument("--retries", type=int, default=2, help="retries of 429/5xx/no answer")
    parser.add_argument("--retry-delay", type=float, default=3.0, help="seconds, grows per try")
    args = parser.parse_args(argv)

    token = os.environ.get(args.token_env, "").strip()
    credentials = None
    try:
        base = _base_url(args.url, args.country)
        if args.timeout <= 0 or args.retries < 0 or args.retry_delay < 0:
            raise Usage("--timeout must be positive, --retries and --retry-delay not negative")
        if not token:  # a token given wins over the client credentials
            credentials = _client_credentials(os.environ)
            if credentials is None:
                raise Usage(
                    f"no token: set the environment variable {args.token_env}, or "
                    f"{', '.join(CLIENT_CREDENTIALS[:-1])} and {CLIENT_CREDENTIALS[-1]} "
                    "for the client credentials grant"
                )
    except Usage as usage:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {usage}", file=sys.stderr)
        return 2
    if credentials is not None:
        try:
            token = fetch_token(credentials, args.timeout, args.retries, args.retry_delay)
        except NoToken as error:
            message = str(error).replace(credentials.client_secret, "[secret]")
            print(f"{parser.prog}: error: no token: {message}", file=sys.stderr)
            return 2

    doc_type, doc_number = DEMO_CUSTOMERS[args.country]
    doc_type = args.doc_type or doc_type
    doc_number = args.doc_number or doc_number
    client = Client(base, token, args.timeout, args.retries, args.retry_delay)
    print(f"smoke {args.country}: {base} (customer {doc_type.upper()} {doc_number})")
    if credentials is not None:
        print(
            f"smoke {args.country}: token from {_endpoint(credentials.token_url)} "
            f"(client credentials, scope {credentials.scope!r})"
        )
    results = run_checks(client, doc_type, doc_number)
    for result in results:
        line = f"  {result.outcome:<4}  {result.name:<13}  GET {result.path}  {result.detail}"
        print(_redact(line, token))
    passed = sum(result.outcome == "ok" for result in results)
    failed = sum(result.outcome == "FAIL" for result in results)
    skipped = len(results) - passed - failed
    summary = f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")
    print(f"smoke {args.country}: {summary}")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
