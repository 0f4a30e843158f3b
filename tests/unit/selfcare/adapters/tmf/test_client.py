"""The TMF client against a scripted BSS on 127.0.0.1: OAuth2 tokens, pagination, retries
of idempotent calls only, timeouts, the circuit breaker, parallel calls, and errors that
never carry what the BSS said."""

from __future__ import annotations

import base64
import json
import socket
import threading
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest

from selfcare import budget, errors, tracing
from selfcare.adapters.tmf import transport
from selfcare.adapters.tmf.breaker import Breaker
from selfcare.adapters.tmf.client import ClientCredentials, Rejected, TmfClient
from tests.unit.selfcare.adapters.tmf.conftest import DROP, A

BILLS = "customerBillManagement/v4/customerBill"
BILL = {"id": "cb-1", "state": "settled", "amountDue": {"value": 89900.5, "unit": "COP"}}
SECRET = "sk_live_51HbssInternalSecret"  # what a BSS error body might carry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def pauses(monkeypatch):
    """The back-off pauses between attempts, recorded instead of slept; no invocation
    budget (as outside Lambda)."""
    waited: list[float] = []
    monkeypatch.setattr(transport, "time", SimpleNamespace(sleep=waited.append))
    budget.clear()
    return waited


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def credentials(bss):
    return ClientCredentials("self-care", "s3cr3t:with+odd chars", bss.token_url, "tmf.read")


@pytest.fixture
def tmf(bss, credentials, clock):
    """TmfClient(**options) on the scripted BSS, its clock injected."""

    def make(**options):
        options = {"clock": clock, "attempt_timeout": 3.0, **options}
        return TmfClient(bss.base_url, lambda: credentials, **options)

    return make


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- OAuth2 ----------------------------------------------------------------------------------


def test_a_token_is_asked_for_with_basic_client_auth_and_sent_as_bearer(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(200, BILL))
    client = tmf()

    assert client.get(f"{BILLS}/cb-1") == {
        **BILL,
        "amountDue": {"value": Decimal("89900.5"), "unit": "COP"},
    }
    assert client.get(f"{BILLS}/cb-1")["id"] == "cb-1"

    [asked] = bss.tokens
    assert asked.method == "POST"
    assert asked.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert dict(parse_qsl(asked.body.decode())) == {
        "grant_type": "client_credentials",
        "scope": "tmf.read",
    }
    scheme, _, encoded = asked.headers["Authorization"].partition(" ")
    assert scheme == "Basic"  # RFC 6749 §2.3.1: form-encoded id and secret
    assert base64.b64decode(encoded).decode() == "self-care:s3cr3t%3Awith%2Bodd+chars"
    assert [r.headers["Authorization"] for r in bss.seen] == ["Bearer tok-1"] * 2
    assert bss.seen[0].headers["Accept"] == "application/json"
    assert client.calls == 3  # the token's request counts too


def test_a_token_is_kept_until_30_seconds_before_it_expires(bss, tmf, clock):
    bss.expires_in = 100
    bss.script("GET", f"{BILLS}/cb-1", A(200, BILL))
    client = tmf()

    client.get(f"{BILLS}/cb-1")
    clock.now += 69
    client.get(f"{BILLS}/cb-1")
    assert len(bss.tokens) == 1
    clock.now += 2
    client.get(f"{BILLS}/cb-1")

    assert len(bss.tokens) == 2
    assert bss.seen[-1].headers["Authorization"] == "Bearer tok-2"


def test_a_401_renews_the_token_and_sends_the_call_once_more(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(200, BILL))
    bss.script("POST", BILLS, A(201, BILL))
    client = tmf()
    client.get(f"{BILLS}/cb-1")
    bss.revoked.add("tok-1")  # the BSS forgot it before its expiry

    assert client.get(f"{BILLS}/cb-1")["id"] == "cb-1"
    bss.revoked.add("tok-2")
    assert client.post(BILLS, {"state": "new"})["id"] == "cb-1"  # a 401 processed nothing

    assert len(bss.tokens) == 3
    assert [r.headers["Authorization"] for r in bss.requests("POST")] == [
        "Bearer tok-2",
        "Bearer tok-3",
    ]


def test_a_second_401_is_our_credentials_being_refused(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(401, {"reason": SECRET}))

    with pytest.raises(errors.Unavailable, match="refused our credentials") as raised:
        tmf().get(f"{BILLS}/cb-1")

    assert len(bss.seen) == 2 and len(bss.tokens) == 2
    assert SECRET not in raised.value.message


def test_the_credentials_are_read_again_for_each_token(bss, credentials, clock):
    read = []

    def current():
        read.append(1)
        return credentials if len(read) == 1 else ClientCredentials("rotated", "new", bss.token_url)

    bss.script("GET", f"{BILLS}/cb-1", A(200, BILL))
    client = TmfClient(bss.base_url, current, clock=clock)
    client.get(f"{BILLS}/cb-1")
    client.get(f"{BILLS}/cb-1")
    assert len(read) == 1
    bss.revoked.add("tok-1")

    client.get(f"{BILLS}/cb-1")

    assert len(read) == 2
    basic = bss.tokens[-1].headers["Authorization"].split()[1]
    assert base64.b64decode(basic) == b"rotated:new"
    assert "scope" not in dict(parse_qsl(bss.tokens[-1].body.decode()))


@pytest.mark.parametrize("status", [400, 401])
def test_a_token_endpoint_refusing_us_is_a_503_without_its_words(bss, tmf, status):
    bss.token_answers = [A(status, {"error": "invalid_client", "error_description": SECRET})]

    with pytest.raises(errors.Unavailable, match="refused our credentials") as raised:
        tmf().get(f"{BILLS}/cb-1")

    assert SECRET not in str(raised.value) and "s3cr3t" not in str(raised.value)
    assert len(bss.tokens) == 1 and bss.seen == []  # not retried, the BSS not called


def test_a_failing_token_endpoint_is_retried_then_a_503(bss, tmf, pauses):
    bss.token_answers = [A(502, {"error": SECRET})] * 3

    with pytest.raises(errors.Unavailable) as raised:
        tmf().get(f"{BILLS}/cb-1")

    assert len(bss.tokens) == 3 and len(pauses) == 2 and bss.seen == []
    assert SECRET not in raised.value.message


def test_a_slow_token_endpoint_is_a_504(bss, tmf):
    bss.token_answers = [A(200, {"access_token": "late"}, delay=2)] * 3

    with pytest.raises(errors.UpstreamTimeout):
        tmf(attempt_timeout=0.2).get(f"{BILLS}/cb-1")


@pytest.mark.parametrize(
    "answer",
    [
        A(200, b"<html>login</html>"),
        A(200, {"token_type": "Bearer"}),
        A(200, {"access_token": "tok", "token_type": "mac"}),
        A(200, {"access_token": "tok\r\nX-Injected: 1", "token_type": "Bearer"}),
        A(200, {"access_token": "tok", "expires_in": "soon"}),
    ],
)
def test_an_unusable_token_answer_is_a_502(bss, tmf, answer):
    bss.token_answers = [answer]

    with pytest.raises(errors.UpstreamError, match="unreadably"):
        tmf().get(f"{BILLS}/cb-1")

    assert bss.seen == []


# --- reading -----------------------------------------------------------------------------------


def test_list_follows_tmf_pagination_with_the_fields_asked(bss, tmf):
    items = [{"id": f"cb-{n}"} for n in range(5)]

    def page(request):
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        return A(
            206,
            items[offset : offset + limit],
            {"X-Total-Count": "5", "X-Result-Count": str(limit)},
        )

    bss.script("GET", BILLS, page)

    found = tmf(page_size=2).list(BILLS, {"billingAccount.id": "84257928"}, ["id", "state"])

    assert found == items
    assert [(r.query["offset"], r.query["limit"]) for r in bss.seen] == [
        ("0", "2"),
        ("2", "2"),
        ("4", "2"),
    ]
    assert {r.query["fields"] for r in bss.seen} == {"id,state"}
    assert {r.query["billingAccount.id"] for r in bss.seen} == {"84257928"}
    assert "fields=id,state" in bss.seen[0].target


def test_list_stops_at_its_limit_at_a_short_page_and_at_the_total(bss, tmf):
    items = [{"id": f"cb-{n}"} for n in range(7)]

    def page(request):  # no X-Total-Count: a short page is the last
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        return A(200, items[offset : offset + limit])

    bss.script("GET", BILLS, page)
    client = tmf(page_size=3)

    assert client.list(BILLS, limit=4) == items[:4]
    assert [r.query["limit"] for r in bss.seen] == ["3", "1"]
    bss.seen.clear()
    assert client.list(BILLS) == items
    assert [r.query["offset"] for r in bss.seen] == ["0", "3", "6"]
    bss.seen.clear()
    bss.script("GET", BILLS, A(200, items[:3], {"X-Total-Count": "3"}))
    assert client.list(BILLS) == items[:3]
    assert len(bss.seen) == 1  # the total was reached: no empty page asked for


def test_list_reads_on_past_pages_the_bss_capped_while_its_total_says_more_remain(bss, tmf):
    items = [{"id": f"cb-{n}"} for n in range(7)]

    def capped(request):  # at most 2 a page, whatever the limit asked
        offset = int(request.query["offset"])
        return A(200, items[offset : offset + 2], {"X-Total-Count": "7"})

    bss.script("GET", BILLS, capped)

    assert tmf(page_size=5).list(BILLS) == items
    assert [r.query["offset"] for r in bss.seen] == ["0", "2", "4", "6"]
    bss.seen.clear()
    bss.script("GET", BILLS, A(200, items[:2], {"X-Total-Count": "9"}), A(200, []))
    assert tmf(page_size=5).list(BILLS) == items[:2]  # a total too high: its empty page ends it
    assert len(bss.seen) == 2


@pytest.mark.parametrize("total", ["²", "³", "-1", "1e3", ""])
def test_a_total_that_is_no_ascii_number_is_none(bss, tmf, total):
    items = [{"id": f"cb-{n}"} for n in range(3)]
    bss.script("GET", BILLS, A(200, items, {"X-Total-Count": total}))

    assert tmf(page_size=5).list(BILLS) == items  # a short page: the last


def test_list_reads_a_bounded_number_of_pages(bss, tmf, monkeypatch):
    from selfcare.adapters.tmf import client as module

    monkeypatch.setattr(module, "MAX_PAGES", 3)
    bss.script("GET", BILLS, A(200, [{"id": "same"}] * 2))  # a BSS ignoring the offset

    assert len(tmf(page_size=2).list(BILLS)) == 6
    assert len(bss.seen) == 3


def test_a_list_ignoring_the_limit_is_taken_whole_once(bss, tmf):
    bss.script("GET", BILLS, A(200, [{"id": str(n)} for n in range(5)]))

    assert len(tmf(page_size=2).list(BILLS)) == 5
    assert len(tmf(page_size=2).list(BILLS, limit=3)) == 3
    assert len(bss.seen) == 2


def test_a_404_is_none_for_get_and_empty_for_list(bss, tmf):
    client = tmf()

    assert client.get(f"{BILLS}/missing") is None
    assert client.list(BILLS) == []
    assert len(bss.seen) == 2  # not retried


def test_get_sends_fields_and_encodes_ids_and_params(bss, tmf):
    bss.script("GET", "productInventory/v4/product/urn:prod-1%202%25%23%3F", A(200, {"id": "p"}))

    found = tmf().get(
        "/productInventory/v4/product/urn:prod-1 2%#?",
        {"relatedParty.id": "a&b=c", "name": "Peña"},
        ["id", "name"],
    )

    assert found == {"id": "p"}
    assert bss.seen[0].target == (
        "/tmf-api/productInventory/v4/product/urn:prod-1%202%25%23%3F"
        "?relatedParty.id=a%26b%3Dc&name=Pe%C3%B1a&fields=id,name"
    )


@pytest.mark.parametrize("path", [f"{BILLS}/", f"{BILLS}/..", f"{BILLS}//x", f"{BILLS}/./x"])
def test_an_empty_or_dot_segment_is_refused_before_any_call(bss, tmf, path):
    with pytest.raises(errors.BadRequest):
        tmf().get(path)

    assert bss.seen == [] and bss.tokens == []


@pytest.mark.parametrize(
    ("answer", "call"),
    [
        (A(200, b'{"id": "cb-1", '), "get"),
        (A(200, b"\xff\xfe not json"), "get"),
        (A(200, 42), "get"),
        (A(200, {"id": "cb-1"}), "list"),
        (A(200, [{"id": "cb-1"}, "cb-2"]), "list"),
        (A(201, b"<html>created</html>"), "post"),
    ],
)
def test_a_2xx_that_is_not_the_json_expected_is_a_502(bss, tmf, answer, call):
    bss.script("GET", BILLS, answer)
    bss.script("POST", BILLS, answer)
    client = tmf()

    with pytest.raises(errors.UpstreamError, match="unreadably"):
        client.post(BILLS, {}) if call == "post" else getattr(client, call)(BILLS)


def test_connections_are_kept_alive_and_reopened_when_the_bss_closed_them(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(200, BILL))
    bss.script("GET", f"{BILLS}/cb-2", A(200, BILL, close=True))  # as an idle timeout would
    bss.script("POST", BILLS, A(201, BILL))
    client = tmf()

    client.get(f"{BILLS}/cb-1")
    client.get(f"{BILLS}/cb-1")
    client.get(f"{BILLS}/cb-2")
    assert client.post(BILLS, {"x": 1})["id"] == "cb-1"

    ports = [r.port for r in bss.seen]
    assert ports[0] == ports[1] == ports[2] != ports[3]
    assert len(bss.requests("POST")) == 1


def test_traces_name_the_host_and_the_path_without_its_query(bss, tmf, monkeypatch):
    recorded = []

    @contextmanager
    def remote(name, method, url):
        statuses: list[int] = []
        yield statuses.append
        recorded.append((name, method, url, statuses))

    monkeypatch.setattr(tracing, "remote_subsegment", remote)
    bss.script("GET", BILLS, A(200, []))

    tmf().list(BILLS, {"relatedParty.id": "CC-10307011"})

    assert recorded == [
        ("127.0.0.1", "POST", f"{bss.token_url}", [200]),
        ("127.0.0.1", "GET", f"{bss.base_url}/{BILLS}", [200]),
    ]


# --- retries and timeouts --------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_an_idempotent_call_is_retried_on_busy_and_gateway_answers(bss, tmf, pauses, status):
    bss.script("GET", f"{BILLS}/cb-1", A(status, {"reason": SECRET}), A(200, BILL))
    bss.script("DELETE", f"{BILLS}/cb-1", A(status, {}), A(204, b""))
    client = tmf()

    assert client.get(f"{BILLS}/cb-1")["id"] == "cb-1"
    assert client.delete(f"{BILLS}/cb-1") is None

    assert [r.method for r in bss.seen] == ["GET", "GET", "DELETE", "DELETE"]
    assert len(pauses) == 2 and all(0 <= p <= transport.BACKOFF_CAP for p in pauses)


def test_retries_end_after_three_attempts_with_the_last_answer(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(503, {"reason": SECRET}))

    with pytest.raises(errors.Unavailable, match="busy") as raised:
        tmf().get(f"{BILLS}/cb-1")

    assert len(bss.seen) == 3
    assert SECRET not in raised.value.message


def test_a_long_retry_after_is_not_waited_for(bss, tmf, pauses):
    bss.script("GET", f"{BILLS}/cb-1", A(429, {}, {"Retry-After": "120"}), A(200, BILL))

    with pytest.raises(errors.Unavailable):
        tmf().get(f"{BILLS}/cb-1")

    assert len(bss.seen) == 1 and pauses == []


def test_a_short_retry_after_is_waited_for(bss, tmf, pauses):
    bss.script("GET", f"{BILLS}/cb-1", A(503, {}, {"Retry-After": "1"}), A(200, BILL))

    assert tmf().get(f"{BILLS}/cb-1")["id"] == "cb-1"
    assert pauses[0] >= 1


@pytest.mark.parametrize("after", ["²", "³", "1.5", "Wed, 21 Oct 2026 07:28:00 GMT"])
def test_a_retry_after_that_is_no_ascii_number_is_not_waited_for(bss, tmf, pauses, after):
    bss.script("GET", f"{BILLS}/cb-1", A(503, {}, {"Retry-After": after}), A(200, BILL))

    with pytest.raises(errors.Unavailable):
        tmf().get(f"{BILLS}/cb-1")

    assert len(bss.seen) == 1 and pauses == []


def test_no_retry_is_started_without_budget_for_it(bss, tmf, monkeypatch):
    bss.script("GET", f"{BILLS}/cb-1", A(503, {}), A(200, BILL))
    monkeypatch.setattr(budget, "allows", lambda seconds: False)

    with pytest.raises(errors.Unavailable):
        tmf().get(f"{BILLS}/cb-1")

    assert len(bss.seen) == 1


def test_a_call_past_the_invocation_budget_is_not_made(bss, tmf, monkeypatch):
    monkeypatch.setattr(budget, "remaining", lambda: 0.01)

    with pytest.raises(errors.UpstreamTimeout):
        tmf().get(f"{BILLS}/cb-1")

    assert bss.tokens == [] and bss.seen == []


def test_a_get_dropped_before_its_answer_is_retried(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", DROP, A(200, BILL))

    assert tmf().get(f"{BILLS}/cb-1")["id"] == "cb-1"
    assert len(bss.seen) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_failed_post_is_never_sent_again(bss, tmf, status):
    bss.script("POST", BILLS, A(status, {"reason": SECRET}), A(201, BILL))

    with pytest.raises(errors.ServiceError) as raised:
        tmf().post(BILLS, {"amount": Decimal("89900.50")})

    assert raised.value.status == {500: 502, 502: 502, 503: 503, 504: 504}[status]
    assert len(bss.requests("POST")) == 1
    assert json.loads(bss.seen[0].body) == {"amount": 89900.5}
    assert SECRET not in raised.value.message


def test_a_post_or_patch_dropped_after_sending_is_not_sent_again(bss, tmf):
    bss.script("POST", BILLS, DROP, A(201, BILL))
    bss.script("PATCH", f"{BILLS}/cb-1", DROP, A(200, BILL))
    client = tmf()

    with pytest.raises(errors.Unavailable):
        client.post(BILLS, {"state": "new"})
    with pytest.raises(errors.Unavailable):
        client.patch(f"{BILLS}/cb-1", {"state": "settled"})

    assert [r.method for r in bss.seen] == ["POST", "PATCH"]


def test_a_delete_retried_after_it_may_have_applied_takes_404_as_done(bss, tmf):
    bss.script("DELETE", f"{BILLS}/cb-1", A(504, {}), A(404, {}))
    bss.script("DELETE", f"{BILLS}/cb-2", A(404, {}))
    client = tmf()

    assert client.delete(f"{BILLS}/cb-1") is None
    with pytest.raises(errors.NotFound):
        client.delete(f"{BILLS}/cb-2")


def test_patch_is_a_merge_patch(bss, tmf):
    bss.script("PATCH", f"{BILLS}/cb-1", A(200, BILL))

    assert tmf().patch(f"{BILLS}/cb-1", {"state": "settled"})["id"] == "cb-1"
    [sent] = bss.seen
    assert sent.headers["Content-Type"] == "application/merge-patch+json"
    assert json.loads(sent.body) == {"state": "settled"}


def test_a_write_answered_without_a_body_returns_none(bss, tmf):
    bss.script("POST", BILLS, A(201, b""))
    bss.script("PATCH", f"{BILLS}/cb-1", A(204, b""))

    assert tmf().post(BILLS, {}) is None
    assert tmf().patch(f"{BILLS}/cb-1", {}) is None


def test_a_refused_connection_is_a_503_whatever_the_method(bss, credentials, clock, pauses):
    client = TmfClient(f"http://127.0.0.1:{closed_port()}/tmf-api", lambda: credentials)

    with pytest.raises(errors.Unavailable, match="not reachable"):
        client.get(f"{BILLS}/cb-1")
    with pytest.raises(errors.Unavailable, match="not reachable"):
        client.post(BILLS, {})  # never sent: tried again like a read

    assert len(pauses) == 4  # three attempts each
    assert client.calls == 1  # the token's request only


def test_a_slow_answer_is_a_504_and_only_reads_are_tried_again(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(200, BILL, delay=5))
    bss.script("POST", BILLS, A(201, BILL, delay=5))
    client = tmf(attempt_timeout=0.2)

    with pytest.raises(errors.UpstreamTimeout, match="did not answer in time"):
        client.get(f"{BILLS}/cb-1")
    with pytest.raises(errors.UpstreamTimeout):
        client.post(BILLS, {})

    assert [r.method for r in bss.seen] == ["GET"] * 3 + ["POST"]


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "status", "error"),
    [
        ("GET", 400, errors.UpstreamError),
        ("GET", 403, errors.UpstreamError),
        ("GET", 405, errors.UpstreamError),
        ("GET", 409, errors.UpstreamError),
        ("POST", 409, errors.Conflict),
        ("PATCH", 409, errors.Conflict),
        ("POST", 422, Rejected),  # a 502 the adapter may take for the caller's value's 400
        ("PATCH", 400, Rejected),
        ("POST", 404, errors.NotFound),
        ("PATCH", 404, errors.NotFound),
        ("DELETE", 404, errors.NotFound),
        ("GET", 500, errors.UpstreamError),
        ("POST", 429, errors.Unavailable),
        ("GET", 302, errors.UpstreamError),
    ],
)
def test_errors_are_mapped_and_carry_nothing_of_the_answer(bss, tmf, method, status, error):
    body = {"code": str(status), "reason": SECRET, "message": f"token tok-1 at {bss.base_url}"}
    bss.script(method, f"{BILLS}/cb-1", A(status, body, {"Location": f"{bss.url}/{SECRET}"}))
    client = tmf()
    call = {
        "GET": lambda: client.get(f"{BILLS}/cb-1", {"q": "secret-query"}),
        "POST": lambda: client.post(f"{BILLS}/cb-1", {"x": 1}),
        "PATCH": lambda: client.patch(f"{BILLS}/cb-1", {"x": 1}),
        "DELETE": lambda: client.delete(f"{BILLS}/cb-1"),
    }[method]

    with pytest.raises(error) as raised:
        call()

    text = f"{raised.value} {raised.value.message} {raised.value!r}"
    assert type(raised.value) is error and "The back office" in text
    for leaked in (SECRET, "tok-1", "127.0.0.1", "secret-query", "customerBill", "s3cr3t"):
        assert leaked not in text
    error = raised.value  # nothing of the exchange chained to it either
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_what_names_the_system_in_messages(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(400, {}))

    with pytest.raises(errors.UpstreamError, match=r"^Tigo BSS rejected the request$"):
        tmf(what="Tigo BSS").get(f"{BILLS}/cb-1")


def test_a_misconfigured_base_url_is_a_503(credentials):
    with pytest.raises(errors.Unavailable):
        TmfClient("ftp://bss.example/tmf-api", lambda: credentials)


@pytest.mark.parametrize(
    "url", ["http://bss.example/tmf-api", "http://10.0.0.7/tmf-api", "http://127.0.0.1.nip.io/t"]
)
def test_plain_http_beyond_the_loopback_is_a_503(credentials, url):
    with pytest.raises(errors.Unavailable, match="not configured properly"):
        TmfClient(url, lambda: credentials)
    with pytest.raises(errors.Unavailable, match="not configured properly"):
        ClientCredentials.from_secret(json.dumps({**VALID, "tokenUrl": url}))


@pytest.mark.parametrize("host", ["127.0.0.1:8766", "localhost", "[::1]:8766"])
def test_plain_http_to_the_loopback_is_the_local_stand_in(credentials, host):
    assert TmfClient(f"http://{host}/tmf-api", lambda: credentials).origin.secure is False
    ClientCredentials.from_secret(json.dumps({**VALID, "tokenUrl": f"http://{host}/t"}))


# --- circuit breaker -------------------------------------------------------------------------


def test_the_breaker_opens_after_five_failures_and_probes_after_its_cool_down(bss, tmf, clock):
    bss.script("GET", f"{BILLS}/cb-1", *[A(500, {})] * 5, A(200, BILL))
    client = tmf()
    for _ in range(5):
        with pytest.raises(errors.UpstreamError):
            client.get(f"{BILLS}/cb-1")
    made = client.calls

    with pytest.raises(errors.Unavailable, match="not available"):
        client.get(f"{BILLS}/cb-1")
    clock.now += 29.9
    with pytest.raises(errors.Unavailable):
        client.get(f"{BILLS}/cb-1")
    assert client.calls == made and len(bss.seen) == 5  # failed fast: no request

    clock.now += 0.1
    assert client.get(f"{BILLS}/cb-1")["id"] == "cb-1"  # the half-open probe
    assert client.get(f"{BILLS}/cb-1")["id"] == "cb-1"  # closed again
    assert client.breaker.state == "closed"


def test_a_failed_probe_opens_the_breaker_again(bss, tmf, clock):
    bss.script("GET", f"{BILLS}/cb-1", A(502, {}))
    client = tmf(failure_threshold=2, cool_down=10)
    for _ in range(2):
        with pytest.raises(errors.UpstreamError):
            client.get(f"{BILLS}/cb-1")  # three attempts: one failure
    assert len(bss.seen) == 6 and client.breaker.state == "open"

    clock.now += 10
    with pytest.raises(errors.UpstreamError):
        client.get(f"{BILLS}/cb-1")
    assert len(bss.seen) == 9

    with pytest.raises(errors.Unavailable):
        client.get(f"{BILLS}/cb-1")
    assert len(bss.seen) == 9


def test_timeouts_and_refused_connections_open_the_breaker_but_4xx_do_not(bss, tmf, credentials):
    bss.script("GET", f"{BILLS}/cb-1", A(400, {}))
    bss.script("GET", f"{BILLS}/slow", A(200, BILL, delay=5))
    client = tmf(failure_threshold=2, attempt_timeout=0.2)
    for _ in range(6):
        with pytest.raises(errors.UpstreamError):
            client.get(f"{BILLS}/cb-1")
    assert client.breaker.state == "closed"

    for _ in range(2):
        with pytest.raises(errors.UpstreamTimeout):
            client.get(f"{BILLS}/slow")
    assert client.breaker.state == "open"

    closed = f"http://127.0.0.1:{closed_port()}/tmf-api"
    refused = TmfClient(closed, lambda: credentials, failure_threshold=2)
    for _ in range(2):
        with pytest.raises(errors.Unavailable, match="not reachable"):
            refused.get(f"{BILLS}/cb-1")
    assert refused.breaker.state == "open"


def test_half_open_lets_one_probe_through_at_a_time(clock):
    breaker = Breaker("The back office", threshold=1, cool_down=30, clock=clock)
    breaker.leave(False, breaker.enter())
    clock.now += 30

    probe = breaker.enter()
    with pytest.raises(errors.Unavailable):
        breaker.enter()  # while the probe is out
    breaker.leave(None, probe)  # it ended neither way (a 4xx, our own timeout)
    assert breaker.state == "open"
    assert breaker.enter() is True  # another probe may go
    with pytest.raises(errors.Unavailable):
        breaker.enter()


def test_a_call_begun_before_the_breaker_opened_does_not_take_the_probe(clock):
    breaker = Breaker("The back office", threshold=1, cool_down=30, clock=clock)
    late = breaker.enter()
    breaker.leave(False, breaker.enter())
    clock.now += 30
    probe = breaker.enter()

    breaker.leave(False, late)  # the slow call failing keeps the circuit as it is

    assert breaker.state == "half-open"
    breaker.leave(True, probe)
    assert breaker.state == "closed" and breaker.failures == 0


# --- concurrency -----------------------------------------------------------------------------


def test_concurrently_runs_calls_in_parallel_and_returns_results_in_order(bss, tmf):
    both = threading.Barrier(2, timeout=3)  # broken unless both requests are in at once

    def meet(request):
        both.wait()
        return A(200, {"id": request.path.rsplit("/", 1)[1]})

    bss.script("GET", f"{BILLS}/cb-1", meet)
    bss.script("GET", f"{BILLS}/cb-2", meet)
    client = tmf(attempt_timeout=10)

    found = client.concurrently(
        lambda: client.get(f"{BILLS}/cb-1"), lambda: client.get(f"{BILLS}/cb-2")
    )

    assert found == [{"id": "cb-1"}, {"id": "cb-2"}]
    assert len(bss.tokens) == 1  # one token for both threads
    assert len({r.port for r in bss.seen}) == 2  # a connection per thread


def test_concurrently_raises_the_first_error_once_every_call_has_ended(bss, tmf):
    ended = threading.Event()

    def slow(request):
        ended.wait(0.3)
        return A(200, BILL)

    bss.script("GET", f"{BILLS}/cb-1", A(400, {}))
    bss.script("GET", f"{BILLS}/cb-2", slow)
    client = tmf()
    finished = []

    def second():
        found = client.get(f"{BILLS}/cb-2")
        finished.append(found)
        return found

    with pytest.raises(errors.UpstreamError):
        client.concurrently(lambda: client.get(f"{BILLS}/cb-1"), second)

    assert finished == [BILL | {"amountDue": {"value": Decimal("89900.5"), "unit": "COP"}}]


def test_concurrently_nested_in_a_pooled_call_runs_in_turn(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(200, BILL))
    client = tmf(workers=1)

    def outer():
        return client.concurrently(lambda: 1, lambda: 2)

    assert client.concurrently(outer, lambda: 3) == [[1, 2], 3]


def test_calls_counts_requests_and_can_be_reset(bss, tmf):
    bss.script("GET", f"{BILLS}/cb-1", A(503, {}), A(200, BILL))
    client = tmf()
    client.get(f"{BILLS}/cb-1")
    assert client.calls == 3  # the token, two attempts

    client.calls = 0
    client.get(f"{BILLS}/cb-1")
    assert client.calls == 1


# --- credentials -------------------------------------------------------------------------------

VALID = {"clientId": "self-care", "clientSecret": "s3cr3t", "tokenUrl": "https://idp.example/t"}


def test_credentials_come_from_the_secret_and_hide_their_secrets():
    found = ClientCredentials.from_secret(
        json.dumps({**VALID, "scope": "tmf", "clientCert": "CERT-PEM", "clientKey": "KEY-PEM"})
    )

    assert found == ClientCredentials(
        "self-care", "s3cr3t", "https://idp.example/t", "tmf", "CERT-PEM", "KEY-PEM"
    )
    assert ClientCredentials.from_secret(json.dumps(VALID)).scope is None
    for hidden in ("s3cr3t", "CERT-PEM", "KEY-PEM"):
        assert hidden not in repr(found)


@pytest.mark.parametrize(
    "text",
    [
        "not json s3cr3t",
        "[]",
        json.dumps({**VALID, "clientSecret": ""}),
        json.dumps({k: v for k, v in VALID.items() if k != "tokenUrl"}),
        json.dumps({**VALID, "tokenUrl": "idp.example/s3cr3t"}),
        json.dumps({**VALID, "clientId": 42}),
        json.dumps({**VALID, "clientCert": "CERT-PEM"}),  # no key
    ],
)
def test_a_malformed_secret_is_a_503_naming_no_value(text):
    with pytest.raises(errors.Unavailable) as raised:
        ClientCredentials.from_secret(text)

    assert raised.value.status == 503
    assert "s3cr3t" not in raised.value.message and "idp" not in raised.value.message
    assert raised.value.__cause__ is None


# --- mTLS --------------------------------------------------------------------------------------


def _issue(name, key, issuer=None, issuer_key=None, *, ca=False, server=False):
    """A certificate for `name` (self-signed without an issuer), valid for a day."""
    from datetime import UTC, datetime, timedelta
    from ipaddress import ip_address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(  # Python 3.13 verifies strictly (VERIFY_X509_STRICT)
            x509.AuthorityKeyIdentifier.from_issuer_public_key((issuer_key or key).public_key()),
            False,
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), False
        )
    if not ca:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), False)
    certificate = builder.sign(issuer_key or key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return certificate, certificate.public_bytes(serialization.Encoding.PEM).decode(), key_pem


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A throwaway CA, the BSS's certificate (127.0.0.1) and a client's, as PEM files/text."""
    from cryptography.hazmat.primitives.asymmetric import ec

    folder = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca, ca_pem, _ = _issue("test CA", ca_key, ca=True)
    _, server_pem, server_key = _issue(
        "bss", ec.generate_private_key(ec.SECP256R1()), ca, ca_key, server=True
    )
    _, client_pem, client_key = _issue(
        "self-care", ec.generate_private_key(ec.SECP256R1()), ca, ca_key
    )
    for name, text in (("ca.pem", ca_pem), ("server.pem", server_pem + server_key)):
        (folder / name).write_text(text)
    return SimpleNamespace(
        ca=folder / "ca.pem", server=folder / "server.pem", cert=client_pem, key=client_key
    )


@pytest.fixture
def tls_bss(pki, monkeypatch, tmp_path):
    """The scripted BSS over https, requiring a client certificate from our CA; this
    process trusting that CA (SSL_CERT_FILE, read when a context is made) and writing its
    temporary files under `tmp_path`."""
    import ssl
    import tempfile

    from tests.unit.selfcare.adapters.tmf.conftest import start, stop

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server)
    context.load_verify_locations(pki.ca)
    context.verify_mode = ssl.CERT_REQUIRED
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca))
    monkeypatch.setattr(transport, "_contexts", {})
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    server = start(context)
    yield server
    stop(server)


def test_mtls_presents_the_client_certificate_to_the_bss_and_its_token_endpoint(
    tls_bss, pki, clock, tmp_path
):
    credentials = ClientCredentials(
        "self-care", "s3cr3t", tls_bss.token_url, client_cert=pki.cert, client_key=pki.key
    )
    tls_bss.script("GET", f"{BILLS}/cb-1", A(200, BILL))
    client = TmfClient(tls_bss.base_url, lambda: credentials, clock=clock)

    assert client.get(f"{BILLS}/cb-1")["id"] == "cb-1"
    assert client.get(f"{BILLS}/cb-1")["id"] == "cb-1"

    assert len(tls_bss.tokens) == 1 and len({r.port for r in tls_bss.seen}) == 1
    assert list(tmp_path.iterdir()) == []  # the PEM files were removed once loaded


def test_without_a_client_certificate_the_bss_cannot_be_reached(tls_bss, clock):
    credentials = ClientCredentials("self-care", "s3cr3t", tls_bss.token_url)

    with pytest.raises(errors.Unavailable, match="not reachable"):
        TmfClient(tls_bss.base_url, lambda: credentials, clock=clock).get(f"{BILLS}/cb-1")

    assert tls_bss.tokens == [] and tls_bss.seen == []


def test_an_unusable_client_certificate_is_a_503(tls_bss, pki, clock):
    credentials = ClientCredentials(
        "self-care", "s3cr3t", tls_bss.token_url, client_cert=pki.cert, client_key="KEY-PEM"
    )

    with pytest.raises(errors.Unavailable) as raised:
        TmfClient(tls_bss.base_url, lambda: credentials, clock=clock).get(f"{BILLS}/cb-1")

    assert "KEY-PEM" not in raised.value.message and "BEGIN" not in raised.value.message


def test_an_untrusted_certificate_is_refused_at_once(pki, clock, monkeypatch, pauses):
    import ssl

    from tests.unit.selfcare.adapters.tmf.conftest import start, stop

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.server)  # signed by a CA this process does not trust
    monkeypatch.setattr(transport, "_contexts", {})
    server = start(context)
    try:
        credentials = ClientCredentials("self-care", "s3cr3t", server.token_url)
        client = TmfClient(server.base_url, lambda: credentials, clock=clock)
        with pytest.raises(errors.Unavailable, match="not reachable securely"):
            client.get(f"{BILLS}/cb-1")
        assert server.tokens == [] and pauses == []  # no retry makes it trusted
    finally:
        stop(server)
