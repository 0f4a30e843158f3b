"""tools/smoke.py, run as CI runs it (its own process, real HTTP) against a tiny local stand-in
of a deployed API that answers well or badly."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus

import pytest

from local.serving import Served

pytestmark = pytest.mark.subprocess  # runs tools/smoke.py

ROOT = Path(__file__).resolve().parents[3]
SMOKE = ROOT / "tools" / "smoke.py"
# JWT-shaped, not a real token: the output must never show it.
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzbW9rZS10ZXN0In0.c21va2Utc2lnbmF0dXJl"
STAGE = "/dev/v1/tigo/home"
NO_ROUTE = {"code": 404, "message": "No such route"}
NO_TOKEN = {"code": 401, "message": "A valid bearer token is required"}
# The client credentials grant: a secret that needs form-encoding in the Basic header
# (RFC 6749 2.3.1), and another JWT-shaped token, issued by the stub identity provider.
CLIENT_ID = "smoke-ci"
SECRET = "Zm9v+s3cr3t/with:colon~and%percent"
ISSUED = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzbW9rZS1jaSJ9.aXNzdWVkLXNpZ25hdHVyZQ"


@dataclass
class Reply:
    status: int
    body: Any  # JSON-serialisable, or bytes sent as they are
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    path: str
    authorization: str | None


def in_turn(reply: Reply | list[Reply]) -> Reply:
    """A list of replies is answered in turn, its last one repeated."""
    if isinstance(reply, list):
        return reply.pop(0) if len(reply) > 1 else reply[0]
    return reply


class Quiet(BaseHTTPRequestHandler):
    """A stub's request handler: sends replies, logs nothing."""

    def send(self, reply: Reply, headers: dict[str, str] | None = None) -> None:
        """`reply`'s body as JSON (bytes as they are), then `headers` and its own."""
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in [*(headers or {}).items(), *reply.headers.items()]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class StubApi(Served):
    """Answers like API Gateway in front of the stack: 401 errorBody without the bearer token,
    the configured replies by path (a list is answered in turn, its last reply repeated),
    404 errorBody for any other path."""

    def __init__(
        self,
        routes: dict[str, Reply | list[Reply]],
        *,
        check_token: bool = True,
        token: str = TOKEN,
    ):
        self.routes = routes
        self.check_token = check_token
        self.token = token
        self.seen: list[Seen] = []
        stub = self

        class Handler(Quiet):
            def do_GET(self) -> None:
                authorization = self.headers.get("Authorization")
                stub.seen.append(Seen(self.path, authorization))
                reply = stub.reply_for(self.path, authorization)
                time.sleep(reply.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send(reply)  # unless the client gave up (timeout)

        super().__init__(Handler)

    def reply_for(self, path: str, authorization: str | None) -> Reply:
        if self.check_token and authorization != f"Bearer {self.token}":
            return Reply(401, NO_TOKEN)
        return in_turn(self.routes.get(path, Reply(404, NO_ROUTE)))

    def url(self, country: str = "co") -> str:
        return f"http://127.0.0.1:{self.port}{STAGE}/{country}"

    def paths(self) -> list[str]:
        return [seen.path for seen in self.seen]


def healthy(
    country: str = "co", doc: str = "cc/customers/10307011"
) -> dict[str, Reply | list[Reply]]:
    base = f"{STAGE}/{country}"
    return {
        f"{base}/billing/doc-type/{doc}/contracts": Reply(
            200,
            [
                {"contractId": "84257928", "billingId": "1", "streetAddress": "Cl 1"},
                {"contractId": "31934610"},
            ],
        ),
        f"{base}/billing/contracts/84257928/invoices?limit=3": Reply(
            200, [{"invoiceId": "84257928-20261101", "dueAmount": 85400}]
        ),
        f"{base}/billing/contracts/84257928/balance": Reply(200, {"dueAmount": 85400.5}),
        f"{base}/portfolio/contracts/84257928/products": Reply(
            200, [{"productId": 7001, "productName": "Internet 300 Mbps"}]
        ),
    }


CONTRACTS = f"{STAGE}/co/billing/doc-type/cc/customers/10307011/contracts"
BALANCE = f"{STAGE}/co/billing/contracts/84257928/balance"
PRODUCTS = f"{STAGE}/co/portfolio/contracts/84257928/products"


def smoke(
    *args: str,
    token: str | None = TOKEN,
    timeout: float = 60,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMOKE_")}
    if token is not None:
        env["SMOKE_TOKEN"] = token
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, str(SMOKE), "--retries", "0", "--retry-delay", "0", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def line(output: str, name: str) -> str:
    return next(row for row in output.splitlines() if f"  {name}  " in row)


@pytest.fixture
def api() -> Iterator[StubApi]:
    with StubApi(healthy()) as stub:
        yield stub


def test_a_healthy_api_passes_every_check(api: StubApi) -> None:
    result = smoke("--url", api.url() + "/", "--country", "co")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke co: 6 passed, 0 failed" in result.stdout
    assert "200, 2 contract(s)" in line(result.stdout, "contracts")
    assert "dueAmount 85400.5" in result.stdout
    assert set(api.paths()) == {
        CONTRACTS,
        f"{STAGE}/co/billing/contracts/84257928/invoices?limit=3",
        BALANCE,
        PRODUCTS,
        f"{STAGE}/co/smoke-test/no-such-route",
    }
    without = [seen for seen in api.seen if seen.authorization is None]
    assert [seen.path for seen in without] == [CONTRACTS]
    assert all(seen.authorization == f"Bearer {TOKEN}" for seen in api.seen if seen not in without)
    assert TOKEN not in result.stdout + result.stderr


def test_each_country_reads_its_own_demo_customer() -> None:
    with StubApi(healthy("gt", "dpi/customers/6922051792006")) as gt:
        assert smoke("--url", gt.url("gt"), "--country", "gt").returncode == 0
    with StubApi(healthy("sv", "dui/customers/07925688-0")) as sv:
        assert smoke("--url", sv.url("sv"), "--country", "sv").returncode == 0
    with StubApi(healthy("co", "nit/customers/966119552-1")) as other:
        result = smoke(
            "--url",
            other.url(),
            "--country",
            "co",
            "--doc-type",
            "nit",
            "--doc-number",
            "966119552-1",
        )
        assert result.returncode == 0, result.stdout
        assert "(customer NIT 966119552-1)" in result.stdout


@pytest.mark.parametrize(
    "contracts",
    [
        {"contractId": "84257928"},  # an object, not a list
        [],  # nobody's contracts
        [{"id": "84257928"}],  # no contractId
        [{"contractId": 84257928}],  # not a string
        b"<html>Bad gateway</html>",  # not JSON
    ],
)
def test_contracts_of_the_wrong_shape_fail_and_skip_what_depends_on_them(contracts: Any) -> None:
    routes = healthy()
    routes[CONTRACTS] = Reply(200, contracts)
    with StubApi(routes) as api:
        result = smoke("--url", api.url(), "--country", "co")

    assert result.returncode == 1
    assert "FAIL  contracts" in result.stdout
    for name in ("invoices", "balance", "products"):
        assert f"SKIP  {name}" in line(result.stdout, name)
    assert "smoke co: 2 passed, 1 failed, 3 skipped" in result.stdout
    assert BALANCE not in api.paths()


def test_bad_bodies_of_the_other_reads_fail() -> None:
    routes = healthy()
    routes[BALANCE] = Reply(200, {"dueAmount": "85400"})  # a string, not a number
    routes[PRODUCTS] = Reply(200, [{"productName": "Internet"}])  # no productId
    with StubApi(routes) as api:
        result = smoke("--url", api.url(), "--country", "co")

    assert result.returncode == 1
    assert "FAIL  balance" in result.stdout and "numeric dueAmount" in result.stdout
    assert "FAIL  products" in result.stdout and "productId" in result.stdout
    assert "ok    invoices" in result.stdout
    assert "smoke co: 4 passed, 2 failed" in result.stdout


def test_an_unknown_route_must_answer_404_with_an_error_body() -> None:
    # API Gateway's own default for an unknown route (403 Missing Authentication Token):
    # the stack's gateway responses are missing.
    routes = healthy()
    routes[f"{STAGE}/co/smoke-test/no-such-route"] = Reply(
        403, {"message": "Missing Authentication Token"}
    )
    with StubApi(routes) as api:
        result = smoke("--url", api.url(), "--country", "co")
    assert result.returncode == 1
    assert "FAIL  unknown route" in result.stdout and "expected 404, got 403" in result.stdout

    routes = healthy()
    routes[f"{STAGE}/co/smoke-test/no-such-route"] = Reply(404, {"message": "Not Found"})
    with StubApi(routes) as api:
        result = smoke("--url", api.url(), "--country", "co")
    assert result.returncode == 1
    assert "errorBody" in line(result.stdout, "unknown route")


def test_an_api_that_answers_without_a_token_fails() -> None:
    with StubApi(healthy(), check_token=False) as api:
        result = smoke("--url", api.url(), "--country", "co")

    assert result.returncode == 1
    assert "FAIL  no token" in result.stdout and "expected 401, got 200" in result.stdout
    assert "smoke co: 5 passed, 1 failed" in result.stdout


def test_a_rejected_token_fails_every_read() -> None:
    with StubApi(healthy()) as api:
        result = smoke("--url", api.url(), "--country", "co", token="eyJhbGciOiJub25lIn0.e30.")

    assert result.returncode == 1
    assert "FAIL  contracts" in result.stdout and "expected 200, got 401" in result.stdout
    assert "eyJhbGciOiJub25lIn0" not in result.stdout


def test_server_errors_are_retried_a_bounded_number_of_times() -> None:
    routes = healthy()
    routes[BALANCE] = [
        Reply(503, {"code": 503, "message": "warming up"}),
        Reply(200, {"dueAmount": 0}),
    ]
    routes[PRODUCTS] = Reply(502, {"code": 502, "message": "Bad gateway"})
    with StubApi(routes) as api:
        result = smoke("--url", api.url(), "--country", "co", "--retries", "2")

    assert "ok    balance" in result.stdout  # the second try answered
    assert api.paths().count(BALANCE) == 2
    assert "FAIL  products" in result.stdout and "expected 200, got 502" in result.stdout
    assert api.paths().count(PRODUCTS) == 3  # the first try and two retries
    assert result.returncode == 1


def test_a_slow_answer_times_out() -> None:
    routes = healthy()
    routes[PRODUCTS] = Reply(200, [{"productId": 1}], delay=3)
    with StubApi(routes) as api:
        result = smoke("--url", api.url(), "--country", "co", "--timeout", "0.5")

    # the answer comes after 3 s: without the 0.5 s timeout, products would have passed
    assert result.returncode == 1
    assert "FAIL  products" in result.stdout and "no answer: timed out" in result.stdout
    assert "smoke co: 5 passed, 1 failed" in result.stdout
    assert "Traceback" not in result.stderr


def test_no_server_at_all_fails_without_a_traceback() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    result = smoke("--url", f"http://127.0.0.1:{port}{STAGE}/co", "--country", "co")

    assert result.returncode == 1
    assert "FAIL  contracts" in result.stdout and "no answer" in result.stdout
    assert "Traceback" not in result.stderr


def test_the_token_is_never_printed_even_when_an_answer_echoes_it() -> None:
    routes = healthy()
    routes[BALANCE] = Reply(500, {"code": 500, "message": f"bad token Bearer {TOKEN}"})
    routes[PRODUCTS] = Reply(500, b"debug: " + TOKEN[:-4].encode() + b"abcd")  # another JWT
    with StubApi(routes) as api:
        result = smoke("--url", api.url(), "--country", "co")

    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert TOKEN not in output
    assert TOKEN.split(".")[1] not in output  # not even its claims
    assert "[token]" in line(result.stdout, "balance")
    assert "[jwt]" in line(result.stdout, "products")


def test_a_redirect_is_not_followed_so_the_token_stays_here() -> None:
    routes = healthy()
    routes[CONTRACTS] = Reply(302, b"", headers={"Location": "/elsewhere"})
    with StubApi(routes) as api:
        result = smoke("--url", api.url(), "--country", "co")

    assert result.returncode == 1
    assert "expected 200, got 302" in line(result.stdout, "contracts")
    assert "/elsewhere" not in api.paths()


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        ("http://127.0.0.1:9/dev/v1/tigo/home/co", None, "no token: set the environment variable"),
        ("http://127.0.0.1:9/dev/v1/tigo/home/co", "  ", "no token"),
        ("http://api.example.com/dev/v1/tigo/home/co", TOKEN, "must be https"),
        ("https://api.example.com/dev/v1/tigo/home/gt", TOKEN, "ending in /co"),
        ("ftp://api.example.com/dev/v1/tigo/home/co", TOKEN, "http(s) URL"),
        ("https://user:pw@api.example.com/v1/tigo/home/co", TOKEN, "credentials"),
    ],
)
def test_usage_errors_exit_2_before_any_request(url: str, token: str | None, message: str) -> None:
    result = smoke("--url", url, "--country", "co", token=token)

    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert TOKEN not in result.stderr


def test_an_unknown_country_is_a_usage_error() -> None:
    result = smoke("--url", "https://api.example.com/v1/tigo/home/pe", "--country", "pe")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


# The client credentials grant (RFC 6749 4.4): what CI uses instead of a stored token.


@dataclass
class TokenRequest:
    path: str
    content_type: str | None
    client: tuple[str, str] | None  # HTTP Basic, form-decoded
    form: dict[str, list[str]]


class StubIdp(Served):
    """A token endpoint at /oauth/token: answers `reply` (a list in turn, its last repeated) to
    a well-formed client credentials request from CLIENT_ID/SECRET, 401 invalid_client to wrong
    client authentication and 400 to anything else; 404 on other paths."""

    def __init__(self, reply: Reply | list[Reply] | None = None) -> None:
        self.reply = reply or Reply(
            200, {"access_token": ISSUED, "token_type": "Bearer", "expires_in": 300}
        )
        self.seen: list[TokenRequest] = []
        stub = self

        class Handler(Quiet):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                seen = TokenRequest(self.path, self.headers.get("Content-Type"), basic(self), form)
                stub.seen.append(seen)
                self.send(stub.reply_for(seen), {"Cache-Control": "no-store"})

        def basic(handler: BaseHTTPRequestHandler) -> tuple[str, str] | None:
            scheme, _, value = (handler.headers.get("Authorization") or "").partition(" ")
            if scheme != "Basic":
                return None
            user, _, password = base64.b64decode(value).decode().partition(":")
            return unquote_plus(user), unquote_plus(password)

        super().__init__(Handler)

    def reply_for(self, seen: TokenRequest) -> Reply:
        if seen.path != "/oauth/token":
            return Reply(404, {"error": "not_found"})
        if seen.client != (CLIENT_ID, SECRET):
            return Reply(401, {"error": "invalid_client"}, headers={"WWW-Authenticate": "Basic"})
        if (
            seen.content_type != "application/x-www-form-urlencoded"
            or seen.form.get("grant_type") != ["client_credentials"]
            or len(seen.form.get("scope", [])) != 1
        ):
            return Reply(400, {"error": "invalid_request"})
        return in_turn(self.reply)

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "SMOKE_TOKEN_URL": f"http://127.0.0.1:{self.port}/oauth/token",
            "SMOKE_CLIENT_ID": CLIENT_ID,
            "SMOKE_CLIENT_SECRET": SECRET,
            **extra,
        }


def assert_nothing_secret(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    for secret in (SECRET, "s3cr3t", ISSUED, ISSUED.split(".")[1], TOKEN):
        assert secret not in output


def test_client_credentials_get_a_token_that_is_sent_as_bearer() -> None:
    with StubIdp() as idp, StubApi(healthy(), token=ISSUED) as api:
        result = smoke("--url", api.url(), "--country", "co", token=None, extra_env=idp.env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke co: 6 passed, 0 failed" in result.stdout
    assert "client credentials, scope 'selfcare.agent selfcare.read'" in result.stdout
    [request] = idp.seen
    assert request.client == (CLIENT_ID, SECRET)
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.form == {
        "grant_type": ["client_credentials"],
        "scope": ["selfcare.agent selfcare.read"],
    }
    with_token = [seen.authorization for seen in api.seen if seen.authorization]
    assert with_token and set(with_token) == {f"Bearer {ISSUED}"}
    assert_nothing_secret(result)


def test_scope_and_audience_come_from_the_environment() -> None:
    extra = {"SMOKE_SCOPE": " selfcare.agent  selfcare.read openid ", "SMOKE_AUDIENCE": "hsc-co"}
    with StubIdp() as idp, StubApi(healthy(), token=ISSUED) as api:
        result = smoke(
            "--url", api.url(), "--country", "co", token=None, extra_env=idp.env(**extra)
        )

    assert result.returncode == 0, result.stdout + result.stderr
    assert idp.seen[0].form == {
        "grant_type": ["client_credentials"],
        "scope": ["selfcare.agent selfcare.read openid"],
        "audience": ["hsc-co"],
    }


def test_a_token_given_wins_over_the_client_credentials() -> None:
    with StubIdp() as idp, StubApi(healthy()) as api:
        result = smoke("--url", api.url(), "--country", "co", extra_env=idp.env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert idp.seen == []
    assert "client credentials" not in result.stdout


def test_a_transient_failure_of_the_token_endpoint_is_retried() -> None:
    replies = [
        Reply(503, {"error": "temporarily_unavailable"}),
        Reply(200, {"access_token": ISSUED, "token_type": "bearer"}),  # any case (RFC 6749 7.1)
    ]
    with StubIdp(replies) as idp, StubApi(healthy(), token=ISSUED) as api:
        result = smoke(
            *("--url", api.url(), "--country", "co", "--retries", "1"),
            token=None,
            extra_env=idp.env(),
        )

    assert result.returncode == 0, result.stdout + result.stderr
    assert len(idp.seen) == 2


def test_a_refused_client_exits_2_without_showing_the_secret() -> None:
    # The stub refuses any other secret; its description echoes what it was sent.
    refusal = Reply(
        401,
        {"error": "invalid_client", "error_description": f"bad secret {SECRET} for {ISSUED}"},
    )
    with StubIdp(refusal) as idp, StubApi(healthy(), token=ISSUED) as api:
        result = smoke("--url", api.url(), "--country", "co", token=None, extra_env=idp.env())

    assert result.returncode == 2
    assert result.stdout == ""
    assert f"token endpoint http://127.0.0.1:{idp.port}/oauth/token answered 401" in result.stderr
    assert "invalid_client" in result.stderr and "[secret]" in result.stderr
    assert "Traceback" not in result.stderr
    assert api.seen == []  # the API is not called without a token
    assert_nothing_secret(result)


def test_a_wrong_secret_is_refused_by_the_endpoint_and_not_shown() -> None:
    with StubIdp() as idp, StubApi(healthy(), token=ISSUED) as api:
        env = idp.env(SMOKE_CLIENT_SECRET="not-the-s3cr3t")
        result = smoke("--url", api.url(), "--country", "co", token=None, extra_env=env)

    assert result.returncode == 2
    assert "answered 401: invalid_client" in result.stderr
    assert "not-the-s3cr3t" not in result.stdout + result.stderr
    assert api.seen == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(200, {"token_type": "Bearer", "id_token": ISSUED}), "without an access_token"),
        (Reply(200, {"access_token": "", "token_type": "Bearer"}), "without an access_token"),
        (Reply(200, [ISSUED]), "without a JSON object"),
        (Reply(200, ISSUED.encode()), "without a JSON object"),
        (Reply(200, {"access_token": ISSUED, "token_type": "DPoP"}), "token_type 'DPoP'"),
        (Reply(200, {"access_token": ISSUED}), "token_type none, not Bearer"),
        (
            Reply(200, {"access_token": ISSUED + "\r\nX-Injected: 1", "token_type": "Bearer"}),
            "unfit for a Bearer header",
        ),
        (Reply(400, {"error": "invalid_scope"}), "answered 400: invalid_scope"),
        (Reply(500, b"<html>" + ISSUED.encode()), "answered 500"),
    ],
)
def test_an_answer_without_a_usable_token_exits_2(reply: Reply, message: str) -> None:
    with StubIdp(reply) as idp, StubApi(healthy(), token=ISSUED) as api:
        result = smoke("--url", api.url(), "--country", "co", token=None, extra_env=idp.env())

    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert api.seen == []
    assert_nothing_secret(result)


def test_the_token_endpoint_does_not_redirect_the_client_credentials() -> None:
    moved = Reply(307, b"", headers={"Location": "/elsewhere"})
    with StubIdp(moved) as idp:
        result = smoke(
            *("--url", f"http://127.0.0.1:9{STAGE}/co", "--country", "co"),
            token=None,
            extra_env=idp.env(),
        )

    assert result.returncode == 2
    assert "answered 307" in result.stderr
    assert [seen.path for seen in idp.seen] == ["/oauth/token"]


def test_an_unreachable_token_endpoint_exits_2() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    env = {
        "SMOKE_TOKEN_URL": f"http://127.0.0.1:{port}/oauth/token",
        "SMOKE_CLIENT_ID": CLIENT_ID,
        "SMOKE_CLIENT_SECRET": SECRET,
    }
    result = smoke(
        "--url", f"http://127.0.0.1:9{STAGE}/co", "--country", "co", token=None, extra_env=env
    )

    assert result.returncode == 2
    assert "unreachable" in result.stderr
    assert "Traceback" not in result.stderr
    assert_nothing_secret(result)


IDP = "https://idp.example.com/oauth/token"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMOKE_CLIENT_ID": CLIENT_ID}, "set SMOKE_TOKEN_URL and SMOKE_CLIENT_SECRET too"),
        (
            {"SMOKE_TOKEN_URL": IDP, "SMOKE_CLIENT_ID": CLIENT_ID},
            "set SMOKE_CLIENT_SECRET too",
        ),
        ({"SMOKE_TOKEN_URL": "http://idp.example.com/oauth/token"}, "must be https"),
        ({"SMOKE_TOKEN_URL": "ftp://idp.example.com/oauth/token"}, "must be an http(s) URL"),
        ({"SMOKE_TOKEN_URL": "https://user:pass@idp.example.com/t"}, "must not carry"),
        # the secret's "/" ends the authority early: "u:<part of it>" is a bad host:port
        ({"SMOKE_TOKEN_URL": f"https://u:{SECRET}@idp.example.com/t"}, "is not a URL"),
        ({"SMOKE_TOKEN_URL": f"{IDP}#fragment"}, "must not carry"),
    ],
)
def test_bad_client_credentials_settings_are_usage_errors(
    env: dict[str, str], message: str
) -> None:
    if "SMOKE_CLIENT_ID" not in env:  # a bad URL among complete settings
        env = {"SMOKE_CLIENT_ID": CLIENT_ID, "SMOKE_CLIENT_SECRET": SECRET, **env}
    result = smoke(
        *("--url", "http://127.0.0.1:9/dev/v1/tigo/home/co", "--country", "co"),
        token=None,
        extra_env=env,
    )

    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "s3cr3t" not in result.stderr and "pass" not in result.stderr
