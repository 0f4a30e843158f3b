"""DynamoDB (and Secrets Manager's GetSecretValue) over their JSON API: signed HTTPS
requests on one kept-alive connection.

Why not boto3 here: importing boto3 and building a DynamoDB client costs ~145 ms of every
cold start (`make bench`); this module and http.client import in a few ms. It speaks the
handful of operations `items.DynamoItems` uses, with botocore's standard-mode behaviour
where it matters: credentials, region and endpoint from the environment (AWS_ENDPOINT_URL
too), the answer's `x-amz-crc32` checked, up to three attempts on throttling, 5xx, dropped
connections, timeouts and corrupt answers, with jittered back-off and a retry quota, and
every attempt inside the invocation's time budget (`selfcare.budget`). A write whose earlier
attempt may have been applied is marked `ambiguous` for `DynamoItems.write` to settle.
Powertools idempotency and parameters use boto3 (`selfcare.adapters.boto`), imported only
by the requests that change data or pay.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from selfcare import budget, tracing
from selfcare.errors import Unavailable, UpstreamError, UpstreamTimeout

CONNECT_TIMEOUT, READ_TIMEOUT, ATTEMPTS = 2.0, 5.0, 3
WHAT = "DynamoDB"
_BUSY = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "LimitExceededException",
    "TransactionInProgressException",  # a transaction on the same items is still running
}
_MISCONFIGURED = {
    "ResourceNotFoundException",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "MissingAuthenticationTokenException",
    "InvalidSignatureException",
}
# Failures of the exchange itself (no error answer from DynamoDB): AwsError.code
TIMED_OUT, UNREACHABLE, CORRUPT = "ClientTimeout", "ClientConnectionError", "CorruptAnswer"
# Who wants to know of every call (the benchmark counts them): listener(service, operation).
listeners: list[Callable[[str, str], None]] = []


class AwsError(Exception):
    """A failed call: `code` is the exception's name (ConditionalCheckFailedException...), or
    one of TIMED_OUT, UNREACHABLE, CORRUPT (status 0) when no usable answer came. `ambiguous`:
    an attempt may have been applied although no success was heard (a write to check)."""

    def __init__(
        self, status: int, code: str, message: str, body: dict[str, Any], ambiguous: bool = False
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.body, self.ambiguous = status, code, body, ambiguous


class RetryQuota:
    """botocore's standard-mode retry quota: retries spend tokens, successes earn them back,
    so a dependency that keeps failing is not hammered three times per call."""

    CAPACITY, COST, THROTTLED_COST, SUCCESS = 500, 14, 5, 1

    def __init__(self) -> None:
        self.available = self.CAPACITY
        self._lock = threading.Lock()

    def acquire(self, throttled: bool) -> int:
        """The tokens a retry took (0: none left, do not retry)."""
        cost = self.THROTTLED_COST if throttled else self.COST
        with self._lock:
            if self.available < cost:
                return 0
            self.available -= cost
            return cost

    def release(self, amount: int) -> None:
        with self._lock:
            self.available = min(self.CAPACITY, self.available + amount)


@dataclass(frozen=True, slots=True)
class Service:
    """An AWS JSON-protocol service: its signing name, X-Amz-Target prefix and content type."""

    name: str  # as traces and errors name it
    signing: str
    target: str
    content_type: str


DYNAMODB = Service("DynamoDB", "dynamodb", "DynamoDB_20120810", "application/x-amz-json-1.0")
SECRETS_MANAGER = Service(
    "Secrets Manager", "secretsmanager", "secretsmanager", "application/x-amz-json-1.1"
)


class DynamoDB:
    """One region's endpoint of a JSON-protocol service (DynamoDB unless told otherwise).
    Thread-safe: each thread keeps its own connection."""

    def __init__(self, region: str, endpoint: str, service: Service = DYNAMODB) -> None:
        parts = urlsplit(endpoint)
        self.service = service
        self.region = region
        self.secure = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port
        self.netloc = parts.netloc
        self.quota = RetryQuota()
        self._local = threading.local()

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        for listener in listeners:
            listener(self.service.signing, operation)
        payload = json.dumps(request, separators=(",", ":")).encode()
        table = request.get("TableName")
        with tracing.aws_subsegment(self.service.name, operation, self.region, table):
            return self._send(operation, payload)

    def _send(self, operation: str, payload: bytes) -> dict[str, Any]:
        ambiguous, spent = False, 0
        for attempt in range(1, ATTEMPTS + 1):
            try:
                status, body = self._exchange(operation, payload)
            except UpstreamTimeout as late:  # no time left for this attempt: none was made
                raise AwsError(0, TIMED_OUT, late.message, {}, ambiguous) from None
            except _NotSent as unsent:  # nothing reached DynamoDB
                self._drop()
                failure = AwsError(0, UNREACHABLE, str(unsent.error), {}, ambiguous)
            except TimeoutError as error:
                self._drop()
                ambiguous = True  # it may have been applied before the answer was due
                failure = AwsError(0, TIMED_OUT, str(error) or "timed out", {}, ambiguous)
            except (ConnectionError, http.client.HTTPException, OSError) as error:
                self._drop()  # dropped before its answer, or a kept-alive connection closed
                ambiguous = True
                failure = AwsError(0, UNREACHABLE, str(error) or type(error).__name__, {}, True)
            else:
                if status == 200 and body is not None:
                    self.quota.release(spent or RetryQuota.SUCCESS)
                    return body
                if body is None:  # a 200 (or error) whose body is not what DynamoDB sent
                    self._drop()
                    ambiguous = True
                    failure = AwsError(status, CORRUPT, "unreadable answer", {}, ambiguous)
                else:
                    code = str(body.get("__type", "")).rpartition("#")[2] or f"HTTP{status}"
                    message = str(body.get("message") or body.get("Message"))
                    ambiguous = ambiguous or status >= 500  # a 5xx may come after applying
                    failure = AwsError(status, code, message, body, ambiguous)
                    if not (code in _BUSY or status >= 500):
                        raise failure  # refused as asked: trying again changes nothing
            throttled = failure.code in _BUSY
            pause = _backoff(attempt, throttled)
            if attempt == ATTEMPTS or not budget.allows(pause + budget.SHORTEST):
                raise failure
            cost = self.quota.acquire(throttled)
            if not cost:
                raise failure
            spent += cost
            time.sleep(pause)
        raise AssertionError("unreachable")

    def _exchange(self, operation: str, payload: bytes) -> tuple[int, dict[str, Any] | None]:
        """(status, JSON body) of one attempt; the body is None when it is corrupt (its
        x-amz-crc32 does not match, or it is no JSON object)."""
        headers = {
            "Content-Type": self.service.content_type,
            "X-Amz-Target": f"{self.service.target}.{operation}",
            "Host": self.netloc,
        }
        headers.update(sign(headers, payload, self.region, self.service.signing, credentials()))
        try:
            connection = self._connection()
        except OSError as error:  # refused, unreachable or timed out while connecting
            raise _NotSent(error) from error
        if connection.sock is not None:
            connection.sock.settimeout(budget.timeout(budget.limit(READ_TIMEOUT), WHAT))
        connection.request("POST", "/", body=payload, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        expected = answer.getheader("x-amz-crc32")
        if expected is not None and expected.strip() != str(zlib.crc32(data) & 0xFFFFFFFF):
            return answer.status, None
        try:
            body = json.loads(data) if data else {}
        except ValueError:
            return answer.status, None
        return answer.status, body if isinstance(body, dict) else None

    def _connection(self) -> http.client.HTTPConnection:
        found: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if found is not None and found.sock is None:  # closed by the other end's answer:
            found = None  # http.client would reopen it with the connect timeout for reads
        if found is None:
            kind = http.client.HTTPSConnection if self.secure else http.client.HTTPConnection
            timeout = budget.timeout(budget.limit(CONNECT_TIMEOUT), WHAT)
            found = kind(self.host, self.port, timeout=timeout)
            found.connect()
            self._local.connection = found
        return found

    def _drop(self) -> None:
        found = getattr(self._local, "connection", None)
        self._local.connection = None
        if found is not None:
            found.close()


class _NotSent(Exception):
    """The connection could not be opened: the request never left."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def _backoff(attempt: int, throttled: bool) -> float:
    """botocore's standard mode: full jitter, 1 s base when throttled, 25 ms for DynamoDB."""
    base = 1.0 if throttled else 0.025
    return random.random() * min(base * 2 ** (attempt - 1), 20.0)  # noqa: S311  (jitter)


# --- the shared client, credentials and signing --------------------------------------------------

_client: DynamoDB | None = None
_secrets_client: DynamoDB | None = None
_secrets: dict[str, tuple[str, float]] = {}  # secret id -> (value, read at)
SECRETS_MAX_AGE = 300.0  # seconds a secret is kept: a rotation is read within five minutes
_lock = threading.Lock()


def _made(service: Service, variable: str) -> DynamoDB:
    env = os.environ
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    fips = env.get("AWS_USE_FIPS_ENDPOINT") == "true"
    endpoint = (
        env.get(variable)
        or env.get("AWS_ENDPOINT_URL")
        or regional_endpoint(region, fips, service.signing)
    )
    return DynamoDB(region, endpoint, service)


def dynamodb() -> DynamoDB:
    """The container's DynamoDB client, created on first use."""
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = _made(DYNAMODB, "AWS_ENDPOINT_URL_DYNAMODB")
    return _client


def secret(secret_id: str) -> str:
    """A secret's string (GetSecretValue), kept SECRETS_MAX_AGE per warm container: for the
    reads that need one (a BSS's client credentials), without boto3's cold start."""
    global _secrets_client
    now = time.monotonic()
    kept = _secrets.get(secret_id)
    if kept is not None and now - kept[1] < SECRETS_MAX_AGE:
        return kept[0]
    with _lock:
        if _secrets_client is None:
            _secrets_client = _made(SECRETS_MANAGER, "AWS_ENDPOINT_URL_SECRETS_MANAGER")
        client = _secrets_client
    answer = client.call("GetSecretValue", {"SecretId": secret_id})
    value = answer.get("SecretString")
    if not isinstance(value, str):
        raise AwsError(200, CORRUPT, "no SecretString", {}, False)
    _secrets[secret_id] = (value, now)
    return value


# Partitions whose DNS suffix is not amazonaws.com (botocore's endpoints.json), by prefix.
_PARTITIONS = (
    ("cn-", "amazonaws.com.cn"),
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-isof-", "csp.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov"),
    ("eu-isoe-", "cloud.adc-e.uk"),
)


def regional_endpoint(region: str, fips: bool = False, service: str = "dynamodb") -> str:
    """A service's endpoint in `region`, in whichever partition the region belongs to."""
    suffix = next((s for prefix, s in _PARTITIONS if region.startswith(prefix)), "amazonaws.com")
    return f"https://{service}{'-fips' if fips else ''}.{region}.{suffix}"


def reset_clients() -> None:
    """Forget the client, its connections and cached credentials (tests switching
    backends; after a SnapStart restore)."""
    global _client, _cached, _secrets_client
    with _lock:
        _client, _cached, _secrets_client = None, None, None
        _secrets.clear()


_cached: tuple[tuple[str, str, str | None], float] | None = None


def credentials() -> tuple[str, str, str | None]:
    """(access key, secret key, session token): the function's environment (Lambda sets
    it), else the container credentials endpoint (SnapStart functions), else botocore's
    chain (profiles, instance roles). The endpoint's are kept until five minutes before
    their `Expiration`; the chain's for five minutes (botocore refreshes its own)."""
    global _cached
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_SESSION_TOKEN")
    if _cached is not None and _cached[1] > time.time() + 300:
        return _cached[0]
    if env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        _cached = _container_credentials(env)
    else:
        from botocore.session import get_session

        found = get_session().get_credentials()
        if found is None:
            raise Unavailable("No AWS credentials are configured")
        frozen = found.get_frozen_credentials()
        _cached = ((frozen.access_key, frozen.secret_key, frozen.token), time.time() + 600)
    return _cached[0]


def _container_credentials(env: dict[str, str] | os._Environ[str]) -> Any:
    token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")
    token_file = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if token_file:
        with open(token_file, encoding="utf-8") as file:
            token = file.read().strip()
    uri = urlsplit(env["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    kind = http.client.HTTPSConnection if uri.scheme == "https" else http.client.HTTPConnection
    connection = kind(uri.hostname or "", uri.port, timeout=CONNECT_TIMEOUT)
    try:
        connection.request("GET", uri.path or "/", headers={"Authorization": token})
        answer = connection.getresponse()
        data = answer.read()
    except OSError as error:
        raise Unavailable("The function's credentials could not be fetched") from error
    finally:
        connection.close()
    try:
        found = json.loads(data) if answer.status == 200 else {}
        keys = found["AccessKeyId"], found["SecretAccessKey"], found.get("Token")
        expiration = found["Expiration"]
    except (ValueError, KeyError, TypeError):
        raise Unavailable(
            f"The function's credentials could not be read (HTTP {answer.status})"
        ) from None
    expires = datetime.fromisoformat(str(expiration).replace("Z", "+00:00")).timestamp()
    return keys, expires


def sign(
    headers: dict[str, str],
    payload: bytes,
    region: str,
    service: str,
    keys: tuple[str, str, str | None],
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers Signature Version 4 adds to a POST to `/` with `headers` and `payload`."""
    access, secret, token = keys
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    added = {"X-Amz-Date": stamp, "X-Amz-Content-Sha256": hashlib.sha256(payload).hexdigest()}
    if token:
        added["X-Amz-Security-Token"] = token
    signed = {k.lower(): " ".join(v.split()) for k, v in {**headers, **added}.items()}
    names = ";".join(sorted(signed))
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            "".join(f"{name}:{signed[name]}\n" for name in sorted(signed)),
            names,
            added["X-Amz-Content-Sha256"],
        ]
    )
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = f"AWS4{secret}".encode()
    for part in (stamp[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    added["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={names}, "
        f"Signature={signature}"
    )
    return added


@contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Turn AWS failures into 502/503/504 service errors that name `what` failed."""
    try:
        yield
    except AwsError as exc:
        if exc.code == TIMED_OUT:
            raise UpstreamTimeout(f"{what} did not answer in time") from exc
        if exc.code in _BUSY:
            raise Unavailable(f"{what} is busy; retry shortly") from exc
        if exc.code in _MISCONFIGURED or exc.code == UNREACHABLE:
            raise Unavailable(f"{what} is not available") from exc
        raise UpstreamError(f"{what} failed") from exc
