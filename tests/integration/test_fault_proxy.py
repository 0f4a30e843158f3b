"""The fault-injecting proxy (tests/support/faults.py) in front of the embedded AWS: what
botocore, our DynamoDB client and plain HTTP see of each fault, whether moto applied the
request, and that the functions' AWS traffic goes through the proxy while routed."""

from __future__ import annotations

import binascii
import http.client
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import (
    ChecksumError,
    ClientError,
    ConnectionClosedError,
    ReadTimeoutError,
)

from local import demo
from local.gateway import LambdaContext
from selfcare.adapters import aws
from tests.conftest import AS_OF
from tests.support.faults import Call, Fault, FaultProxy
from tests.support.tables import pk_sk_table

SHORT = 0.5  # a client's read timeout where the test wants it to give up


@pytest.fixture(scope="module")
def table(embedded_aws) -> str:
    return pk_sk_table("faults")


def botocore(
    proxy: FaultProxy, read_timeout: float = 60.0, mode: str = "legacy", attempts: int = 1
) -> Any:
    """A DynamoDB client through the proxy that tries once (botocore's `max_attempts` counts
    retries; `total_max_attempts` the attempts). Legacy is boto3's default retry mode."""
    retries: Any = {"mode": mode, "total_max_attempts": attempts}
    config = Config(read_timeout=read_timeout, retries=retries)
    return boto3.client("dynamodb", endpoint_url=proxy.url, config=config)


def key(name: str) -> dict[str, Any]:
    return {"pk": {"S": name}, "sk": {"S": "item"}}


def put_request(table: str, name: str) -> dict[str, Any]:
    return {"TableName": table, "Item": {**key(name), "note": {"S": "written"}}}


def stored(table: str, name: str) -> bool:
    """Whether moto holds the item (asked directly, not through the proxy)."""
    found = boto3.client("dynamodb").get_item(TableName=table, Key=key(name), ConsistentRead=True)
    return "Item" in found


def in_thread(call: Callable[[], Any]) -> Callable[[], Any]:
    """Run `call` in a thread; the returned function joins it and gives its outcome (an
    exception is returned, not raised)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def join() -> Any:
        thread.join(60)  # a safeguard: the test's own steps end the call
        assert not thread.is_alive()
        return outcome[0]

    return join


# botocore -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fault", "status", "code", "applied"),
    [
        (Fault.THROTTLE, 400, "ThrottlingException", False),
        (Fault.ERROR_BEFORE, 500, "InternalServerError", False),
        (Fault.ERROR_AFTER, 500, "InternalServerError", True),
    ],
)
def test_botocore_gets_the_error_answer(fault_proxy, table, fault, status, code, applied):
    name = uuid.uuid4().hex
    fault_proxy.inject(fault, operation="PutItem", table=table)
    with pytest.raises(ClientError) as raised:
        botocore(fault_proxy).put_item(**put_request(table, name))
    answer = raised.value.response
    assert (answer["ResponseMetadata"]["HTTPStatusCode"], answer["Error"]["Code"]) == (status, code)
    assert fault_proxy.calls == [Call("PutItem", (table,), fault)]
    assert stored(table, name) is applied


@pytest.mark.parametrize(
    ("fault", "applied"), [(Fault.DROP_BEFORE, False), (Fault.DROP_AFTER, True)]
)
def test_botocore_sees_a_dropped_connection(fault_proxy, table, fault, applied):
    name = uuid.uuid4().hex
    fault_proxy.inject(fault, operation="PutItem")
    with pytest.raises(ConnectionClosedError):
        botocore(fault_proxy).put_item(**put_request(table, name))
    assert stored(table, name) is applied


def test_botocore_checks_dynamodb_checksums_and_believes_a_corrupt_answer_without_one(
    fault_proxy, table
):
    name = uuid.uuid4().hex
    client = botocore(fault_proxy)
    fault_proxy.inject(Fault.MALFORMED, operation="PutItem")
    with pytest.raises(ChecksumError):
        client.put_item(**put_request(table, name))
    assert stored(table, name)

    fault_proxy.inject(Fault.MALFORMED_NO_CRC, operation="GetItem")
    answer = client.get_item(TableName=table, Key=key(name))  # "{" parses as nothing at all
    assert "Item" not in answer
    assert client.get_item(TableName=table, Key=key(name))["Item"]["note"] == {"S": "written"}


def test_botocore_standard_mode_retries_a_bad_checksum_but_believes_the_last_one(
    fault_proxy, table
):
    name = uuid.uuid4().hex
    boto3.client("dynamodb").put_item(**put_request(table, name))
    fault_proxy.inject(Fault.MALFORMED, operation="GetItem", times=2)
    client = botocore(fault_proxy, mode="standard", attempts=2)
    assert "Item" not in client.get_item(TableName=table, Key=key(name))
    assert [call.fault for call in fault_proxy.calls] == [Fault.MALFORMED] * 2


def test_botocore_sees_transaction_faults(fault_proxy, table):
    other = pk_sk_table("faults-other")
    names = uuid.uuid4().hex, uuid.uuid4().hex
    transaction = {
        "TransactItems": [
            {"Put": put_request(table, names[0])},
            {"Put": put_request(other, names[1])},
        ]
    }
    client = botocore(fault_proxy)
    fault_proxy.inject(Fault.TRANSACTION_CONFLICT, operation="TransactWriteItems", table=other)
    fault_proxy.inject(Fault.TRANSACTION_IN_PROGRESS, operation="TransactWriteItems", nth=2)
    with pytest.raises(ClientError) as conflict:
        client.transact_write_items(**transaction)
    with pytest.raises(ClientError) as in_progress:
        client.transact_write_items(**transaction)

    assert conflict.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in conflict.value.response["CancellationReasons"]]
    assert reasons == ["TransactionConflict", "None"]
    assert in_progress.value.response["Error"]["Code"] == "TransactionInProgressException"
    assert not stored(table, names[0]) and not stored(other, names[1])
    client.transact_write_items(**transaction)  # each rule had its one call
    assert stored(table, names[0]) and stored(other, names[1])
    assert [call.fault for call in fault_proxy.calls] == [
        Fault.TRANSACTION_CONFLICT,
        Fault.TRANSACTION_IN_PROGRESS,
        None,
    ]
    assert fault_proxy.calls[0].tables == (table, other)


@pytest.mark.parametrize(("fault", "applied"), [(Fault.HANG, False), (Fault.HANG_AFTER, True)])
def test_botocore_gives_up_on_a_held_request(fault_proxy, table, fault, applied):
    name = uuid.uuid4().hex
    fault_proxy.inject(fault, operation="PutItem")
    with pytest.raises(ReadTimeoutError):
        botocore(fault_proxy, read_timeout=SHORT).put_item(**put_request(table, name))
    assert fault_proxy.wait_idle(calls=1)  # botocore closed its socket: the proxy let go
    assert fault_proxy.held == 0
    assert stored(table, name) is applied


@pytest.mark.parametrize("fault", [Fault.HANG, Fault.HANG_AFTER])
def test_a_released_request_goes_on(fault_proxy, table, fault):
    name = uuid.uuid4().hex
    fault_proxy.inject(fault, operation="PutItem")
    join = in_thread(lambda: botocore(fault_proxy).put_item(**put_request(table, name)))
    assert fault_proxy.wait_held()
    assert stored(table, name) is (fault is Fault.HANG_AFTER)  # applied before it was held
    fault_proxy.release()
    assert join()["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert stored(table, name)


def test_stop_drops_held_requests_and_ends_every_thread(embedded_aws, table):
    proxy = FaultProxy(upstream=embedded_aws).start()
    threads = f"fault-proxy-{proxy.port}"
    client = botocore(proxy)
    client.describe_table(TableName=table)  # leaves an idle kept-alive connection
    proxy.inject(Fault.HANG)
    join = in_thread(lambda: client.put_item(**put_request(table, uuid.uuid4().hex)))
    assert proxy.wait_held()
    proxy.stop()
    assert isinstance(join(), ConnectionClosedError)
    assert not [thread for thread in threading.enumerate() if thread.name.startswith(threads)]


def test_secrets_manager_faults(fault_proxy):
    name = f"faults-{uuid.uuid4().hex}"
    boto3.client("secretsmanager").create_secret(Name=name, SecretString="s3cret")
    config = Config(retries={"mode": "legacy", "total_max_attempts": 1})
    client = boto3.client("secretsmanager", endpoint_url=fault_proxy.url, config=config)
    fault_proxy.inject(Fault.THROTTLE, operation="GetSecretValue")
    fault_proxy.inject(Fault.ERROR_BEFORE, operation="GetSecretValue", nth=2)
    for code in ("ThrottlingException", "InternalServiceError"):
        with pytest.raises(ClientError) as raised:
            client.get_secret_value(SecretId=name)
        assert raised.value.response["Error"]["Code"] == code
    assert client.get_secret_value(SecretId=name)["SecretString"] == "s3cret"
    assert [call.operation for call in fault_proxy.calls] == ["GetSecretValue"] * 3


# Rules ----------------------------------------------------------------------------------------
def test_nth_and_times_pick_the_faulted_calls_among_the_matching_ones(fault_proxy, table):
    client = botocore(fault_proxy)
    rule = fault_proxy.inject(Fault.THROTTLE, operation="GetItem", table=table, nth=2, times=2)
    outcomes = []
    for _ in range(5):
        client.describe_table(TableName=table)  # another operation: never counted
        try:
            client.get_item(TableName=table, Key=key("absent"))
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    assert outcomes == ["ok", "ThrottlingException", "ThrottlingException", "ok", "ok"]
    assert rule.fired == 2
    fault_proxy.inject(Fault.ERROR_BEFORE, table="another-table", times=None)
    client.get_item(TableName=table, Key=key("absent"))
    fault_proxy.clear()
    assert fault_proxy.calls == []


# Plain HTTP and our DynamoDB client -----------------------------------------------------------
def post(connection: http.client.HTTPConnection, operation: str, request: dict[str, Any]) -> Any:
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": f"DynamoDB_20120810.{operation}",
        "Authorization": "AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    }
    connection.request("POST", "/", body=json.dumps(request), headers=headers)
    return connection.getresponse()


def test_keep_alive_until_a_drop_closes_the_connection(fault_proxy, table):
    connection = http.client.HTTPConnection("127.0.0.1", fault_proxy.port, timeout=60)
    opened = fault_proxy.connections
    for _ in range(3):
        answer = post(connection, "GetItem", {"TableName": table, "Key": key("absent")})
        assert (answer.status, answer.read()) == (200, b"{}")
    assert fault_proxy.connections == opened + 1  # moto itself closes after every answer
    fault_proxy.inject(Fault.DROP_BEFORE)
    with pytest.raises(http.client.RemoteDisconnected):  # end of stream, no status line
        post(connection, "GetItem", {"TableName": table, "Key": key("absent")})


@pytest.mark.parametrize("fault", [Fault.MALFORMED, Fault.MALFORMED_NO_CRC])
def test_a_malformed_answer_is_the_real_one_cut_short(fault_proxy, table, fault):
    name = uuid.uuid4().hex
    boto3.client("dynamodb").put_item(**put_request(table, name))
    connection = http.client.HTTPConnection("127.0.0.1", fault_proxy.port, timeout=60)
    request = {"TableName": table, "Key": key(name)}
    real = post(connection, "GetItem", request)
    body = real.read()
    assert real.getheader("x-amz-crc32") == str(binascii.crc32(body))  # moto sends it, too
    fault_proxy.inject(fault)
    answer = post(connection, "GetItem", request)
    cut = answer.read()
    assert answer.status == 200 and body.startswith(cut) and len(cut) < len(body)
    expected = str(binascii.crc32(body)) if fault is Fault.MALFORMED else None
    assert answer.getheader("x-amz-crc32") == expected


@pytest.fixture
def ours(fault_proxy):
    """Single exchanges of our DynamoDB client through the proxy: its retries are its own
    business (tests/unit/selfcare/adapters)."""
    client = aws.DynamoDB("us-east-1", fault_proxy.url)

    def exchange(operation: str, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return client._exchange(operation, json.dumps(request).encode())

    yield exchange
    client._drop()
    assert fault_proxy.wait_idle()  # the proxy saw the connection close


@pytest.mark.parametrize(
    ("fault", "status", "code", "applied"),
    [
        (Fault.THROTTLE, 400, "ThrottlingException", False),
        (Fault.ERROR_BEFORE, 500, "InternalServerError", False),
        (Fault.ERROR_AFTER, 500, "InternalServerError", True),
    ],
)
def test_our_client_gets_the_error_answer(ours, fault_proxy, table, fault, status, code, applied):
    name = uuid.uuid4().hex
    fault_proxy.inject(fault, operation="PutItem")
    answered, body = ours("PutItem", put_request(table, name))
    assert (answered, body["__type"]) == (status, f"com.amazonaws.dynamodb.v20120810#{code}")
    assert stored(table, name) is applied


@pytest.mark.parametrize(
    ("fault", "applied"), [(Fault.DROP_BEFORE, False), (Fault.DROP_AFTER, True)]
)
def test_our_kept_alive_connection_is_dropped(ours, fault_proxy, table, fault, applied):
    name = uuid.uuid4().hex
    assert ours("GetItem", {"TableName": table, "Key": key(name)}) == (200, {})
    fault_proxy.inject(fault, operation="PutItem")
    with pytest.raises(http.client.RemoteDisconnected):
        ours("PutItem", put_request(table, name))
    assert stored(table, name) is applied


def test_our_client_times_out_on_a_held_request(ours, fault_proxy, table, monkeypatch):
    monkeypatch.setattr(aws, "READ_TIMEOUT", SHORT)
    monkeypatch.delenv("ATTEMPT_TIMEOUT_SECONDS", raising=False)  # a runner's, if one was built
    name = uuid.uuid4().hex
    fault_proxy.inject(Fault.HANG, operation="PutItem")
    with pytest.raises(TimeoutError):
        ours("PutItem", put_request(table, name))
    assert fault_proxy.wait_held()  # until the client closes its connection
    assert not stored(table, name)


# Routing the functions through the proxy ------------------------------------------------------
def test_routed_sends_every_aws_call_of_the_functions_through_the_proxy(
    fault_proxy, client, stacks
):
    from selfcare import idempotency
    from selfcare.adapters.payments import load_credentials

    stack = stacks["co"]
    records, sandbox = stack.table_name("IdempotencyTable"), stack.table_name("SandboxTable")
    customer = demo.customers("co", AS_OF)[0]
    cards = (
        f"/v1/tigo/home/co/tokenization/doc-type/{customer['documentType'].lower()}"
        f"/customers/{customer['customerId']}/cardtokens"
    )

    def use_every_client() -> None:  # as a request that tokenizes a card would
        assert client.get(cards).status_code == 200  # our DynamoDB client, in the function
        load_credentials(stack.secret_name("GatewaySecret"))  # Powertools parameters
        context = LambdaContext("faults", 256, 30, uuid.uuid4().hex)
        answer = idempotency.once(
            records, "faults", context.aws_request_id, "{}", lambda: ({}, 200), json.dumps, context
        )  # Powertools idempotency
        assert answer == ("{}", 200, {})

    use_every_client()  # every client and cache warm, on moto directly
    assert fault_proxy.calls == []
    ours: list[str] = []  # what our DynamoDB client was asked

    def listen(service: str, operation: str) -> None:
        ours.append(operation)

    aws.listeners.append(listen)
    try:
        with fault_proxy.routed():
            use_every_client()
    finally:
        aws.listeners.remove(listen)
    seen = fault_proxy.calls
    assert ("GetSecretValue", (), None) in seen
    assert ("PutItem", (records,), None) in seen and ("UpdateItem", (records,), None) in seen
    assert [call.operation for call in seen if call.tables == (sandbox,)] == ours != []
    use_every_client()
    assert fault_proxy.calls == seen  # back on moto directly
