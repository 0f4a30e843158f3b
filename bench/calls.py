"""AWS calls per request, for each of the contract's 55 operations: one cold request (a
fresh container of the function that serves it: its app.py imported anew, Powertools'
parameter cache empty) and one warm request right after, through the local runner's
gateway (local.gateway.Gateway) on the seeded stacks in moto (its server, in this process),
with a channel token from local.auth.

Every DynamoDB call is counted where all of them pass (`selfcare.adapters.aws.listeners`),
every boto3 call likewise (`BaseClient._make_api_call`);
payment gateway calls are counted at the gateway port, and the DynamoDB calls the sandbox
gateway makes for itself (a real gateway answers over HTTP) are not counted as ours.
Reads are asked in Colombia, or in Guatemala where the route has `{idType}` (Colombia has
none). A warm read repeats the cold one; a warm change is the same change for another
customer (a change cannot repeat).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bench.common import AS_OF, COUNTRY, ROOT, Row, run_worker, table

GATEWAY_METHODS = ("start_checkout", "verify_notification", "query", "tokenize", "forget_token")
SHORT = {
    "GetItem": "G",
    "Query": "Q",
    "PutItem": "P",
    "DeleteItem": "D",
    "UpdateItem": "U",
    "TransactWriteItems": "T",
    "TransactGetItems": "TG",
    "BatchGetItem": "BG",
    "BatchWriteItem": "BW",
    "Scan": "S",
}


@dataclass(frozen=True)
class Request:
    path: str  # from the root, e.g. /v1/tigo/home/co/billing/...
    method: str
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    accept: str = "application/json"


@dataclass(frozen=True)
class Planned:
    operation_id: str
    country: str
    single: bool | None  # a read of one resource (None: a change)
    cold: Request
    warm: Request | None


def single_resource_reads() -> dict[str, bool]:
    """operationId -> whether its 200 answer is one resource (not a list), per the contract."""
    import yaml

    spec = yaml.safe_load((ROOT / "api" / "openapi.yaml").read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    found = {}
    for operations in spec["paths"].values():
        get = operations.get("get")
        if not get or get.get("x-non-contract"):
            continue
        content: dict[str, Any] = get["responses"]["200"].get("content", {})
        first: dict[str, Any] = next(iter(content.values()), {})
        schema: dict[str, Any] = first.get("schema", {})
        while "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
        found[get["operationId"]] = schema.get("type") != "array"
    return found


def plan() -> list[Planned]:
    from local import demo, samples
    from local.events import contract_reads

    single = single_resource_reads()
    planned = []
    for template, operation in contract_reads():
        country = "gt" if "{idType}" in template else COUNTRY
        values = demo.path_values(country, AS_OF, template)
        accept = "application/pdf" if template.endswith("/pdf") else "application/json"
        request = Request(
            f"/v1/tigo/home/{country}{demo.concrete(template, values)}",
            "GET",
            demo.query_for(template, AS_OF),
            accept=accept,
        )
        operation_id = operation["operationId"]
        planned.append(Planned(operation_id, country, single[operation_id], request, request))
    used: dict[str, set[str]] = {}
    for sample in samples.SAMPLES:
        country = "gt" if "{idType}" in sample.template else COUNTRY
        taken = used.setdefault(country, set())
        suiting = [
            c
            for c in demo.customers(country, AS_OF)
            if c["customerId"] not in taken and sample.suits(c)
        ][:2]
        taken.update(c["customerId"] for c in suiting)
        requests = [
            Request(
                f"/v1/tigo/home/{country}"
                + demo.concrete(
                    sample.template,
                    {**samples.customer_values(country, c), **sample.values(country, c)},
                ),
                sample.method,
                body=sample.body(country, c),
            )
            for c in suiting
        ]
        warm = requests[1] if len(requests) > 1 else None
        planned.append(Planned(sample.operation_id, country, None, requests[0], warm))
    return planned


class CallCounter:
    """Counts boto3 calls by service and operation, and payment gateway calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, bool]] = []  # service, operation, by the gateway
        self.gateway = 0
        self._depth = 0

    def install(self) -> None:
        import botocore.client

        from selfcare.adapters import aws
        from selfcare.adapters.payments.sandbox import SandboxGateway

        original = botocore.client.BaseClient._make_api_call
        counter = self

        def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
            service = client.meta.service_model.service_name
            counter.calls.append((service, operation, counter._depth > 0))
            return original(client, operation, params)

        botocore.client.BaseClient._make_api_call = counted
        aws.listeners.append(lambda service, operation: counter.calls.append(
            (service, operation, counter._depth > 0)
        ))  # fmt: skip
        for name in GATEWAY_METHODS:
            setattr(SandboxGateway, name, self._gateway_call(getattr(SandboxGateway, name)))

    def _gateway_call(self, method: Callable[..., Any]) -> Callable[..., Any]:
        counter = self

        def call(*args: Any, **kwargs: Any) -> Any:
            counter.gateway += 1
            counter._depth += 1
            try:
                return method(*args, **kwargs)
            finally:
                counter._depth -= 1

        return call

    def during(self, send: Callable[[], int]) -> dict[str, Any]:
        self.calls, self.gateway = [], 0
        status = send()
        ours = [(s, o) for s, o, by_gateway in self.calls if not by_gateway]
        ddb = Counter(o for s, o in ours if s == "dynamodb")
        return {
            "status": status,
            "ddb": sum(ddb.values()),
            "ddb_ops": dict(ddb),
            "secrets": sum(1 for s, _ in ours if s == "secretsmanager"),
            "other": sum(1 for s, _ in ours if s not in ("dynamodb", "secretsmanager")),
            "gateway": self.gateway,
            "gateway_ddb": sum(1 for *_, by_gateway in self.calls if by_gateway),
        }


def sender(client: Any, token: str) -> Callable[[Request], int]:
    """Sends a Request through a werkzeug test Client of the gateway; its status."""

    def send(request: Request) -> int:
        data = None if request.body is None else json.dumps(request.body)
        response = client.open(
            request.path,
            method=request.method,
            query_string=request.query,
            data=data,
            content_type="application/json" if data is not None else None,
            headers={"Authorization": f"Bearer {token}", "Accept": request.accept},
        )
        return int(response.status_code)

    return send


def fresh_container(gateway: Any, item: Planned) -> str:
    """A new container for the function that serves `item` (its next request is a cold
    start, with new connections); the function's code directory name."""
    from local.gateway import BASE, FunctionHost, _match
    from selfcare.adapters import aws, boto

    segments = tuple(s for s in item.cold.path.split("/") if s)
    matched = _match(gateway.routes[item.country], segments, item.cold.method)
    if matched is None or segments[:3] != BASE:
        raise LookupError(f"{item.cold.method} {item.cold.path}")
    function = matched[0].function
    old = gateway.hosts[(item.country, function)]
    host = FunctionHost(item.country, old.function)  # a new container (module): a cold start
    gateway.hosts[(item.country, function)] = host
    aws.reset_clients()  # its DynamoDB connection is new too
    boto.forget()
    return str(old.function.code_dir.name)


def count(config: dict[str, Any]) -> dict[str, Any]:
    """Worker: every planned operation, cold then warm."""
    import os

    from werkzeug.test import Client

    from bench.common import free_port
    from local import auth, demo
    from local.embedded_aws import EmbeddedAwsServer
    from local.gateway import Gateway
    from local.server import build, embedded_aws_env, identity_parameters, local_function_env
    from selfcare.adapters import aws

    demo.CUSTOMERS = 70  # two customers of their own for each change (the first 40 as seeded)
    port = free_port()
    moto = EmbeddedAwsServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    os.environ.update(embedded_aws_env(f"http://127.0.0.1:{port}"))
    wanted = set(config.get("operations") or [])
    planned = [p for p in plan() if not wanted or p.operation_id in wanted]
    countries = tuple(sorted({p.country for p in planned}))
    rows: list[Row] = []
    with auth.serve_jwks() as jwks:
        aws.reset_clients()
        stacks = build(countries, AS_OF, identity_parameters(jwks.url))
        gateway = Gateway(stacks, COUNTRY, local_function_env())
        send = sender(Client(gateway), auth.agent_token(ttl=6 * 3600))
        counter = CallCounter()
        counter.install()
        for item in planned:
            function = fresh_container(gateway, item)
            cold = counter.during(partial(send, item.cold))
            warm = counter.during(partial(send, item.warm)) if item.warm else None
            rows.append(row(item, function, cold, warm))
    moto.stop()
    return {"rows": rows}


# Parent side ----------------------------------------------------------------------------------
def run(operations: list[str] | None = None) -> tuple[list[Row], dict[str, Any], str]:
    from bench.common import clean_env

    rows: list[Row] = run_worker(
        "calls", {"operations": operations or []}, clean_env({}), timeout=600
    )["rows"]
    summary = summarize(rows)
    return rows, summary, render(rows, summary)


def summarize(rows: list[Row]) -> dict[str, Any]:
    def warm_ddb(row: Row) -> int:
        return int(row["warm"]["ddb"]) if row["warm"] else -1

    single = [r for r in rows if r["single"] and r["warm"]]
    reads = [r for r in rows if r["single"] is not None and r["warm"]]
    worst_single = max(single, key=warm_ddb, default=None)
    worst_read = max(reads, key=warm_ddb, default=None)
    failed = [
        r["operation"]
        for r in rows
        for side in ("cold", "warm")
        if r[side] and not 200 <= r[side]["status"] < 300
    ]
    return {
        "operations": len(rows),
        "max_warm_ddb_single_read": warm_ddb(worst_single) if worst_single else None,
        "max_warm_ddb_single_read_operation": worst_single["operation"] if worst_single else None,
        "max_warm_ddb_read": warm_ddb(worst_read) if worst_read else None,
        "max_warm_ddb_read_operation": worst_read["operation"] if worst_read else None,
        "not_2xx": sorted(set(failed)),
    }


def _ops(ops: dict[str, int]) -> str:
    return " ".join(f"{n}{SHORT.get(op, op)}" for op, n in sorted(ops.items())) or "0"


def render(rows: list[Row], summary: dict[str, Any]) -> str:
    lines = []
    for r in rows:
        cold, warm = r["cold"], r["warm"] or {}
        lines.append(
            (
                r["operation"],
                r["country"],
                "read 1" if r["single"] else ("read n" if r["single"] is False else "change"),
                f"{cold['status']}/{warm.get('status', '—')}",
                cold["ddb"],
                warm.get("ddb"),
                _ops(warm.get("ddb_ops", {})) if warm else "—",
                f"{cold['secrets']}/{warm.get('secrets', '—')}",
                f"{cold['gateway']}/{warm.get('gateway', '—')}",
            )
        )
    text = table(
        "AWS calls per request (cold = first request of a fresh container; warm = next one)",
        ["operation", "cc", "kind", "status c/w", "cold ddb", "warm ddb", "warm ddb ops",
         "secrets c/w", "gateway c/w"],
        lines,
    )  # fmt: skip
    text += (
        "\nddb ops: "
        + ", ".join(f"{short} {name}" for name, short in SHORT.items())
        + f"\nmax DynamoDB calls per warm single-resource read: "
        f"{summary['max_warm_ddb_single_read']} ({summary['max_warm_ddb_single_read_operation']})"
        f"; per warm read of any kind: {summary['max_warm_ddb_read']}"
        f" ({summary['max_warm_ddb_read_operation']})"
    )
    if summary["not_2xx"]:
        text += f"\nnot 2xx: {', '.join(summary['not_2xx'])}"
    return text


def row(item: Planned, function: str, cold: Any, warm: Any, **more: Any) -> dict[str, Any]:
    """One operation's figures as the report keeps them."""
    return {
        "operation": item.operation_id,
        "country": item.country,
        "function": function,
        "single": item.single,
        "cold": cold,
        "warm": warm,
        **more,
    }
