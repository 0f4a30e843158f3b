"""X-Ray tracing through Powertools Tracer, paying for it only when it is on.

Tracer's default patches every library the X-Ray SDK knows, which imports botocore and
requests (~100 ms of a cold start) for clients this code does not create up front. Here
it patches nothing at start; DynamoDB calls are recorded by `aws_subsegment`, calls to
systems outside AWS (the BSS) by `remote_subsegment`, and botocore is patched the moment
boto3 is first needed (idempotency, secrets).

The one module that knows the tracing SDK: no other imports aws_xray_sdk or Powertools
Tracer (SnapStart primes `SDK_MODULES` from here). Moving to OpenTelemetry (README,
"Tracing") changes this module and the template, nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# What a traced request loads lazily, for SnapStart to import before its snapshot.
SDK_MODULES = ("aws_xray_sdk.core",)


def enabled() -> bool:
    """Powertools' own rule, checked before importing the X-Ray SDK: only inside Lambda
    (not SAM local) and not switched off."""
    env = os.environ
    if env.get("POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true", "yes", "on"):
        return False
    return bool(env.get("LAMBDA_TASK_ROOT")) and not env.get("AWS_SAM_LOCAL")


def capture_handler(service: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    """`handler` traced (annotations ColdStart and Service, the answer or error as
    metadata) when tracing is on; `handler` itself otherwise."""
    if not enabled():
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer(service=service, auto_patch=False).capture_lambda_handler(handler)


def patch_botocore() -> None:
    """Trace boto3's calls from now on (call before creating a boto3 client)."""
    if enabled():
        from aws_xray_sdk.core import patch

        patch(["botocore"])  # the SDK patches a module once, however often asked


@contextmanager
def aws_subsegment(
    service: str, operation: str, region: str, table: str | None = None
) -> Iterator[None]:
    """A subsegment for one AWS call, shaped as the X-Ray SDK's botocore patch shapes it
    (namespace aws, the service as its name, operation, region and table)."""
    if not enabled():
        yield
        return
    from aws_xray_sdk.core import xray_recorder

    with xray_recorder.in_subsegment(service) as subsegment:
        if subsegment is not None:
            subsegment.namespace = "aws"
            aws = {"operation": operation, "region": region}
            if table:
                aws["table_name"] = table
            subsegment.set_aws(aws)
        yield


@contextmanager
def remote_subsegment(name: str, method: str, url: str) -> Iterator[Callable[[int], None]]:
    """A subsegment for one HTTP call to a system outside AWS, shaped as the X-Ray SDK's
    requests patch shapes it (namespace remote, the host as its name, method and URL: give
    it without a query string); the context yields a callable recording the status."""
    if not enabled():
        yield _ignored
        return
    from aws_xray_sdk.core import xray_recorder

    with xray_recorder.in_subsegment(name, namespace="remote") as subsegment:
        if subsegment is None:
            yield _ignored
            return
        subsegment.put_http_meta("method", method)
        subsegment.put_http_meta("url", url)
        yield lambda status: subsegment.put_http_meta("status", status)


def _ignored(status: int) -> None:
    pass
