"""One log line per decision, saying why, and never the token or who the customer is."""

from __future__ import annotations

import time

import pytest

from local import auth
from tests.unit.functions.authorizer.conftest import closed_port_url

# What Powertools adds to every line (inject_lambda_context included).
STANDARD = {
    "level", "location", "message", "timestamp", "service", "sampling_rate", "cold_start",
    "function_name", "function_memory_size", "function_arn", "function_request_id",
    "xray_trace_id",
}  # fmt: skip


def test_one_line_per_decision_without_token_or_identity(authorizer, local_keys):
    now = int(time.time())
    customer = auth.customer_token("cc", "1020304050", subject="user-secret-42", keys=local_keys)
    agent = auth.agent_token("call-centre", subject="svc-secret-7", keys=local_keys)
    expired = auth.customer_token("cc", "1020304050", now=now - 7200, keys=local_keys)
    wrong_aud = auth.customer_token("cc", "1020304050", audience="x", keys=local_keys)
    other_key = auth.other_key_token(doc_type="cc", doc_number="1020304050", keys=local_keys)
    authorizer(customer)
    authorizer(agent)
    reasons = [authorizer.refuse(t) for t in (expired, wrong_aud, other_key)]
    reasons.append(authorizer.refuse(customer, scheme="Basic "))

    lines = authorizer.log_lines()
    assert [line["message"] for line in lines] == ["Allowed"] * 2 + ["Refused"] * 4
    assert (lines[0]["principalType"], lines[0]["clientId"]) == ("customer", "mitigo-app")
    assert (lines[1]["principalType"], lines[1]["clientId"]) == ("agent", "call-centre")
    assert reasons == ["expired", "wrong audience", "bad signature", "no bearer token"]
    assert {key for line in lines[:2] for key in line} - STANDARD == {"principalType", "clientId"}
    assert {key for line in lines[2:] for key in line} - STANDARD == {"reason"}
    output = authorizer.logs.getvalue()
    for token in (customer, agent, expired, wrong_aud, other_key):
        for part in token.split("."):
            assert part not in output
    for secret in ("1020304050", "user-secret-42", "svc-secret-7"):
        assert secret not in output


def test_unavailable_issuer_is_logged_without_the_token(load_app, local_keys):
    authorizer = load_app(JWKS_URL=closed_port_url())
    token = auth.customer_token("cc", "1020304050", keys=local_keys)
    with pytest.raises(RuntimeError):
        authorizer(token)
    (line,) = authorizer.log_lines()
    assert line["message"] == "Identity provider unavailable"
    assert "Error" in line["reason"]  # the kind of failure, for whoever is on call
    assert all(part not in authorizer.logs.getvalue() for part in token.split("."))


def test_event_is_never_logged_even_when_powertools_is_told_to(load_app, local_keys):
    token = auth.customer_token("cc", "1020304050", keys=local_keys)
    load_app(POWERTOOLS_LOGGER_LOG_EVENT="true")(token)
    assert all(part not in load_app().logs.getvalue() for part in token.split("."))


def test_an_unexpected_failure_is_an_error_line_and_not_a_refusal(authorizer, local_keys):
    """ERROR lines count as authorizer failures (the alarm); refusals must not."""
    token = auth.customer_token("cc", "1020304050", keys=local_keys)

    def broken(_token):
        raise KeyError("kid")

    authorizer.module.VERIFIER.verify = broken
    with pytest.raises(RuntimeError) as raised:
        authorizer(token)
    assert str(raised.value) != "Unauthorized"  # API Gateway answers 503, not 401
    (line,) = authorizer.log_lines()
    assert (line["level"], line["message"]) == ("ERROR", "Unexpected failure")
    assert all(part not in authorizer.logs.getvalue() for part in token.split("."))
