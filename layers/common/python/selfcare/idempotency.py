"""Idempotent changes: a retry with the same `Idempotency-Key` and body replays the first
answer and changes nothing more; the same key with another body is 409. Records live in
the stack's idempotency table through Powertools idempotency; the table itself is reached
only through its adapter (`selfcare.adapters.boto.idempotency_records`: a boto3 client
bounded by the invocation's budget).

Faults never make it lie: a record whose answer was lost but that DynamoDB kept is known
as our own; a change made whose answer could not be recorded is still answered (the record
expires with the invocation, and a retry finds the change's own writes, `selfcare.change`);
an error whose record could not be removed is answered as itself."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from selfcare import budget
from selfcare.adapters.boto import idempotency_records as _persistence
from selfcare.errors import Conflict, InvalidParameter, ServiceError

KEY = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
HEADER = "Idempotency-Key"
Answer = tuple[Any, ...]  # (JSON-ready body, status[, headers])
Stored = tuple[str, int, dict[str, str]]  # (JSON text, status, headers)


class _Number(str):
    """A JSON number as it was written: 10.50 and 10.5 stay apart (not the same request)."""


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append("{")
        for i, name in enumerate(sorted(value)):
            out.append("," if i else "")
            out.append(json.dumps(name) + ":")
            _write(value[name], out)
        out.append("}")
    elif isinstance(value, list):
        out.append("[")
        for i, item in enumerate(value):
            out.append("," if i else "")
            _write(item, out)
        out.append("]")
    elif isinstance(value, _Number):
        out.append(str.__str__(value))
    else:  # str, bool, None
        out.append(json.dumps(value))  # ASCII: a lone surrogate stays escaped


def canonical(body: str) -> str:
    """The body as idempotency compares it: JSON with its keys sorted, no whitespace and
    strings escaped one way, so the same request re-serialized (another key order, spacing,
    `\u00e9` for `é`) is the same request; numbers keep their text. A body that is not JSON
    is compared as sent (it is refused anyway)."""
    try:
        value = json.loads(body, parse_int=_Number, parse_float=_Number, parse_constant=_Number)
        out: list[str] = []
        _write(value, out)
    except (ValueError, RecursionError):
        return body
    return "".join(out)


def check_key(key: str) -> None:
    if not KEY.fullmatch(key):
        raise InvalidParameter(HEADER, "expected 1 to 128 letters, digits, '_', '.', ':' or '-'")


class _UntilBudget:
    """The Lambda context as idempotency records see it: an in-progress record expires when
    the invocation's last call must have ended (its budget), not when Lambda would stop it.
    Nothing of the request changes data after that, and a client retrying after its 504
    is then served instead of hearing that its own request is still in progress."""

    def __init__(self, context: Any) -> None:
        self._context = context

    def get_remaining_time_in_millis(self) -> int:
        left = int(self._context.get_remaining_time_in_millis())
        calls = budget.remaining() * 1000
        return max(0, min(left, int(calls))) if math.isfinite(calls) else left

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def once(
    table: str,
    scope: str,
    key: str,
    body: str,
    produce: Callable[[], Answer],
    dumps: Callable[[Any], str],
    context: Any = None,
) -> Stored:
    """Run `produce` once per (scope, key); `scope` names the caller and the operation so
    keys of different callers or routes never meet. `body` is compared in its `canonical`
    form: re-serialized, it is the same request; with another value, a 409."""
    check_key(key)
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    from selfcare.adapters import boto

    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="body",
        expires_after_seconds=24 * 3600,
    )
    if context is not None:  # an in-progress record then expires with the invocation's calls
        config.register_lambda_context(_UntilBudget(context))  # type: ignore[arg-type]
    outcome: dict[str, Any] = {}

    @idempotent_function(
        data_keyword_argument="request", persistence_store=_persistence(table), config=config
    )
    def run(request: dict[str, str]) -> dict[str, Any]:
        try:
            body, status, *more = produce()
        except ServiceError as error:
            outcome["error"] = error
            raise
        answer = {"status": status, "body": dumps(body), "headers": more[0] if more else {}}
        outcome["answer"] = answer
        return answer

    try:
        stored = run(request={"key": f"{scope}|{key}", "body": canonical(body)})
    except IdempotencyValidationError:
        raise Conflict(f"This {HEADER} was already used with a different request") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict(
            f"A request with this {HEADER} is still in progress; retry shortly"
        ) from None
    except IdempotencyPersistenceLayerError as failed:
        if "error" in outcome:  # its in-progress record could not be removed: it expires
            raise outcome["error"] from None
        if "answer" in outcome:  # made, not recorded: a retry finds the change made
            stored = outcome["answer"]
        else:
            raise boto.failure(failed, "Idempotency records") from None
    return stored["body"], int(stored["status"]), dict(stored.get("headers") or {})
