"""Warm cost per request: each function's handler called in process with the committed
REST proxy events, its back-office ports answered by in-memory fakes
(`SandboxBackend(MemoryItems(...))` on the function's `api`, stores likewise), beside a
bare Powertools resolver route answering a payload of the same size. One fresh interpreter
per function, under the function's environment from template.yaml.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from bench.common import AS_OF, COUNTRY, NOWHERE, Row, aws_env, median, ratio, run_worker, table

Event = dict[str, Any]
Handler = Callable[[Event, Any], dict[str, Any]]


@dataclass(frozen=True)
class Budget:
    warmup: int  # calls before timing
    calls: int  # timed calls at most
    seconds: float  # per route and handler at most


# Worker side --------------------------------------------------------------------------------
class Context:
    function_name = "bench"
    memory_limit_in_mb = 256
    aws_request_id = "c0ffee00-0000-4000-8000-000000000000"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    function_version = "$LATEST"
    log_group_name = "/aws/lambda/bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def install_fakes(group: str, module: Any) -> Callable[[], int]:
    """The function's ports served from memory; returns a count of the store calls made
    so far (every `MemoryItems.calls`: what would be DynamoDB calls)."""
    from local.seed import checkout_items, paperless_items
    from selfcare.adapters.items import MemoryItems
    from selfcare.adapters.payments.sandbox import SandboxGateway
    from selfcare.adapters.sandbox import layout
    from selfcare.adapters.sandbox.backend import SandboxBackend
    from selfcare.adapters.sandbox.generator import generate_dataset
    from selfcare.payments import Credentials
    from selfcare.stores.checkout import CheckoutStore
    from selfcare.stores.paperless import PaperlessStore

    dataset = generate_dataset(COUNTRY, AS_OF, 40)
    items = MemoryItems(layout.dataset_items(dataset))
    stores = [items]
    module.api.__dict__["backend"] = SandboxBackend(items)  # `backend` is a cached_property
    secret = "bench-notification-secret"  # noqa: S105  (the in-memory gateway's own)
    credentials = Credentials(gateway="sandbox", notification_secret=secret)
    gateway = SandboxGateway(credentials, items)  # its vault in the sandbox table, as deployed
    if group == "billing":
        stores += [MemoryItems(paperless_items(dataset)), MemoryItems(checkout_items(dataset))]
        paperless, checkout = PaperlessStore(stores[1]), CheckoutStore(stores[2])
        module.paperless_store = lambda: paperless
        module.checkout_store = lambda: checkout
        module.spool_key = lambda: b"bench-spool-key"
        module.gateway = lambda: gateway
    if group == "tokenization":
        module.payment_gateway = lambda: gateway
        module.credentials = lambda: credentials
    return lambda: sum(store.calls for store in stores)


def timed(call: Callable[[], Any], budget: Budget) -> list[float]:
    """Microseconds per call."""
    for _ in range(budget.warmup):
        call()
    samples: list[float] = []
    deadline = time.perf_counter() + budget.seconds
    clock = time.perf_counter_ns
    for _ in range(budget.calls):
        started = clock()
        call()
        samples.append((clock() - started) / 1000)
        if time.perf_counter() > deadline:
            break
    return samples


def _with(event: Event, method: str | None = None, body: Any = None) -> Event:
    changed = copy.deepcopy(event)
    if method is not None:
        changed["httpMethod"] = changed["requestContext"]["httpMethod"] = method
    if body is not None:
        changed["body"] = json.dumps(body, ensure_ascii=False)
    return changed


def _body(event: Event) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(event["body"])
    return body


# Changes measured in pairs that undo each other (or alone when repeatable), so that every
# timed call succeeds: (first operation, its event -> the second event, second operation).
Second = Callable[[Event, dict[str, Any]], Event]
PAIRS: dict[str, list[tuple[str, Second | None, str | None]]] = {
    "customer": [
        (
            "AddPhonesContactInformationByContractId",
            lambda e, a: _with(e, "DELETE", {"phone": _body(e)["phone"]}),
            "RemovePhonesContactInformationByContractId",
        ),
        (
            "UpdatePhonesContactInformationByContractId",
            lambda e, a: _with(
                e,
                body={
                    "oldPhone": _body(e)["newPhone"],
                    "newPhone": _body(e)["oldPhone"],
                    "newPhoneType": "Casa",
                },
            ),
            "UpdatePhonesContactInformationByContractId",
        ),
        (
            "AddEmailContactInformationByContractId",
            lambda e, a: _with(e, "DELETE", {"email": _body(e)["email"]}),
            "RemoveEmailContactInformationByContractId",
        ),
        (
            "UpdateEmailsContactInformationByContractId",
            lambda e, a: _with(
                e, body={"oldEmail": _body(e)["newEmail"], "newEmail": _body(e)["oldEmail"]}
            ),
            "UpdateEmailsContactInformationByContractId",
        ),
    ],
    "portfolio": [
        (
            "AddOfferingByContractIdAndProductId",
            lambda e, a: _with(e, "DELETE"),
            "DeleteOfferingByContractIdAndProductId",
        ),
    ],
    "billing": [
        (
            "CreatePaperlessInvoiceInfoByContractId",
            lambda e, a: _with(e, "DELETE"),
            "DeletePaperlessInvoiceInfoByContractId",
        ),
        ("UpdatePaperlessInvoiceInfoByContractId", None, None),
        (
            "CreateRecurringBillingInfoByContractId",
            lambda e, a: _with(e, "DELETE", {"cardToken": _body(e)["cardToken"]}),
            "DeleteRecurringBillingInfoByContractId",
        ),
        ("UpdateRecurringBillingInfoByContractId", None, None),
    ],
    "tokenization": [
        (
            "CreateCardTokenForCustomerId",
            lambda e, a: _with(e, "DELETE", {"cardToken": json.loads(a["body"])["cardToken"]}),
            "DeleteCardTokenByCustomerId",
        ),
    ],
}


class Bare:
    """A bare Powertools resolver (no Logger, Metrics or middleware): each route answers a
    payload the size of our answer."""

    def __init__(self) -> None:
        from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver

        self.app = APIGatewayRestResolver()

    def add(self, event: Event, answer: dict[str, Any]) -> None:
        from aws_lambda_powertools.event_handler.api_gateway import Response

        rule = re.sub(r"\{(\w+)\}", r"<\1>", event["resource"])
        content_type = _content_type(answer)
        status = int(answer["statusCode"])
        respond: Callable[..., Any]
        if answer.get("isBase64Encoded"):
            data = base64.b64decode(answer["body"])
            respond = lambda **_: Response(status, content_type, data)  # noqa: E731
        elif content_type.startswith("application/json") and status == 200:
            payload = json.loads(answer["body"])
            respond = lambda **_: payload  # noqa: E731
        else:
            text = answer["body"]
            respond = lambda **_: Response(status, content_type, text)  # noqa: E731
        self.app.route(rule, event["httpMethod"])(respond)

    def handler(self, event: Event, context: Any) -> dict[str, Any]:
        answer: dict[str, Any] = self.app.resolve(event, context)
        return answer


def measure(config: dict[str, Any]) -> dict[str, Any]:
    """Worker: the rows of one function."""
    from bench.common import operations
    from bench.worker import import_function

    group = config["group"]
    budget = Budget(**config["budget"])
    if group == "authorizer":
        return _authorizer(budget)
    module = import_function(group)
    store_calls = install_fakes(group, module)
    handler: Handler = module.handler
    context = Context()
    ops = {o.operation_id: o for o in operations() if o.group == group}
    rows: list[Row] = []
    bare = Bare()
    reads = [(o, o.event()) for o in ops.values() if o.read]
    answers = [handler(event, context) for _, event in reads]
    for (_, event), answer in zip(reads, answers, strict=True):
        bare.add(event, answer)
    for (op, event), answer in zip(reads, answers, strict=True):
        statuses: set[int] = set()

        def ours(event: Event = event, statuses: set[int] = statuses) -> None:
            statuses.add(handler(event, context)["statusCode"])

        before = store_calls()
        ours_us = timed(ours, budget)
        calls = (store_calls() - before) / (len(ours_us) + budget.warmup)
        bare_us = timed(partial(bare.handler, event, context), budget)
        rows.append(
            {
                "operation": op.operation_id,
                "group": group,
                "kind": "read",
                "status": sorted(statuses),
                "expected": op.status,
                "bytes": len(answer.get("body") or ""),
                "us": median(ours_us),
                "bare_us": median(bare_us),
                "calls": len(ours_us),
                "store_calls": round(calls, 2),
            }
        )
    for first, make_second, second in PAIRS.get(group, []):
        event = ops[first].event()
        rows.extend(
            _change(handler, context, store_calls, event, (first, make_second, second), budget)
        )
    return {"rows": rows}


def _change(
    handler: Handler,
    context: Any,
    store_calls: Callable[[], int],
    event: Event,
    pair: tuple[str, Second | None, str | None],
    budget: Budget,
) -> list[Row]:
    """Alternate a change and its undoing, timing each call on its own."""
    first, make_second, second = pair
    timings: dict[str, list[float]] = {first: []}
    statuses: dict[str, set[int]] = {first: set()}
    calls: dict[str, int] = {first: 0}
    if second is not None:
        timings.setdefault(second, [])
        statuses.setdefault(second, set())
        calls.setdefault(second, 0)
    clock = time.perf_counter_ns
    deadline = time.perf_counter() + 2 * budget.seconds
    answer: dict[str, Any] = {}
    for n in range(budget.warmup + budget.calls):
        for name, build in ((first, None), (second, make_second)):
            if name is None:
                continue
            request = event if build is None else build(event, answer)
            store = store_calls()
            started = clock()
            answer = handler(request, context)
            spent = (clock() - started) / 1000
            statuses[name].add(int(answer["statusCode"]))
            if n >= budget.warmup:
                timings[name].append(spent)
                calls[name] += store_calls() - store
        if time.perf_counter() > deadline and n >= budget.warmup:
            break
    return [
        {
            "operation": name,
            "group": "",
            "kind": "change",
            "status": sorted(statuses[name]),
            "expected": None,
            "bytes": None,
            "us": median(values),
            "bare_us": None,
            "calls": len(values),
            "store_calls": round(calls[name] / len(values), 2) if values else None,
        }
        for name, values in timings.items()
    ]


def _authorizer(budget: Budget) -> dict[str, Any]:
    """The authorizer verifying a bearer token (RS256) with its key set fetched."""
    import os

    from local import auth

    with auth.serve_jwks() as jwks:
        os.environ["JWKS_URL"] = jwks.url
        from bench.common import METHOD_ARN
        from bench.worker import import_function

        handler = import_function("authorizer").handler
        event = {
            "type": "TOKEN",
            "authorizationToken": f"Bearer {auth.agent_token(ttl=3600)}",
            "methodArn": METHOD_ARN,
        }
        context = Context()
        handler(event, context)
        samples = timed(lambda: handler(event, context), budget)
    return {
        "rows": [
            {
                "operation": "Authorize (TOKEN, RS256)",
                "group": "authorizer",
                "kind": "authorizer",
                "status": [200],
                "expected": 200,
                "bytes": None,
                "us": median(samples),
                "bare_us": None,
                "calls": len(samples),
                "store_calls": 0,
            }
        ]
    }


# Parent side ----------------------------------------------------------------------------------
def run(groups: tuple[str, ...], budget: Budget) -> tuple[list[Row], str]:
    from bench.common import function_envs
    from local.server import identity_parameters
    from local.stack import Stack

    # The authorizer's key set: the worker serves it and points JWKS_URL at it.
    functions = function_envs(Stack(COUNTRY, overrides=identity_parameters(NOWHERE)))
    rows: list[Row] = []
    for group in groups:
        function = functions[group]
        env = {**aws_env(NOWHERE), **function.environment}
        config = {"group": group, "budget": budget.__dict__}
        found = run_worker("warm", config, env, timeout=600)["rows"]
        for row in found:
            row["group"] = group
            row["vs_bare"] = ratio(row["us"], row["bare_us"])
            expected = row["expected"]
            row["ok"] = (
                row["status"] == [expected]
                if expected is not None
                else all(200 <= s < 300 for s in row["status"])
            )
        rows.extend(found)
    return rows, render(rows)


def render(rows: list[Row]) -> str:
    lines = [
        (
            r["group"],
            r["operation"],
            r["kind"],
            "/".join(str(s) for s in r["status"]) + ("" if r["ok"] else " !"),
            r["bytes"],
            r["us"],
            r["bare_us"],
            _times(r["vs_bare"]),
            r["store_calls"],
            r["calls"],
        )
        for r in rows
    ]
    text = table(
        "Warm cost per request (µs, median; ports in memory; bare: a Powertools route, same "
        "payload)",
        [
            "fn",
            "operation",
            "kind",
            "status",
            "bytes",
            "µs",
            "bare µs",
            "÷ bare",
            "store calls",
            "n",
        ],
        lines,
    )
    reads = [r for r in rows if r["kind"] == "read" and r["vs_bare"] is not None]
    if reads:
        worst = max(reads, key=lambda r: r["vs_bare"])
        text += (
            f"\nreads: median ÷ bare {median([r['vs_bare'] for r in reads]):.1f}×, "
            f"worst {worst['vs_bare']:.1f}× ({worst['operation']})"
        )
    return text


def _content_type(answer: dict[str, Any]) -> str:
    """Powertools answers REST proxy events with multiValueHeaders."""
    for key, value in (answer.get("multiValueHeaders") or {}).items():
        if key.lower() == "content-type":
            return str(value[0])
    for key, value in (answer.get("headers") or {}).items():
        if key.lower() == "content-type":
            return str(value)
    return "application/json"


def _times(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"
