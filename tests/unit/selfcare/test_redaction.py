import copy
import io
import json
import logging
from decimal import Decimal
from types import SimpleNamespace

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum import luhn

from selfcare import redaction
from selfcare.redaction import SENSITIVE_KEYS, RedactingFormatter, mask_pan, redact, redact_text

VISA, MASTERCARD, AMEX = "4111111111111111", "5555555555554444", "378282246310005"
JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMDMwNzAxMSIsInNjb3BlIjoiYmlsbGluZyJ9"
    ".TJVA95OrM7E2cBab30RMHrHDcEfxjoYZgeFONFh7HgQ"
)


def with_check_digit(prefix: str) -> str:
    return prefix + luhn.calc_check_digit(prefix)


@given(st.text("0123456789", max_size=25) | st.text(max_size=25))
def test_our_luhn_is_stdnums(text: str) -> None:
    """The one Luhn of the code base (kept ours for import time) answers as python-stdnum's."""
    assert redaction.luhn_valid(text) is (text.isascii() and luhn.is_valid(text))


# --- mask_pan ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        (VISA, "411111XXXXXX1111"),
        (MASTERCARD, "555555XXXXXX4444"),
        (AMEX, "378282XXXXXX0005"),
        ("4222222222222", "422222XXXXXX2222"),  # 13 digits
        ("6011000990139424000", "601100XXXXXX4000"),  # 19 digits
        ("4111 1111 1111 1111", "411111XXXXXX1111"),
        ("123456789012", "XXXX9012"),  # shorter than 13: last 4 at most
        ("12345", "XXXX2345"),
        ("1234", "XXXX"),
        ("", "XXXX"),
    ],
)
def test_mask_pan_keeps_at_most_first_6_and_last_4(number, masked):
    assert mask_pan(number) == masked


# --- card numbers in text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VISA, "411111XXXXXX1111"),
        ("paid with 4111 1111 1111 1111 today", "paid with 411111XXXXXX1111 today"),
        ("card=5555-5555-5555-4444;", "card=555555XXXXXX4444;"),
        (f"amex {AMEX}.", "amex 378282XXXXXX0005."),
        ("amex 3782 822463 10005", "amex 378282XXXXXX0005"),
        (f"PAN{VISA}x", "PAN411111XXXXXX1111x"),
        (f"[{VISA}, {MASTERCARD}]", "[411111XXXXXX1111, 555555XXXXXX4444]"),
        ("No contract 4111.1111.1111.1111", "No contract 411111XXXXXX1111"),
        ("/contracts/4111_1111_1111_1111/balance", "/contracts/411111XXXXXX1111/balance"),
        ("card 5555/5555/5555/4444.", "card 555555XXXXXX4444."),
        ("amex 3782.822463.10005", "amex 378282XXXXXX0005"),
        ("mixed 4111 1111-1111.1111_", "mixed 411111XXXXXX1111_"),
    ],
)
def test_card_numbers_in_text_are_masked(text, expected):
    assert redact_text(text) == expected


def test_a_card_number_next_to_other_numbers_is_still_hidden():
    for text in (f"{VISA} 12/27", f"cuota 5 {VISA}", f"2026-11-01 {VISA}"):
        out = redact_text(text)
        assert VISA not in out and "XXXXXX" in out


ID_PAIR = with_check_digit("842579283193461")  # two contract ids


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # fails Luhn
        "4111 1111 1111 1112",
        "call 3001234567 or 6047791623",  # phones
        "contract 84257928",
        "amount 232700 COP",
        f"contracts {ID_PAIR[:8]} {ID_PAIR[8:]}",  # 16 digits, Luhn-valid together
        "periodo 2026-11-01 2026-11-13",  # "2026110120261113" is Luhn-valid
        "arn:aws:lambda:us-east-1:123456789012:function:billing-co",
        "c6af9ac6-7b61-4e1f-8123-412345678900",  # UUID: "8123412345678900" is Luhn-valid
        "Root=1-5759e988-bd4012888888881881ab2793;Sampled=1",  # X-Ray trace id
        f"contracts {ID_PAIR[:8]}.{ID_PAIR[8:]} {ID_PAIR[:8]}_{ID_PAIR[8:]}",
        f"/contracts/{ID_PAIR[:8]}/invoices/{ID_PAIR[8:]}",
        "periodo 2026/11/01 2026/11/13 2026.11.01.2026.11.13",
        "call +57 300.123.4567 or 604.779.1623",  # phones
        "from 10.120.33.201 at 1732600000.123456",  # an address, an epoch
        "amount 1.234.567.890,50 COP",
    ],
)
def test_other_numbers_and_ids_are_untouched(text):
    assert all(
        map(luhn.is_valid, (ID_PAIR, "2026110120261113", "8123412345678900", "4012888888881881"))
    )
    assert redact_text(text) == text


# --- credentials in text ---------------------------------------------------------------------


def test_jwts_and_bearer_credentials_in_text_are_replaced():
    assert redact_text(f"caller {JWT} refused") == "caller [jwt] refused"
    assert redact_text(f"sent header Bearer {JWT} to the gateway") == (
        "sent header Bearer [redacted] to the gateway"
    )
    assert redact_text("retry with bearer opaque-token_123 later") == (
        "retry with Bearer [redacted] later"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cvv=123 ok", "cvv=[redacted] ok"),
        ('{"password": "hunter2", "user": "ana"}', '{"password": "[redacted]", "user": "ana"}'),
        ("{'Client_Secret': 'abc', 'n': 1}", "{'Client_Secret': '[redacted]', 'n': 1}"),
        ("X-Api-Key: k-123\nAccept: */*", "X-Api-Key: [redacted]\nAccept: */*"),
        (f"Authorization: Bearer {JWT}", "Authorization: [redacted]"),
        ("GET /x?access_token=abc&limit=3", "GET /x?access_token=[redacted]&limit=3"),
        ("url=https://h/p?token=abc&x=1", "url=https://h/p?token=[redacted]&x=1"),
        (r"body={\"securityCode\": \"987\"}", r"body={\"securityCode\": \"[redacted]\"}"),
        (f"cardNumber='{VISA}'", "cardNumber='411111XXXXXX1111'"),
        ("SecretString: {'apiKey': 'k'}", "SecretString: {'apiKey': '[redacted]'}"),
    ],
)
def test_sensitive_pairs_in_text_lose_their_value(text, expected):
    assert redact_text(text) == expected


# --- structures ------------------------------------------------------------------------------


def test_sensitive_keys_are_redacted_at_any_depth_and_in_any_spelling():
    record = {
        "contractId": "84257928",
        "amount": 232700,
        "payment": {
            "CARD_NUMBER": VISA,
            "card-verification-value": "123",
            "items": [{"Cvv2": "456", "CVC": 789, "security_code": "012", "cvv": "345"}],
            "cardInfo": "411111XXXXXX1111",
        },
        "headers": {"Authorization": f"Bearer {JWT}", "X_API_KEY": "k", "accept": "json"},
        "gateway": ({"ClientSecret": "s", "notification-secret": "n", "Sign": "x"},),
        "tokens": [{"cardToken": "9f1c", "AccessToken": JWT, "refresh_token": "r"}],
        "secret": {"SecretString": '{"password": "p"}'},
    }
    assert redact(record) == {
        "contractId": "84257928",
        "amount": 232700,
        "payment": {
            "CARD_NUMBER": "411111XXXXXX1111",
            "card-verification-value": "[redacted]",
            "items": [
                {
                    "Cvv2": "[redacted]",
                    "CVC": "[redacted]",
                    "security_code": "[redacted]",
                    "cvv": "[redacted]",
                }
            ],
            "cardInfo": "411111XXXXXX1111",
        },
        "headers": {"Authorization": "[redacted]", "X_API_KEY": "[redacted]", "accept": "json"},
        "gateway": (
            {
                "ClientSecret": "[redacted]",
                "notification-secret": "[redacted]",
                "Sign": "[redacted]",
            },
        ),
        "tokens": [
            {"cardToken": "[redacted]", "AccessToken": "[redacted]", "refresh_token": "[redacted]"}
        ],
        "secret": "[redacted]",
    }


@pytest.mark.parametrize("key", sorted(SENSITIVE_KEYS))
def test_every_sensitive_key_hides_its_value(key):
    for spelling in (key, key.upper(), key.lower(), key.replace("-", "_")):
        out = redact({spelling: VISA + " shh"})[spelling]
        assert out in ("[redacted]", "411111XXXXXX1111"), spelling
        assert "shh" not in out


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (VISA, "411111XXXXXX1111"),
        ("3782-822463-10005", "378282XXXXXX0005"),
        (int(MASTERCARD), "555555XXXXXX4444"),
        ("411111XXXXXX1111", "411111XXXXXX1111"),  # already masked: kept
        ("not a card", "[redacted]"),
        ("12345", "[redacted]"),
        (None, None),
    ],
)
def test_card_numbers_under_card_keys_are_masked_not_dropped(value, expected):
    assert redact({"card": {"cardNumber": value, "pan": value}}) == {
        "card": {"cardNumber": expected, "pan": expected}
    }


def test_redact_never_mutates_and_keeps_container_types():
    original = {"a": [VISA, ("cvv", {"cvv": "1"})], "b": {"token": "t"}, "c": b"x"}
    snapshot = copy.deepcopy(original)
    out = redact(original)
    assert original == snapshot
    assert out == {
        "a": ["411111XXXXXX1111", ("cvv", {"cvv": "[redacted]"})],
        "b": {"token": "[redacted]"},
        "c": "x",
    }


def test_redact_handles_cycles_bytes_numbers_and_objects():
    looping: dict = {"name": "loop"}
    looping["self"] = looping
    assert redact(looping) == {"name": "loop", "self": "[cycle]"}
    assert redact(f"card {VISA}".encode()) == "card 411111XXXXXX1111"
    assert redact([float(VISA), Decimal(AMEX), 232700, 84257928.0, True]) == [
        "411111XXXXXX1111",
        "378282XXXXXX0005",
        232700,
        84257928.0,
        True,
    ]
    assert redact({"error": ValueError(f"cvv=123 card {VISA}")}) == {
        "error": "cvv=[redacted] card 411111XXXXXX1111"
    }


# --- property: no full card number survives ------------------------------------------------------


@st.composite
def card_numbers(draw) -> str:
    length = draw(st.integers(13, 19))
    return with_check_digit(draw(st.text("0123456789", min_size=length - 1, max_size=length - 1)))


@st.composite
def printed(draw, number: str) -> str:
    separator = draw(st.sampled_from(["", " ", "-"]))
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


def embedded(number: str) -> st.SearchStrategy[str]:
    """`number` inside random text, possibly next to other numbers, but not glued to their
    digits (that would make it a longer number)."""
    digits = st.text("0123456789", min_size=1, max_size=5)
    separator = st.sampled_from([" ", "-"])
    before = st.one_of(
        st.text(max_size=30), st.builds("{}{}{}".format, st.text(max_size=10), digits, separator)
    )
    after = st.one_of(
        st.text(max_size=30), st.builds("{}{}{}".format, separator, digits, st.text(max_size=10))
    )

    def join(before: str, shown: str, after: str) -> str:
        assume(not before[-1:].isascii() or not before[-1:].isdigit())
        assume(not after[:1].isascii() or not after[:1].isdigit())
        return before + shown + after

    return st.builds(join, before, printed(number), after)


@settings(max_examples=300, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.data())
def test_no_full_card_number_survives_in_text(data):
    number = data.draw(card_numbers())
    out = redact_text(data.draw(embedded(number)))
    assert number not in out.replace(" ", "").replace("-", "")


@settings(max_examples=200, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.data())
def test_no_full_card_number_survives_in_structures(data):
    number = data.draw(card_numbers())
    # Other integers stay shorter than any card number, so none can contain it by chance.
    others = st.integers(-(10**12) + 1, 10**12 - 1)
    leaves = st.one_of(st.text(max_size=10), others, st.none(), embedded(number))
    if data.draw(st.booleans()):
        leaves = st.one_of(leaves, st.just(int(number)))
    tree = data.draw(
        st.recursive(
            leaves,
            lambda children: st.one_of(
                st.lists(children, max_size=4),
                st.tuples(children, children),
                st.dictionaries(
                    st.one_of(st.text(max_size=10), embedded(number)), children, max_size=4
                ),
            ),
            max_leaves=12,
        )
    )
    value = {"payload": tree, "note": data.draw(embedded(number))}
    snapshot = copy.deepcopy(value)
    out = redact(value)
    assert value == snapshot
    assert number not in str(out).replace(" ", "").replace("-", "")


# --- Powertools ---------------------------------------------------------------------------------

REQUEST_ID = "c6af9ac6-7b61-4e1f-8123-412345678900"  # a Luhn-valid run, which must stay as is
TRACE_ID = "1-5759e988-bd4012888888881881ab2793"  # holds a Luhn-valid run too


def capture(service: str, **options) -> tuple[Logger, io.StringIO]:
    logger = Logger(service=service, logger_formatter=RedactingFormatter(), **options)
    stream = io.StringIO()
    handler = logging.getLogger(service).handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.stream = stream  # (setStream would flush a stream another test may have closed)
    logging.getLogger(service).propagate = False  # pytest's capture handler would print raw
    return logger, stream


def test_powertools_logger_never_writes_card_data_or_secrets(monkeypatch):
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    monkeypatch.setenv("_X_AMZN_TRACE_ID", f"Root={TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1")
    secret = "s3cr3t-notification-value"
    logger, stream = capture("t")
    context = SimpleNamespace(
        function_name="billing-co",
        memory_limit_in_mb=256,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:billing-co",
        aws_request_id="6d3bd6a5-2a7e-4a4c-9d35-3f1d0c1e8f00",
    )

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event, context):
        logger.append_keys(notificationSecret=secret, caller={"authorization": f"Bearer {JWT}"})
        logger.info(
            "Tokenizing card 4111 1111 1111 1111",
            extra={
                "cardNumber": VISA,
                "cardVerificationValue": "739",
                "body": {"card": {"cvv": "739", "number": AMEX}},
            },
        )
        try:
            raise ValueError(
                f"gateway refused card {MASTERCARD}: {{'cvv': '739', 'token': '{JWT}', "
                f"'secret': '{secret}'}}"
            )
        except ValueError:
            logger.exception("Gateway failure")

    handler({"requestContext": {"requestId": REQUEST_ID}}, context)

    output = stream.getvalue()
    for raw in (VISA, "4111 1111 1111 1111", AMEX, MASTERCARD, JWT, secret, "'cvv': '739'"):
        assert raw not in output
    info, failure = (json.loads(line) for line in output.splitlines())
    for line in (info, failure):
        assert line["service"] == "t"
        assert line["correlation_id"] == REQUEST_ID
        assert line["xray_trace_id"] == TRACE_ID
        assert line["function_request_id"] == context.aws_request_id
        assert line["function_name"] == "billing-co"
        assert line["cold_start"] in (True, False, "True", "False")  # set per process, not per test
        assert {"level", "location", "timestamp", "function_arn", "function_memory_size"} <= set(
            line
        )
        assert line["notificationSecret"] == "[redacted]"
        assert line["caller"] == {"authorization": "[redacted]"}
    assert info["level"] == "INFO" and info["message"] == "Tokenizing card 411111XXXXXX1111"
    assert info["cardNumber"] == "411111XXXXXX1111"
    assert info["cardVerificationValue"] == "[redacted]"
    assert info["body"] == {"card": {"cvv": "[redacted]", "number": "378282XXXXXX0005"}}
    assert failure["level"] == "ERROR" and failure["exception_name"] == "ValueError"
    assert "555555XXXXXX4444" in failure["exception"]
    assert "'cvv': '[redacted]', 'token': '[redacted]'" in failure["exception"]
    assert failure["stack_trace"]["type"] == "ValueError"
    assert failure["stack_trace"]["value"].startswith("gateway refused card 555555XXXXXX4444")


def test_a_record_that_fails_to_format_does_not_leak_its_arguments(capsys):
    logger, stream = capture("t-broken")
    logger.info("charging %s with %s", VISA)  # one argument missing
    line = json.loads(stream.getvalue())
    assert line["message"] == "charging %s with %s" and "log_error" in line
    assert VISA not in stream.getvalue() + capsys.readouterr().err
