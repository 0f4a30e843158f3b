"""Idempotent POSTs: a retry with the same `Idempotency-Key` and body replays the first
answer and changes nothing more; the same key with another body is 409. Records live in
the stack's idempotency table through Powertools idempotency."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from selfcare.errors import Conflict, InvalidParameter, Unavailable

KEY = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
HEADER = "Idempotency-Key"
Answer = tuple[Any, int]  # (JSON-ready body, status)


@cache
def _persistence(table: str) -> Any:
    from selfcare import tracing

    tracing.patch_botocore()
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=table)


def once(
    table: str,
    scope: str,
    key: str,
    body: str,
    produce: Callable[[], Answer],
    dumps: Callable[[Any], str],
    context: Any = None,
) -> Answer:
    """Run `produce` once per (scope, key); `scope` names the caller and the operation so
    keys of different callers or routes never meet."""
    if not KEY.fullmatch(key):
        raise InvalidParameter(HEADER, "expected 1 to 128 letters, digits, '_', '.', ':' or '-'")
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=24 * 3600,
    )
    if context is not None:  # an in-progress record then expires with the invocation
        config.register_lambda_context(context)

    @idempotent_function(
        data_keyword_argument="request", persistence_store=_persistence(table), config=config
    )
    def run(request: dict[str, str]) -> dict[str, Any]:
        answer, status = produce()
        return {"status": status, "body": dumps(answer)}

    try:
        stored = run(request={"key": f"{scope}|{key}", "body": body})
    except IdempotencyValidationError:
        raise Conflict(f"This {HEADER} was already used with a different request") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict(
            f"A request with this {HEADER} is still in progress; retry shortly"
        ) from None
    except IdempotencyPersistenceLayerError:
        raise Unavailable("Idempotency records are unavailable; retry shortly") from None
    return stored["body"], int(stored["status"])
