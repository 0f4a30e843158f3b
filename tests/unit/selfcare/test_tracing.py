"""X-Ray traces as Lambda sends them: the handler's subsegment (ColdStart, Service) with our
DynamoDB client's calls inside it, shaped like the SDK's botocore patch shapes them; nothing
at all when tracing is off; and no botocore import for it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest

from selfcare import tracing
from selfcare.adapters import aws

ROOT = Path(__file__).resolve().parents[3]
TRACE_ROOT = "1-6744f3b0-5d7a1c0e9b2f4a6c8e0d1b3f"
PARENT = "53995c3f42cd8ad8"
TRACE_HEADER = f"Root={TRACE_ROOT};Parent={PARENT};Sampled=1"
HEADER = {"format": "json", "version": 1}
END = b"-- end of test --"
CONTEXT = SimpleNamespace(
    function_name="BillingFunction-co",
    memory_limit_in_mb=256,
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:BillingFunction-co",
    aws_request_id="6d3bd6a5-2a7e-4a4c-9d35-3f1d0c1e8f00",
)


@pytest.fixture
def daemon() -> Iterator[socket.socket]:
    """A UDP socket standing in for the X-Ray daemon."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        yield sock


def received(daemon: socket.socket) -> list[dict[str, Any]]:
    """The documents sent to the daemon so far: a marker datagram closes the read."""
    daemon.sendto(END, daemon.getsockname())
    documents = []
    while (datagram := daemon.recv(65536)) != END:
        header, _, body = datagram.decode().partition("\n")
        assert json.loads(header) == HEADER
        documents.append(json.loads(body))
    return documents


@pytest.fixture
def table(embedded_aws: str) -> str:
    name = f"tracing-{uuid.uuid4().hex}"  # other tests share this moto backend
    boto3.client("dynamodb").create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    aws.reset_clients()
    yield name
    aws.reset_clients()


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch, daemon: socket.socket) -> Iterator[None]:
    """The environment Lambda gives a traced function, and an X-Ray SDK started in it: the
    recorder, Powertools' Tracer config and the SDK switch are process-wide, so they are
    replaced for the test and put back after."""
    import aws_xray_sdk.core
    from aws_lambda_powertools import Tracer
    from aws_lambda_powertools.tracing import tracer as powertools_tracer
    from aws_xray_sdk import global_sdk_config
    from aws_xray_sdk.core.async_recorder import AsyncAWSXRayRecorder

    host, port = daemon.getsockname()
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", f"{host}:{port}")
    monkeypatch.setenv("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR")
    for name in ("POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "AWS_XRAY_SDK_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(powertools_tracer, "is_cold_start", True)
    # As the SDK sets itself up when first imported inside Lambda (this process may have
    # imported it outside): Lambda's context, sampling and streaming, this daemon.
    monkeypatch.setattr(aws_xray_sdk.core, "xray_recorder", AsyncAWSXRayRecorder())
    was_enabled = global_sdk_config.sdk_enabled()
    global_sdk_config.set_sdk_enabled(True)
    Tracer._reset_config()
    yield
    Tracer._reset_config()
    global_sdk_config.set_sdk_enabled(was_enabled)


def get_item(table: str) -> Any:
    def billing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        answer = aws.dynamodb().call("GetItem", {"TableName": table, "Key": {"pk": {"S": "x"}}})
        return {"statusCode": 200, "found": "Item" in answer}

    return billing


def test_a_traced_invocation_sends_its_handler_and_dynamodb_subsegments(lambda_env, daemon, table):
    handler = tracing.capture_handler("billing", get_item(table))

    assert handler({}, CONTEXT) == {"statusCode": 200, "found": False}

    documents = received(daemon)
    by_name = {d["name"]: d for d in documents}
    assert set(by_name) == {"## billing", "DynamoDB"}, documents
    invocation, call = by_name["## billing"], by_name["DynamoDB"]
    for document in (invocation, call):
        assert document["type"] == "subsegment" and document["trace_id"] == TRACE_ROOT
        assert document["end_time"] >= document["start_time"]
    assert invocation["parent_id"] == PARENT  # Lambda's own segment for the invocation
    assert invocation["annotations"] == {"ColdStart": True, "Service": "billing"}
    assert call["parent_id"] == invocation["id"]
    assert call["namespace"] == "aws"
    assert call["aws"] == {
        "operation": "GetItem",
        "region": os.environ["AWS_REGION"],
        "table_name": table,
    }
    assert invocation["start_time"] <= call["start_time"] <= call["end_time"]
    assert call["end_time"] <= invocation["end_time"]

    handler({}, CONTEXT)
    again = {d["name"]: d for d in received(daemon)}
    assert again["## billing"]["annotations"]["ColdStart"] is False
    assert again["DynamoDB"]["id"] != call["id"]


def test_a_failed_call_is_recorded_as_a_fault_of_its_subsegment(lambda_env, daemon, table):
    handler = tracing.capture_handler("billing", get_item(f"{table}-missing"))

    with pytest.raises(aws.AwsError, match="ResourceNotFoundException"):
        handler({}, CONTEXT)

    by_name = {d["name"]: d for d in received(daemon)}
    call, invocation = by_name["DynamoDB"], by_name["## billing"]
    assert call["aws"]["table_name"] == f"{table}-missing"
    assert call["fault"] is True and call["cause"]["exceptions"][0]["type"] == "AwsError"
    assert invocation["fault"] is True and invocation["parent_id"] == PARENT


def test_without_lambda_tracing_is_off_and_nothing_is_sent(lambda_env, daemon, table, monkeypatch):
    monkeypatch.delenv("LAMBDA_TASK_ROOT")
    billing = get_item(table)

    handler = tracing.capture_handler("billing", billing)

    assert handler is billing
    assert handler({}, CONTEXT) == {"statusCode": 200, "found": False}
    assert received(daemon) == []


@pytest.mark.parametrize("switch", ["POWERTOOLS_TRACE_DISABLED=true", "AWS_SAM_LOCAL=true"])
def test_switched_off_or_under_sam_local_tracing_is_off(
    lambda_env, daemon, table, monkeypatch, switch
):
    name, _, value = switch.partition("=")
    monkeypatch.setenv(name, value)
    billing = get_item(table)

    assert tracing.capture_handler("billing", billing) is billing
    billing({}, CONTEXT)
    assert received(daemon) == []


@pytest.mark.subprocess
def test_tracing_our_dynamodb_calls_loads_neither_boto3_nor_botocore(embedded_aws, table, daemon):
    """The cold-start saving the tracing module exists for, in a fresh interpreter. Powertools
    imports the bare `botocore` package (its __init__, for a user agent hook); botocore's
    clients, sessions and endpoints, boto3 and requests are what would cost."""
    host, port = daemon.getsockname()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "AWS_XRAY_SDK_ENABLED")
    }
    env |= {
        "PYTHONPATH": str(ROOT / "layers" / "common" / "python"),
        "LAMBDA_TASK_ROOT": "/var/task",
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        "AWS_XRAY_DAEMON_ADDRESS": f"{host}:{port}",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    }
    script = textwrap.dedent(
        f"""
        import json, sys
        from selfcare import tracing
        from selfcare.adapters import aws

        def billing(event, context):
            key = {{"pk": {{"S": "x"}}}}
            return aws.dynamodb().call("GetItem", {{"TableName": {table!r}, "Key": key}})

        answer = tracing.capture_handler("billing", billing)({{}}, None)
        heavy = ("botocore.", "boto3", "requests", "urllib3", "aws_xray_sdk.ext")
        loaded = sorted(name for name in sys.modules if name.startswith(heavy))
        print(json.dumps({{"answer": answer, "loaded": loaded}}))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"answer": {}, "loaded": []}
    assert {d["name"] for d in received(daemon)} == {"## billing", "DynamoDB"}  # it was traced


def test_a_call_outside_aws_is_a_remote_subsegment_with_its_http_meta(lambda_env, daemon):
    def billing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        with tracing.remote_subsegment("bss.example", "GET", "https://bss.example/x") as traced:
            traced(503)
        return {"statusCode": 200}

    tracing.capture_handler("billing", billing)({}, CONTEXT)

    by_name = {d["name"]: d for d in received(daemon)}
    call = by_name["bss.example"]
    assert call["namespace"] == "remote"
    assert call["parent_id"] == by_name["## billing"]["id"]
    assert call["http"] == {
        "request": {"method": "GET", "url": "https://bss.example/x"},
        "response": {"status": 503},
    }
    assert call["fault"] is True


def test_without_tracing_a_remote_subsegment_records_nothing(lambda_env, daemon, monkeypatch):
    monkeypatch.delenv("LAMBDA_TASK_ROOT")  # an SDK ready to send, but outside Lambda

    with tracing.remote_subsegment("bss.example", "GET", "https://bss.example/x") as traced:
        traced(200)

    assert received(daemon) == []
