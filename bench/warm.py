"""Warm cost per request: each function's handler called in process with the committed
REST proxy events, its back-office ports answered by in-memory fakes
(`SandboxBackend(MemoryItems(...))` on the function's `api`, stores likewise), beside a
bare Powertools resolver route answering a payload of the same size. One fresh interpreter
per function and country, under the function's environment from template.yaml.

Routes with `{idType}` are asked in Guatemala (Colombia subscribes paperless by contractId
and refuses them with 404), their events the committed ones moved to a Guatemalan
contract of the same dataset; Colombia's refusal is measured too, as kind "refusal". Every
change is timed with the change that undoes it, or alone when it repeats, or (when no route
undoes it: a new invoice, a checkout) alone with the stores put back after each call,
untimed.
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

from bench.common import (
    AS_OF,
    COUNTRY,
    ID_TYPE_COUNTRY,
    NOWHERE,
    Operation,
    Row,
    aws_env,
    median,
    ratio,
    run_worker,
    table,
)

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


class Fakes:
    """The in-memory stores behind a function's ports."""

    def __init__(self, stores: list[Any]) -> None:
        self.stores = stores  # MemoryItems

    def calls(self) -> int:
        """Store calls so far (every `MemoryItems.calls`: what would be DynamoDB calls)."""
        return sum(store.calls for store in self.stores)

    def saved(self) -> Callable[[], None]:
        """The stores' contents as they are now: call the answer to put them back. A write
        replaces an item (stored items are never changed in place), so shallow copies of
        MemoryItems' index and items suffice."""
        states = [
            (store, store._items.copy(), {pk: sks.copy() for pk, sks in store._keys.items()})
            for store in self.stores
        ]

        def restore() -> None:
            for store, items, keys in states:
                with store._lock:
                    store._items = items.copy()
                    store._keys = {pk: sks.copy() for pk, sks in keys.items()}

        return restore


def install_fakes(group: str, module: Any, country: str = COUNTRY) -> Fakes:
    """The function's ports served from memory, on the country's sandbox dataset."""
    from local import demo
    from local.seed import checkout_items, paperless_items
    from selfcare.adapters.items import MemoryItems
    from selfcare.adapters.payments.sandbox import SandboxGateway
    from selfcare.adapters.sandbox import layout
    from selfcare.adapters.sandbox.backend import SandboxBackend
    from selfcare.adapters.sandbox.generator import generate_dataset
    from selfcare.payments import Credentials
    from selfcare.stores.checkout import CheckoutStore
    from selfcare.stores.paperless import PaperlessStore

    dataset = generate_dataset(country, AS_OF, demo.CUSTOMERS)  # as the events' values
    items = MemoryItems(layout.dataset_items(dataset))
    stores = [items]
    wiring = module.api.wiring  # the function's composition root: its ports, served from memory
    wiring.backend = SandboxBackend(items)
    secret = "bench-notification-secret"  # noqa: S105  (the in-memory gateway's own)
    credentials = Credentials(gateway="sandbox", notification_secret=secret)
    gateway = SandboxGateway(credentials, items)  # its vault in the sandbox table, as deployed
    if group == "billing":
        stores += [MemoryItems(paperless_items(dataset)), MemoryItems(checkout_items(dataset))]
        paperless, checkout = PaperlessStore(stores[1]), CheckoutStore(stores[2])
        wiring.paperless, wiring.checkout = paperless, checkout
        wiring.spool_key = lambda: b"bench-spool-key"
    wiring.gateway = lambda: gateway
    wiring.credentials = lambda: credentials
    return Fakes(stores)


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


def _asked_in(event: Event, country: str, values: dict[str, str], body: Any = None) -> Event:
    """A committed event asked in another country, with other path values (and body)."""
    changed = _with(event, body=body)
    parameters = {
        name: country if name == "country" else values[name] for name in changed["pathParameters"]
    }
    path = str(changed["resource"])
    for name, value in parameters.items():
        path = path.replace("{" + name + "}", value)
    changed["pathParameters"] = parameters
    changed["path"] = changed["requestContext"]["path"] = path
    return changed


# Changes: each measured so that every timed call succeeds. Second builds the undoing
# request from the first's event and answer.
Second = Callable[[Event, dict[str, Any]], Event]


@dataclass(frozen=True)
class Change:
    """A change and the change that undoes it (the two alternate, each timed on its own), or
    a change alone: one that repeats (`second` None), or one no route undoes (`reset`: the
    stores are put back as they were after each call, untimed)."""

    first: str
    second: str | None = None
    undo: Second | None = None
    reset: bool = False

    @property
    def how(self) -> str:
        return "reset" if self.reset else ("pair" if self.second else "repeats")


CHANGES: dict[str, list[Change]] = {
    "customer": [
        Change(
            "AddPhonesContactInformationByContractId",
            "RemovePhonesContactInformationByContractId",
            lambda e, a: _with(e, "DELETE", {"phone": _body(e)["phone"]}),
        ),
        Change(
            "UpdatePhonesContactInformationByContractId",
            "UpdatePhonesContactInformationByContractId",
            lambda e, a: _with(
                e,
                body={
                    "oldPhone": _body(e)["newPhone"],
                    "newPhone": _body(e)["oldPhone"],
                    "newPhoneType": "Casa",
                },
            ),
        ),
        Change(
            "AddEmailContactInformationByContractId",
            "RemoveEmailContactInformationByContractId",
            lambda e, a: _with(e, "DELETE", {"email": _body(e)["email"]}),
        ),
        Change(
            "UpdateEmailsContactInformationByContractId",
            "UpdateEmailsContactInformationByContractId",
            lambda e, a: _with(
                e, body={"oldEmail": _body(e)["newEmail"], "newEmail": _body(e)["oldEmail"]}
            ),
        ),
    ],
    "portfolio": [
        Change(
            "AddOfferingByContractIdAndProductId",
            "DeleteOfferingByContractIdAndProductId",
            lambda e, a: _with(e, "DELETE"),
        ),
    ],
    "billing": [
        # A payment attempt: one is in process per invoice, so each call starts afresh.
        Change("CreateCheckOutForContractIdAndInvoiceId", reset=True),
        # A partial invoice: each would add an invoice to those every later call reads.
        Change("CreateInvoiceByContractId", reset=True),
        Change(
            "CreatePaperlessInvoiceInfoByContractId",
            "DeletePaperlessInvoiceInfoByContractId",
            lambda e, a: _with(e, "DELETE"),
        ),
        Change("UpdatePaperlessInvoiceInfoByContractId"),
        Change(
            "CreatePaperlessInvoiceInfoByContractIdandAndIdTypeAndId",
            "DeletePaperlessInvoiceInfoByContractIdandSubscriptionNumber",
            lambda e, a: _with(e, "DELETE"),
        ),
        Change("UpdatePaperlessInvoiceInfoByContractIdAndIdTypeAndId"),
        Change(
            "CreateRecurringBillingInfoByContractId",
            "DeleteRecurringBillingInfoByContractId",
            lambda e, a: _with(e, "DELETE", {"cardToken": _body(e)["cardToken"]}),
        ),
        Change("UpdateRecurringBillingInfoByContractId"),
    ],
    "tokenization": [
        Change(
            "CreateCardTokenForCustomerId",
            "DeleteCardTokenByCustomerId",
            lambda e, a: _with(e, "DELETE", {"cardToken": json.loads(a["body"])["cardToken"]}),
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
    """Worker: the rows of one function in one country (elsewhere than the committed events'
    country, only its routes with `{idType}`)."""
    from bench.common import operations
    from bench.worker import import_function
    from local import demo

    group = config["group"]
    country = config.get("country", COUNTRY)
    budget = Budget(**config["budget"])
    if group == "authorizer":
        return _authorizer(budget)
    module = import_function(group)
    fakes = install_fakes(group, module, country)
    handler: Handler = module.handler
    context = Context()
    ops = {o.operation_id: o for o in operations() if o.group == group}
    elsewhere = country != COUNTRY
    rows: list[Row] = []
    bare = Bare()
    # (operation, its event, the status it answers): the committed events; elsewhere, the
    # {idType} reads moved to a contract they answer 200 for
    reads = [
        (o, o.event(), o.status)
        if not elsewhere
        else (o, _asked_in(o.event(), country, demo.path_values(country, AS_OF, o.template)), 200)
        for o in ops.values()
        if o.read and (not elsewhere or "{idType}" in o.template)
    ]
    answers = [handler(event, context) for _, event, _ in reads]
    for (_, event, _), answer in zip(reads, answers, strict=True):
        bare.add(event, answer)
    for (op, event, expected), answer in zip(reads, answers, strict=True):
        statuses: set[int] = set()

        def ours(event: Event = event, statuses: set[int] = statuses) -> None:
            statuses.add(handler(event, context)["statusCode"])

        before = fakes.calls()
        ours_us = timed(ours, budget)
        calls = (fakes.calls() - before) / (len(ours_us) + budget.warmup)
        bare_us = timed(partial(bare.handler, event, context), budget)
        rows.append(
            {
                "operation": op.operation_id,
                "group": group,
                "country": country,
                # a route that only refuses here (Colombia has no paperless idType)
                "kind": "read" if 200 <= expected < 300 else "refusal",
                "status": sorted(statuses),
                "expected": expected,
                "bytes": len(answer.get("body") or ""),
                "us": median(ours_us),
                "bare_us": median(bare_us),
                "calls": len(ours_us),
                "store_calls": round(calls, 2),
            }
        )
    used: set[str] = set()  # each change on a customer of its own, as the events are
    for change in CHANGES.get(group, []):
        if ("{idType}" in ops[change.first].template) != elsewhere:
            continue  # Colombia refuses every {idType} route; elsewhere, only those are asked
        op = ops[change.first]
        event = op.event() if not elsewhere else _sample(op, country, used)
        rows.extend(_change(handler, context, fakes, event, change, budget, country))
    return {"rows": rows}


def _sample(op: Operation, country: str, used: set[str]) -> Event:
    """The committed event of a change, asked in another country for a customer it suits
    (path values and body as local.samples builds them)."""
    from local import demo, samples

    sample = samples.BY_OPERATION[op.operation_id]
    customer = next(
        c for c in demo.customers(country, AS_OF) if c["customerId"] not in used and sample.suits(c)
    )
    used.add(customer["customerId"])
    values = {**samples.customer_values(country, customer), **sample.values(country, customer)}
    return _asked_in(op.event(), country, values, sample.body(country, customer))


def _change(
    handler: Handler,
    context: Any,
    fakes: Fakes,
    event: Event,
    change: Change,
    budget: Budget,
    country: str,
) -> list[Row]:
    """Alternate a change and its undoing, timing each call on its own (or the change alone,
    the stores put back after each call, untimed, when it is a `reset` one)."""
    from local.samples import BY_OPERATION

    steps: list[tuple[str, Second | None]] = [(change.first, None)]
    if change.second is not None:
        steps.append((change.second, change.undo))
    names = list(dict.fromkeys(name for name, _ in steps))
    timings: dict[str, list[float]] = {name: [] for name in names}
    statuses: dict[str, set[int]] = {name: set() for name in names}
    calls = dict.fromkeys(names, 0)
    restore = fakes.saved() if change.reset else None
    clock = time.perf_counter_ns
    deadline = time.perf_counter() + 2 * budget.seconds
    answer: dict[str, Any] = {}
    for n in range(budget.warmup + budget.calls):
        for name, build in steps:
            request = event if build is None else build(event, answer)
            store = fakes.calls()
            started = clock()
            answer = handler(request, context)
            spent = (clock() - started) / 1000
            statuses[name].add(int(answer["statusCode"]))
            if n >= budget.warmup:
                timings[name].append(spent)
                calls[name] += fakes.calls() - store
        if restore is not None:
            restore()
        if time.perf_counter() > deadline and n >= budget.warmup:
            break
    return [
        {
            "operation": name,
            "group": "",
            "country": country,
            "kind": "change",
            "undo": change.how,
            "status": sorted(statuses[name]),
            "expected": BY_OPERATION[name].status,  # the success status the contract declares
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
                "country": COUNTRY,
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
    from bench.common import function_envs, operations
    from local.server import identity_parameters
    from local.stack import Stack

    # The authorizer's key set: the worker serves it and points JWKS_URL at it.
    envs = {
        country: function_envs(Stack(country, overrides=identity_parameters(NOWHERE)))
        for country in (COUNTRY, ID_TYPE_COUNTRY)
    }
    id_type_groups = {o.group for o in operations() if "{idType}" in o.template}
    rows: list[Row] = []
    for group in groups:
        for country in (COUNTRY, ID_TYPE_COUNTRY) if group in id_type_groups else (COUNTRY,):
            env = {**aws_env(NOWHERE), **envs[country][group].environment}
            config = {"group": group, "country": country, "budget": budget.__dict__}
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
            r["country"],
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
        ["fn", "cc", "operation", "kind", "status", "bytes", "µs", "bare µs", "÷ bare",
         "store calls", "n"],
        lines,
    )  # fmt: skip
    reset = [r["operation"] for r in rows if r.get("undo") == "reset"]
    if reset:
        text += (
            f"\nno route undoes {', '.join(reset)}: each call is followed by the stores put "
            "back as they were (untimed)"
        )
    for kind, label in (("read", "reads"), ("refusal", "refusals")):
        found = [r for r in rows if r["kind"] == kind and r["vs_bare"] is not None]
        if found:
            worst = max(found, key=lambda r: r["vs_bare"])
            text += (
                f"\n{label}: median ÷ bare {median([r['vs_bare'] for r in found]):.1f}×, "
                f"worst {worst['vs_bare']:.1f}× ({worst['operation']}, {worst['country']}, "
                f"{'/'.join(map(str, worst['status']))})"
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
