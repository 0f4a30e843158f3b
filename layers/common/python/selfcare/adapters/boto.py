"""boto3 where Powertools needs it (idempotency records, secrets), held to the same rules as
our own DynamoDB client: botocore's standard retry mode, short timeouts, and no attempt
started that could not end inside the invocation's budget (`selfcare.budget`). Imported
only by requests that change data or pay: boto3 costs ~150 ms of a cold start.
"""

from __future__ import annotations

import threading
import uuid
from functools import cache
from typing import Any

from selfcare import budget, tracing
from selfcare.errors import ServiceError, Unavailable, UpstreamError, UpstreamTimeout

CONNECT_TIMEOUT, READ_TIMEOUT, ATTEMPTS = 1.0, 2.0, 3
SECRETS_MAX_AGE = 300  # seconds a secret is kept per warm container (rotation shows after)
_BUSY = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}

_lock = threading.Lock()
_secrets: Any = None


def client(service: str) -> Any:
    """A new boto3 client for `service`, bounded as above."""
    tracing.patch_botocore()
    import boto3
    from botocore.config import Config

    made = boto3.session.Session().client(
        service,
        config=Config(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=budget.limit(READ_TIMEOUT),
            retries={"mode": "standard", "total_max_attempts": ATTEMPTS},
        ),
    )
    made.meta.events.register("before-send", _within_budget)
    return made


def _within_budget(request: Any, **_: Any) -> None:
    """Before each attempt (retries included): only when it can end in time, and reading
    its answer no longer than is left (botocore's per-request `read_timeout`). Raised from
    here, botocore neither retries nor waits."""
    left = budget.remaining() - CONNECT_TIMEOUT
    if left < budget.SHORTEST:
        raise UpstreamTimeout("An AWS service did not answer in time")
    request.context["read_timeout"] = min(budget.limit(READ_TIMEOUT), left)


def secret(name: str) -> str:
    """A secret's string, through Powertools parameters (cached SECRETS_MAX_AGE)."""
    global _secrets
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    with _lock:
        if _secrets is None:
            _secrets = SecretsProvider(boto3_client=client("secretsmanager"))
        provider = _secrets
    return str(provider.get(name, max_age=SECRETS_MAX_AGE))


@cache
def idempotency_records(table: str) -> Any:
    """Powertools' DynamoDB persistence layer over `table`, on a client made here (one per
    table and container; `forget` drops it)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyItemAlreadyExistsError,
    )

    class Persistence(DynamoDBPersistenceLayer):
        def _put_record(self, data_record: Any) -> None:
            _putting.mark = uuid.uuid4().hex  # this put's, on botocore's retries of it too
            try:
                super()._put_record(data_record)
            except IdempotencyItemAlreadyExistsError as exists:
                if not _ours(exists):
                    raise
                # botocore retried our put after an answer it never got: the record is ours
            finally:
                _putting.mark = None

    records = client("dynamodb")
    records.meta.events.register("before-parameter-build.dynamodb.PutItem", _mark_put)
    return Persistence(table_name=table, boto3_client=records)


_putting = threading.local()  # the mark of the in-progress record this thread is putting
PUT_BY = "putBy"


def _mark_put(params: dict[str, Any], **_: Any) -> None:
    """An in-progress record carries the mark of the put that wrote it (a retry of that
    put sends the same parameters, so the same mark)."""
    mark = getattr(_putting, "mark", None)
    if mark:
        params["Item"][PUT_BY] = {"S": mark}


def _ours(exists: Any) -> bool:
    """Is the in-progress record DynamoDB holds the one this very put wrote (an earlier
    attempt of it landed)? Only its mark says so: two requests with one key can start
    in the same millisecond with the same expiry times."""
    item = (getattr(exists.__cause__, "response", None) or {}).get("Item") or {}
    mark = getattr(_putting, "mark", None)
    return (
        mark is not None
        and item.get("status", {}).get("S") == "INPROGRESS"
        and item.get(PUT_BY, {}).get("S") == mark
    )


def forget() -> None:
    """Drop the cached secrets and the idempotency records' client (a SnapStart restore,
    tests switching AWS): the next use makes new ones."""
    global _secrets
    with _lock:
        _secrets = None
    idempotency_records.cache_clear()


def failure(error: BaseException, what: str) -> ServiceError:
    """The service error a failed boto3 call (possibly wrapped by Powertools) stands for:
    504 when it ran out of time, 503 when unreachable, busy or misconfigured, else 502."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        ConnectTimeoutError,
        ReadTimeoutError,
    )

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, UpstreamTimeout | ReadTimeoutError | ConnectTimeoutError):
            return UpstreamTimeout(f"{what} did not answer in time")
        if isinstance(seen, ConnectionError):
            return Unavailable(f"{what} is not reachable")
        if isinstance(seen, ClientError):
            code = seen.response.get("Error", {}).get("Code", "")
            if code in _BUSY:
                return Unavailable(f"{what} is busy; retry shortly")
            return Unavailable(f"{what} is not available")
        seen = seen.__cause__ or seen.__context__
    return UpstreamError(f"{what} failed")
