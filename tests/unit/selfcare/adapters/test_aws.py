"""The hand-written DynamoDB client: botocore's signatures, moto's answers, and retries,
timeouts, errors and credentials against a scripted local server."""

import http.client
import json
import socket
import string
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import example, given
from hypothesis import strategies as st

from selfcare import budget
from selfcare.adapters import aws
from selfcare.adapters.attributes import dump, load
from selfcare.errors import Unavailable, UpstreamError, UpstreamTimeout
from tests.support.tables import pk_sk_table
from tests.unit.selfcare.adapters.conftest import RAW, SILENT

THROTTLED = (
    400,
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "The level of configured provisioned throughput for the table was exceeded.",
    },
)
FAILED = (500, {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError"})
INVALID = (
    400,
    {"__type": "com.amazon.coral.validate#ValidationException", "message": "Missing key"},
)
FOUND = (200, {"Item": {"pk": {"S": "C#1"}, "n": {"N": "7"}}})
CONDITION_FAILED = (
    400,
    {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"},
)
KEY = {"TableName": "items", "Key": {"pk": {"S": "C#1"}}}
NOW = datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC)
PUT = {"TableName": "items", "Item": {"pk": {"S": "C#1"}, "n": {"N": "7"}}}


@pytest.fixture(autouse=True)
def _aws_timeouts(monkeypatch):
    """The client's own timeouts, whatever a local runner built earlier in this process set
    (its functions wait for moto as long as their budget allows)."""
    monkeypatch.delenv("ATTEMPT_TIMEOUT_SECONDS", raising=False)


@pytest.fixture
def backoffs(monkeypatch):
    """The waits between attempts, recorded instead of slept."""
    waited = []
    monkeypatch.setattr(aws, "time", SimpleNamespace(time=time.time, sleep=waited.append))
    return waited


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- signing ---------------------------------------------------------------------------------------


def botocore_signature(url, headers, payload, region, service, keys, now):
    """The headers of a POST to `url` once botocore's SigV4Auth signed it at `now`, and the
    payload hash botocore computes for it."""
    request = AWSRequest(method="POST", url=url, data=payload, headers=headers)
    signer = SigV4Auth(Credentials(*keys), service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=now.replace(tzinfo=None)):
        signer.add_auth(request)
    return request.headers, signer.payload(request)


@given(
    payload=st.binary(),
    region=st.sampled_from(["us-east-1", "eu-west-1", "sa-east-1", "ap-southeast-2"]),
    operation=st.sampled_from(["GetItem", "PutItem", "Query", "TransactWriteItems"]),
    access=st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=20),
    secret=st.text(string.ascii_letters + string.digits + "+/", min_size=1, max_size=40),
    token=st.none() | st.text(string.ascii_letters + string.digits + "+/=", min_size=1),
    now=st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31), timezones=st.just(UTC)),
)
@example(b'{"TableName":"t"}', "us-east-1", "GetItem", "AKIDEXAMPLE", "s3cr3t", None, NOW)
@example(b"{}", "eu-west-1", "PutItem", "ASIAEXAMPLE", "s3cr3t", "FwoGZXIvYXdzEJr//", NOW)
def test_signature_is_botocores(payload, region, operation, access, secret, token, now):
    host = f"dynamodb.{region}.amazonaws.com"
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": f"DynamoDB_20120810.{operation}",
        "Host": host,
    }
    ours = aws.sign(headers, payload, region, "dynamodb", (access, secret, token), now)
    theirs, payload_hash = botocore_signature(
        f"https://{host}/",
        {**headers, "X-Amz-Content-Sha256": ours["X-Amz-Content-Sha256"]},
        payload,
        region,
        "dynamodb",
        (access, secret, token),
        now,
    )
    assert ours["X-Amz-Content-Sha256"] == payload_hash
    assert ours["X-Amz-Date"] == theirs["X-Amz-Date"]
    assert ours.get("X-Amz-Security-Token") == theirs.get("X-Amz-Security-Token") == token
    assert ours["Authorization"] == theirs["Authorization"]


def test_the_request_sent_is_signed_as_botocore_would_sign_it(serve, keys):
    server = serve(FOUND)
    answer = aws.DynamoDB("us-east-1", server.url).call("GetItem", KEY)
    assert answer == FOUND[1]
    (sent,) = server.wait_for(1)
    assert (sent.method, sent.path) == ("POST", "/")
    assert sent.headers["X-Amz-Target"] == "DynamoDB_20120810.GetItem"
    assert sent.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert json.loads(sent.body) == KEY
    authorization = sent.headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDSCRIPTED/")
    assert "/us-east-1/dynamodb/aws4_request, " in authorization
    # botocore, given the headers as they arrived, signs them to the same signature
    named = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "x-amz-target", "content-type"} <= set(named)
    stamp = datetime.strptime(sent.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    theirs, _ = botocore_signature(
        f"{server.url}/",
        {name: sent.headers[name] for name in named},
        sent.body,
        "us-east-1",
        "dynamodb",
        ("AKIDSCRIPTED", "scripted-secret", None),
        stamp,
    )
    assert theirs["Authorization"] == authorization


# --- against moto ----------------------------------------------------------------------------------


@pytest.fixture
def table(embedded_aws):
    return pk_sk_table("aws")


def test_put_get_and_query_on_moto(table):
    client = aws.dynamodb()
    for sk, n in [("INV#2", "2"), ("INV#1", "1"), ("PROD#1", "3")]:
        item = {"pk": {"S": "C#1"}, "sk": {"S": sk}, "n": {"N": n}}
        assert client.call("PutItem", {"TableName": table, "Item": item}) == {}
    found = client.call(
        "GetItem", {"TableName": table, "Key": {"pk": {"S": "C#1"}, "sk": {"S": "INV#1"}}}
    )
    assert found["Item"] == {"pk": {"S": "C#1"}, "sk": {"S": "INV#1"}, "n": {"N": "1"}}
    missing = client.call(
        "GetItem", {"TableName": table, "Key": {"pk": {"S": "C#1"}, "sk": {"S": "X"}}}
    )
    assert "Item" not in missing
    invoices = client.call(
        "Query",
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": "C#1"}, ":prefix": {"S": "INV#"}},
            "ScanIndexForward": False,
        },
    )
    assert [i["n"]["N"] for i in invoices["Items"]] == ["2", "1"]
    assert invoices["Count"] == 2


def test_every_kind_of_value_survives_a_trip_through_dynamodb(table):
    item = {
        "pk": "C#2",
        "sk": "ALL",
        "text": "señal ✓",
        "number": Decimal("-12345678901234567890.123456789012345678"),
        "tiny": Decimal("1E-130"),
        "flag": True,
        "nothing": None,
        "blob": b"\x00\xffbinary",
        "blobs": {b"a", b"\x01"},
        "words": {"a", "b"},
        "numbers": {1, Decimal("2.5")},
        "nested": {"list": [1, "two", [b"3"], {"four": False}], "empty": {}},
    }
    client = aws.dynamodb()
    client.call("PutItem", {"TableName": table, "Item": dump(item)["M"]})
    found = client.call(
        "GetItem", {"TableName": table, "Key": dump({"pk": "C#2", "sk": "ALL"})["M"]}
    )
    assert load({"M": found["Item"]}) == item


def test_a_failed_condition_is_an_aws_error_naming_it(table):
    put = {
        "TableName": table,
        "Item": {"pk": {"S": "C#3"}, "sk": {"S": "ONCE"}},
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    aws.dynamodb().call("PutItem", put)
    with pytest.raises(aws.AwsError) as raised:
        aws.dynamodb().call("PutItem", put)
    assert (raised.value.status, raised.value.code) == (400, "ConditionalCheckFailedException")


def test_an_unknown_table_is_unavailable(embedded_aws):
    with pytest.raises(Unavailable) as raised, aws.translate_errors("Invoices"):
        aws.dynamodb().call("GetItem", {**KEY, "TableName": f"missing-{uuid.uuid4().hex}"})
    assert raised.value.status == 503 and "Invoices" in raised.value.message
    assert raised.value.__cause__.code == "ResourceNotFoundException"


def test_a_secret_is_read_without_boto3_and_kept_until_it_may_have_rotated(
    embedded_aws, monkeypatch
):
    import boto3

    manager = boto3.client("secretsmanager", region_name="us-east-1")
    name = f"bss-{uuid.uuid4().hex}"
    arn = manager.create_secret(Name=name, SecretString="first")["ARN"]
    aws.reset_clients()
    assert aws.secret(arn) == "first"
    manager.put_secret_value(SecretId=arn, SecretString="rotated")
    assert aws.secret(arn) == "first"  # kept: no call per request
    monkeypatch.setattr(aws, "SECRETS_MAX_AGE", 0.0)
    assert aws.secret(arn) == "rotated"


def test_a_missing_secret_is_unavailable_naming_what_needs_it(embedded_aws):
    aws.reset_clients()
    with pytest.raises(Unavailable) as raised, aws.translate_errors("The back office credentials"):
        aws.secret(f"arn:aws:secretsmanager:us-east-1:123456789012:secret:none-{uuid.uuid4().hex}")
    assert raised.value.status == 503 and "back office credentials" in raised.value.message


# --- retries, timeouts and errors ------------------------------------------------------------------


@pytest.mark.parametrize("first", [THROTTLED, FAILED], ids=["throttled", "server-error"])
def test_a_busy_or_failing_answer_is_retried(serve, keys, backoffs, first):
    server = serve(first, FOUND)
    assert aws.DynamoDB("us-east-1", server.url).call("GetItem", KEY) == FOUND[1]
    assert len(server.wait_for(2)) == 2
    assert len(backoffs) == 1


def test_three_throttles_are_unavailable(serve, keys, backoffs):
    server = serve(THROTTLED)
    client = aws.DynamoDB("us-east-1", server.url)
    with pytest.raises(aws.AwsError) as raised:
        client.call("PutItem", PUT)
    assert (raised.value.status, raised.value.code) == (
        400,
        "ProvisionedThroughputExceededException",
    )
    assert len(server.wait_for(3)) == 3
    with pytest.raises(Unavailable) as unavailable, aws.translate_errors("Invoices"):
        client.call("PutItem", PUT)
    assert unavailable.value.status == 503
    assert len(server.wait_for(6)) == 6


def test_a_rejected_request_is_not_retried_and_is_an_upstream_error(serve, keys, backoffs):
    server = serve(INVALID, FOUND)
    with pytest.raises(UpstreamError) as raised, aws.translate_errors("Invoices"):
        aws.DynamoDB("us-east-1", server.url).call("GetItem", KEY)
    assert raised.value.status == 502
    assert raised.value.__cause__.code == "ValidationException"
    assert len(server.wait_for(1)) == 1 and backoffs == []


def test_a_write_without_an_answer_is_tried_again_and_its_retry_answers(
    serve, keys, backoffs, monkeypatch
):
    """The first attempt may have been applied: the retry's answer is marked ambiguous so
    that the caller can tell its own earlier write from someone else's."""
    monkeypatch.setattr(aws, "READ_TIMEOUT", 0.2)
    server = serve(SILENT, CONDITION_FAILED)
    with pytest.raises(aws.AwsError) as raised:
        aws.DynamoDB("us-east-1", server.url).call("PutItem", PUT)
    assert raised.value.code == "ConditionalCheckFailedException"
    assert raised.value.ambiguous
    assert len(server.wait_for(2)) == 2


def test_a_call_never_answered_is_a_504_after_three_attempts(serve, keys, backoffs, monkeypatch):
    monkeypatch.setattr(aws, "READ_TIMEOUT", 0.2)
    server = serve(SILENT)
    with pytest.raises(UpstreamTimeout) as raised, aws.translate_errors("Invoices"):
        aws.DynamoDB("us-east-1", server.url).call("GetItem", KEY)
    assert raised.value.status == 504
    assert raised.value.__cause__.code == aws.TIMED_OUT and raised.value.__cause__.ambiguous
    assert len(server.wait_for(3)) == 3


def test_a_read_that_timed_out_is_answered_by_its_retry(serve, keys, backoffs, monkeypatch):
    monkeypatch.setattr(aws, "READ_TIMEOUT", 0.2)
    server = serve(SILENT, FOUND)
    assert aws.DynamoDB("us-east-1", server.url).call("Query", KEY) == FOUND[1]
    assert len(server.wait_for(2)) == 2


def test_a_refused_connection_is_unavailable_and_was_never_applied(keys, backoffs):
    client = aws.DynamoDB("us-east-1", f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(Unavailable) as raised, aws.translate_errors("Invoices"):
        client.call("PutItem", PUT)
    assert raised.value.status == 503
    assert raised.value.__cause__.code == aws.UNREACHABLE
    assert not raised.value.__cause__.ambiguous  # nothing was sent
    assert len(backoffs) == 2  # three attempts


def crc(payload):
    return str(zlib.crc32(json.dumps(payload).encode()) & 0xFFFFFFFF)


def test_an_answer_whose_checksum_does_not_match_is_asked_again(serve, keys, backoffs):
    """DynamoDB signs each answer's body with x-amz-crc32: a body damaged on the way is not
    taken for the answer (botocore retries it too)."""
    damaged = (200, {"Item": {"pk": {"S": "C#1"}}}, {"x-amz-crc32": crc(FOUND[1])})
    server = serve(damaged, (200, FOUND[1], {"x-amz-crc32": crc(FOUND[1])}))
    assert aws.DynamoDB("us-east-1", server.url).call("GetItem", KEY) == FOUND[1]
    assert len(server.wait_for(2)) == 2


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'"text"'], ids=["broken", "list", "str"]
)
def test_a_200_that_is_not_a_json_object_is_never_taken_for_success(serve, keys, backoffs, body):
    server = serve((200, RAW(body)))
    with pytest.raises(UpstreamError) as raised, aws.translate_errors("Invoices"):
        aws.DynamoDB("us-east-1", server.url).call("PutItem", PUT)
    assert raised.value.status == 502
    assert raised.value.__cause__.code == aws.CORRUPT and raised.value.__cause__.ambiguous
    assert len(server.wait_for(3)) == 3


def test_a_transaction_in_progress_is_retried(serve, keys, backoffs):
    busy = (400, {"__type": "com.amazonaws.dynamodb.v20120810#TransactionInProgressException"})
    server = serve(busy, (200, {}))
    assert aws.DynamoDB("us-east-1", server.url).call("TransactWriteItems", PUT) == {}
    assert len(server.wait_for(2)) == 2


class Remaining:
    def __init__(self, millis):
        self.millis = millis

    def get_remaining_time_in_millis(self):
        return self.millis


@pytest.fixture
def deadline():
    """budget.start(Remaining(ms)) as the handler does; cleared after the test."""
    yield lambda millis: budget.start(Remaining(millis))
    budget.clear()


def test_no_attempt_starts_when_the_invocation_has_no_time_left(serve, keys, deadline):
    server = serve(FOUND)
    deadline(int(budget.MARGIN * 1000))
    with pytest.raises(UpstreamTimeout), aws.translate_errors("Invoices"):
        aws.DynamoDB("us-east-1", server.url).call("GetItem", KEY)
    assert server.seen == []


def test_an_attempt_waits_no_longer_than_the_invocation_allows(
    serve, keys, backoffs, deadline, monkeypatch
):
    """With READ_TIMEOUT far beyond what is left, the socket's timeout is what is left."""
    timeouts = []
    settimeout = socket.socket.settimeout

    def record(sock, value):
        timeouts.append(value)
        settimeout(sock, value)

    monkeypatch.setattr(socket.socket, "settimeout", record)
    monkeypatch.setattr(aws, "READ_TIMEOUT", 3600.0)
    server = serve(FOUND)
    deadline(5_000)
    aws.DynamoDB("us-east-1", server.url).call("GetItem", KEY)
    assert timeouts and all(t is not None and t <= 5.0 - budget.MARGIN for t in timeouts)


def test_no_retry_once_the_retry_quota_is_spent(serve, keys, backoffs):
    server = serve(FAILED)
    client = aws.DynamoDB("us-east-1", server.url)
    client.quota.available = aws.RetryQuota.COST  # one retry left
    with pytest.raises(aws.AwsError):
        client.call("GetItem", KEY)
    assert len(server.wait_for(2)) == 2 and len(backoffs) == 1
    assert client.quota.available == 0


def test_a_success_after_retries_gives_the_quota_back(serve, keys, backoffs):
    server = serve(FAILED, FOUND)
    client = aws.DynamoDB("us-east-1", server.url)
    client.call("GetItem", KEY)
    assert client.quota.available == aws.RetryQuota.CAPACITY


def test_a_write_whose_connection_timed_out_is_sent_by_its_retry(
    serve, keys, backoffs, monkeypatch
):
    """A connect timeout means nothing was sent, so even a write may be tried again."""
    server = serve((200, {}))
    connect, failed = http.client.HTTPConnection.connect, []

    def slow_once(connection):
        if not failed:
            failed.append(connection)
            raise TimeoutError("timed out")
        connect(connection)

    monkeypatch.setattr(http.client.HTTPConnection, "connect", slow_once)
    assert aws.DynamoDB("us-east-1", server.url).call("PutItem", PUT) == {}
    assert len(server.wait_for(1)) == 1 and len(backoffs) == 1


def test_a_reopened_connection_keeps_the_read_timeout(serve, keys, backoffs, monkeypatch):
    monkeypatch.setattr(aws, "CONNECT_TIMEOUT", 0.2)  # READ_TIMEOUT stays 5 s
    server = serve((200, {}, {"Connection": "close"}), (200, {}, {}, 1.0))
    client = aws.DynamoDB("us-east-1", server.url)
    client.call("PutItem", PUT)
    assert client.call("PutItem", PUT) == {}  # answered in 1 s, well within 5


def test_the_connection_is_kept_between_calls(serve, keys):
    server = serve(FOUND)
    client = aws.DynamoDB("us-east-1", server.url)
    client.call("GetItem", KEY)
    client.call("GetItem", KEY)
    first, second = server.wait_for(2)
    assert first.headers["Host"] == second.headers["Host"] == server.url.removeprefix("http://")
    assert first.peer == second.peer  # one connection


# --- listeners -------------------------------------------------------------------------------------


def test_listeners_are_told_of_each_call(serve, keys):
    server = serve(FOUND)
    client = aws.DynamoDB("us-east-1", server.url)
    told = []

    def listener(service, operation):
        told.append((service, operation))

    aws.listeners.append(listener)
    try:
        client.call("PutItem", PUT)
        client.call("GetItem", KEY)
    finally:
        aws.listeners.remove(listener)
    assert told == [("dynamodb", "PutItem"), ("dynamodb", "GetItem")]


def unset(monkeypatch, *names: str):
    """For a fixture: `names` unset, and no shared client cached before or after the test."""
    for name in names:
        monkeypatch.delenv(name, raising=False)
    aws.reset_clients()
    yield
    aws.reset_clients()


# --- credentials -----------------------------------------------------------------------------------


@pytest.fixture
def no_keys(monkeypatch):
    """No credentials in the environment, and none cached before or after the test."""
    yield from unset(
        monkeypatch,
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    )


def container(access="ASIACONTAINER", expires_in=timedelta(hours=1)):
    expiration = (datetime.now(UTC) + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        200,
        {
            "AccessKeyId": access,
            "SecretAccessKey": "container-secret",
            "Token": "container-token",
            "Expiration": expiration,
        },
    )


def test_credentials_from_the_environment_come_first(monkeypatch, no_keys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", f"http://127.0.0.1:{closed_port()}/")
    assert aws.credentials() == ("AKIDENV", "env-secret", "env-token")


def test_credentials_from_the_container_endpoint_sign_requests(serve, monkeypatch, no_keys):
    endpoint = serve(container())
    monkeypatch.setenv(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", f"{endpoint.url}/2021-04-23/credentials"
    )
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth")
    dynamodb = serve(FOUND)
    client = aws.DynamoDB("us-east-1", dynamodb.url)
    client.call("GetItem", KEY)
    client.call("GetItem", KEY)
    (fetch,) = endpoint.wait_for(1)  # fetched once, then cached
    assert (fetch.method, fetch.path) == ("GET", "/2021-04-23/credentials")
    assert fetch.headers["Authorization"] == "container-auth"
    for sent in dynamodb.wait_for(2):
        assert "Credential=ASIACONTAINER/" in sent.headers["Authorization"]
        assert sent.headers["X-Amz-Security-Token"] == "container-token"


def test_the_container_token_file_is_read(serve, monkeypatch, no_keys, tmp_path):
    endpoint = serve(container())
    (tmp_path / "token").write_text("token-from-file\n")
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", f"{endpoint.url}/creds")
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", str(tmp_path / "token"))
    assert aws.credentials() == ("ASIACONTAINER", "container-secret", "container-token")
    assert endpoint.wait_for(1)[0].headers["Authorization"] == "token-from-file"


def test_credentials_about_to_expire_are_fetched_again(serve, monkeypatch, no_keys):
    endpoint = serve(
        container("ASIAFIRST", expires_in=timedelta(minutes=4)),
        container("ASIASECOND", expires_in=timedelta(hours=1)),
    )
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", f"{endpoint.url}/creds")
    assert aws.credentials()[0] == "ASIAFIRST"
    assert aws.credentials()[0] == "ASIASECOND"
    assert aws.credentials()[0] == "ASIASECOND"
    assert len(endpoint.seen) == 2


@pytest.mark.parametrize(
    "answer", [(500, {"message": "busy"}), (200, {"AccessKeyId": "ASIAHALF"}), (404, None)]
)
def test_a_failing_container_endpoint_is_unavailable(serve, monkeypatch, no_keys, answer):
    endpoint = serve(answer)
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", f"{endpoint.url}/creds")
    with pytest.raises(Unavailable) as raised:
        aws.credentials()
    assert raised.value.status == 503


def test_otherwise_botocores_chain_finds_a_profile(monkeypatch, no_keys, tmp_path):
    (tmp_path / "credentials").write_text(
        "[selfcare]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_PROFILE", "selfcare")
    assert aws.credentials() == ("AKIDPROFILE", "profile-secret", None)


def test_no_credentials_anywhere_is_unavailable(monkeypatch, no_keys, tmp_path):
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ]:
        monkeypatch.delenv(name, raising=False)
    client = aws.DynamoDB("us-east-1", f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(Unavailable):
        client.call("GetItem", KEY)


# --- the shared client's endpoint ------------------------------------------------------------------


@pytest.fixture
def fresh(monkeypatch):
    """No shared client before or after the test; AWS_* endpoint and region variables unset."""
    yield from unset(
        monkeypatch,
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    )


def test_the_dynamodb_endpoint_variable_wins(monkeypatch, fresh):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8000")
    client = aws.dynamodb()
    assert (client.secure, client.host, client.port) == (False, "localhost", 8000)
    assert aws.dynamodb() is client


def test_the_general_endpoint_variable_is_used_alone(monkeypatch, fresh):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    client = aws.dynamodb()
    assert (client.secure, client.host, client.port) == (False, "127.0.0.1", 4566)


@pytest.mark.parametrize(
    ("variables", "region"),
    [
        ({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "sa-east-1"}, "eu-west-1"),
        ({"AWS_DEFAULT_REGION": "sa-east-1"}, "sa-east-1"),
        ({}, "us-east-1"),
    ],
)
def test_without_an_endpoint_the_regional_aws_endpoint(monkeypatch, fresh, variables, region):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    client = aws.dynamodb()
    assert client.region == region
    assert (client.secure, client.host, client.port) == (
        True,
        f"dynamodb.{region}.amazonaws.com",
        None,
    )
    assert client.netloc == f"dynamodb.{region}.amazonaws.com"  # the signed Host


REGIONS = ["us-east-1", "sa-east-1", "us-gov-west-1", "cn-north-1", "us-iso-east-1",
           "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1"]  # fmt: skip


@pytest.mark.parametrize(
    ("region", "fips"),
    [(r, False) for r in REGIONS] + [(r, True) for r in REGIONS if r.startswith("us-")],
)
def test_the_endpoint_follows_the_regions_partition_as_botocores(monkeypatch, fresh, region, fips):
    from botocore.config import Config
    from botocore.session import get_session

    monkeypatch.delenv("AWS_USE_FIPS_ENDPOINT", raising=False)
    config = Config(use_fips_endpoint=fips)
    client = get_session().create_client(
        "dynamodb", region, config=config, aws_access_key_id="a", aws_secret_access_key="b"
    )
    assert aws.regional_endpoint(region, fips) == client.meta.endpoint_url


def test_reset_forgets_the_client(monkeypatch, fresh):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    first = aws.dynamodb()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4567")
    assert aws.dynamodb() is first
    aws.reset_clients()
    assert aws.dynamodb().port == 4567
