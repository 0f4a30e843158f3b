"""Backend tmf: the API fronting a BSS through the TM Forum Open APIs v4, here the stand-in
(local.tmf_standin) over HTTP, on stacks of stage "tmf" (tables of their own) in moto's
server, through the local gateway, in one worker process:

- BSS requests per operation, counted at the stand-in (token requests apart), with the
  DynamoDB calls beside them: cold (a fresh container) and warm, as bench/calls.py plans
  them (every contract GET, and the changes: a warm change is the same change for another
  customer);
- round trips of latency per read: the warm read again with every BSS request delayed by
  D; its wall time ÷ D, floored (concurrent requests count once; a reading holds while the
  request without delay takes under D), the fastest of a few;
- the adapter's own CPU per warm read port call, its BSS answers replayed from memory,
  beside the sandbox adapter's (bench/replay.py);
- cold start: billing's first answer with Backend tmf beside Backend sandbox and the usual
  Powertools handler (bench/cold.py's fresh interpreters; the BSS token and secret are
  fetched on that first request).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.calls import Planned, Request, row
from bench.common import AS_OF, COUNTRY, Row, fmt, median, ratio, run_worker, table

COLD_FUNCTION = "billing"  # the function the reference serves the same route of


def measure(config: dict[str, Any]) -> dict[str, Any]:
    """Worker: every planned operation on Backend tmf, the adapter's CPU, cold starts."""
    import os

    from werkzeug.test import Client

    from bench.calls import CallCounter, plan, sender
    from bench.common import free_port
    from bench.replay import PortCalls, compare
    from bench.warm import Budget
    from local import auth, demo
    from local.embedded_aws import EmbeddedAwsServer
    from local.gateway import Gateway
    from local.server import build, embedded_aws_env, identity_parameters, local_function_env
    from local.tmf_standin import standin
    from selfcare.adapters import aws

    seeded = demo.CUSTOMERS  # the committed events' dataset (cold starts' sandbox stack)
    demo.CUSTOMERS = 70  # two customers of their own for each change (the first 40 as seeded)
    port = free_port()
    moto = EmbeddedAwsServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(embedded_aws_env(endpoint))
    wanted = set(config.get("operations") or [])
    planned = [p for p in plan() if not wanted or p.operation_id in wanted]
    countries = tuple(sorted({p.country for p in planned} | {COUNTRY}))
    bss = standin(AS_OF, demo.CUSTOMERS, countries=countries).start()
    tokens = _token_counter(bss)
    try:
        with auth.serve_jwks() as jwks:
            aws.reset_clients()
            identity = identity_parameters(jwks.url)
            stacks = build(countries, AS_OF, identity, stage="tmf", bss=bss)
            gateway = Gateway(stacks, COUNTRY, local_function_env())
            send = sender(Client(gateway), auth.agent_token(ttl=6 * 3600))
            counter = CallCounter()
            counter.install()
            ports = PortCalls()

            def counted(request: Request) -> Row:
                before, tokens_before = bss.stats.requests.copy(), tokens[0]
                found = counter.during(partial(send, request))
                made = bss.stats.requests - before
                return {
                    "status": found["status"],
                    "bss": sum(made.values()),
                    "bss_ops": dict(made),
                    "tokens": tokens[0] - tokens_before,
                    "ddb": found["ddb"],
                    "secrets": found["secrets"],
                }

            rows = []
            delay = config["delay_ms"] / 1000
            with ports.installed():
                for item in planned:
                    rows.append(_operation(item, gateway, counted, ports, send, bss, delay, config))
            budget = Budget(**config["budget"])
            cpu = compare(ports.calls, bss, budget)
            cold = []
            if config["cold_repeats"]:
                sandbox = build((COUNTRY,), AS_OF, identity, customers=seeded)[COUNTRY]
                cold = _cold(endpoint, jwks.url, sandbox, stacks[COUNTRY], config)
    finally:
        bss.stop()
        moto.stop()
    return {"rows": rows, "cpu": cpu, "cold": cold}


def _token_counter(bss: Any) -> list[int]:
    """Token requests the stand-in answers, counted in the list's one item."""
    count = [0]
    issue = bss.issue_token

    def counted(authorization: str) -> str | None:
        count[0] += 1
        token: str | None = issue(authorization)
        return token

    bss.issue_token = counted
    return count


def _operation(
    item: Planned,
    gateway: Any,
    counted: Callable[[Request], Row],
    ports: Any,
    send: Callable[[Request], int],
    bss: Any,
    delay: float,
    config: dict[str, Any],
) -> Row:
    from bench.calls import fresh_container

    read = item.single is not None
    function = fresh_container(gateway, item)
    ports.operation, ports.country = (item.operation_id if read else ""), item.country
    cold = counted(item.cold)
    warm = counted(item.warm) if item.warm else None
    ports.operation = ""
    latency = None
    if read and item.warm and warm and 200 <= warm["status"] < 300:
        latency = _round_trips(partial(send, item.warm), bss, delay, config["repeats"])
    return row(item, function, cold, warm, latency=latency)


def _round_trips(send: Callable[[], int], bss: Any, delay: float, repeats: int) -> Row:
    """The warm request's wall time, without and with every BSS request delayed by
    `delay` (the fastest of `repeats` each); round trips: the latter ÷ `delay`, floored."""

    def wall() -> float:
        started = time.perf_counter()
        send()
        return time.perf_counter() - started

    base = min(wall() for _ in range(repeats))
    bss.inject(delay=delay, times=10**9)
    try:
        delayed = min(wall() for _ in range(repeats))
    finally:
        bss.clear()
    return {
        "base_ms": base * 1000,
        "delayed_ms": delayed * 1000,
        "round_trips": int(delayed // delay),
    }


def _cold(
    endpoint: str, jwks_url: str, sandbox: Any, tmf: Any, config: dict[str, Any]
) -> list[Row]:
    """bench/cold.py's probes of billing's first request, on each backend."""
    from bench import cold
    from bench.common import ServedStack

    groups, traced = (COLD_FUNCTION,), config["traced"]
    found = [
        v
        for v in cold.variants(ServedStack(endpoint, jwks_url, sandbox), groups, False, traced)
        if v.kind in ("reference", "ours")
    ]
    for variant in cold.variants(ServedStack(endpoint, jwks_url, tmf), groups, False, traced):
        if variant.kind == "ours":
            variant.name = variant.name.replace(COLD_FUNCTION, f"{COLD_FUNCTION}, tmf", 1)
            found.append(variant)
    return cold.measure(found, config["cold_repeats"])


# Parent side ----------------------------------------------------------------------------------
def run(config: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """config: operations, delay_ms, repeats (per round-trip reading), budget (warm.Budget's
    fields), cold_repeats, traced."""
    from bench.common import clean_env

    found: dict[str, Any] = run_worker("tmf", config, clean_env({}), timeout=1200)
    found["delay_ms"] = config["delay_ms"]
    found["summary"] = summarize(found)
    return found, render(found)


def summarize(found: dict[str, Any]) -> dict[str, Any]:
    rows = found["rows"]
    reads = [r for r in rows if r["single"] is not None and r["warm"]]
    timed = [r for r in reads if r["latency"]]
    worst_bss = max(reads, key=lambda r: r["warm"]["bss"], default=None)
    worst_trips = max(timed, key=lambda r: r["latency"]["round_trips"], default=None)
    ratios = [r["vs_sandbox"] for r in found["cpu"] if r["vs_sandbox"] is not None]
    worst_cpu = max(found["cpu"], key=lambda r: r["vs_sandbox"] or 0, default=None)
    cold = {r["variant"]: r for r in found["cold"]}
    failed = [
        r["operation"]
        for r in rows
        for side in ("cold", "warm")
        if r[side] and not 200 <= r[side]["status"] < 300
    ]

    def first_ms(name: str) -> float | None:
        row = cold.get(name)
        return row["first_ms"] if row else None

    return {
        "operations": len(rows),
        "max_warm_bss_read": worst_bss["warm"]["bss"] if worst_bss else None,
        "max_warm_bss_read_operation": worst_bss["operation"] if worst_bss else None,
        "max_round_trips": worst_trips["latency"]["round_trips"] if worst_trips else None,
        "max_round_trips_operation": worst_trips["operation"] if worst_trips else None,
        "above_two_round_trips": [r["operation"] for r in timed if r["latency"]["round_trips"] > 2],
        "reads_timed": len(timed),
        "cpu_vs_sandbox_median": median(ratios) if ratios else None,
        "cpu_vs_sandbox_worst": worst_cpu["vs_sandbox"] if worst_cpu else None,
        "cpu_vs_sandbox_worst_method": worst_cpu["method"] if worst_cpu else None,
        "cold_vs_sandbox": ratio(first_ms(f"{COLD_FUNCTION}, tmf"), first_ms(COLD_FUNCTION)),
        "cold_vs_sandbox_traced": ratio(
            first_ms(f"{COLD_FUNCTION}, tmf, traced"), first_ms(f"{COLD_FUNCTION}, traced")
        ),
        "not_2xx": sorted(set(failed)),
    }


def _requests(made: dict[str, int]) -> str:
    """{"GET productInventory/v4/product": 2} as "product×2"; other methods named."""
    parts = []
    for key, n in sorted(made.items(), key=lambda kv: kv[0].rsplit("/", 1)[1]):
        method, _, path = key.partition(" ")
        name = path.rsplit("/", 1)[1] + (f"×{n}" if n > 1 else "")
        parts.append(name if method == "GET" else f"{method} {name}")
    return ", ".join(parts) or "none"


def _kind(row: Row) -> str:
    return "read 1" if row["single"] else ("read n" if row["single"] is False else "change")


def render(found: dict[str, Any]) -> str:
    delay, summary = found["delay_ms"], found["summary"]
    calls = []
    for r in found["rows"]:
        cold, warm = r["cold"], r["warm"] or {}
        calls.append(
            (
                r["operation"],
                r["country"],
                _kind(r),
                f"{cold['status']}/{warm.get('status', '—')}",
                f"{cold['bss']}/{warm.get('bss', '—')}",
                f"{cold['tokens']}/{warm.get('tokens', '—')}",
                f"{cold['ddb']}/{warm.get('ddb', '—')}",
                _requests(warm.get("bss_ops", {})) if warm else "—",
            )
        )
    text = table(
        "Backend tmf: BSS requests per request, at the stand-in (c/w: cold/warm; tokens apart)",
        ["operation", "cc", "kind", "status c/w", "bss c/w", "tokens c/w", "ddb c/w",
         "warm BSS requests"],
        calls,
    )  # fmt: skip
    latency = [
        (
            r["operation"],
            r["country"],
            r["warm"]["bss"],
            r["latency"]["base_ms"],
            r["latency"]["delayed_ms"],
            r["latency"]["round_trips"],
        )
        for r in found["rows"]
        if r["latency"]
    ]
    text += "\n" + table(
        f"Backend tmf: round trips of latency per warm read (every BSS request delayed"
        f" {delay:.0f} ms)",
        ["operation", "cc", "bss", "ms", f"ms +{delay:.0f}", "round trips"],
        latency,
    )
    text += "\n" + table(
        "Backend tmf: the adapter's own CPU per warm read port call (µs, median; BSS answers"
        " replayed from memory) beside the sandbox adapter's",
        ["port method", "cc", "bss", "tmf µs", "sandbox µs", "÷ sandbox", "replay same",
         "first operation"],
        [
            (r["method"], r["country"], r["bss"], r["tmf_us"], r["sandbox_us"],
             fmt(r["vs_sandbox"], 2), fmt(r["faithful"]), r["operations"][0])
            for r in found["cpu"]
        ],
    )  # fmt: skip
    if found["cold"]:
        text += "\n" + table(
            "Backend tmf: cold start of billing (ms, median of fresh interpreters)",
            ["variant", "import", "first answer", "min–max", "÷ reference", "status",
             "boto3/pydantic/xray loaded"],
            [
                (r["variant"], r["import_ms"], r["first_ms"],
                 f"{fmt(r['first_min_ms'], 0)}–{fmt(r['first_max_ms'], 0)}",
                 fmt(r["vs_reference"], 2), r["status"], " ".join(r["loaded"]) or "none")
                for r in found["cold"]
            ],
        )  # fmt: skip
    above = ", ".join(summary["above_two_round_trips"]) or "none"
    text += (
        f"\nmax BSS requests per warm read: {fmt(summary['max_warm_bss_read'])}"
        f" ({summary['max_warm_bss_read_operation']}); max round trips per warm read:"
        f" {fmt(summary['max_round_trips'])} ({summary['max_round_trips_operation']});"
        f" above 2: {above}"
        f"\nadapter CPU ÷ sandbox per port call: median {fmt(summary['cpu_vs_sandbox_median'], 2)},"
        f" worst {fmt(summary['cpu_vs_sandbox_worst'], 2)}"
        f" ({summary['cpu_vs_sandbox_worst_method']})"
        f"\ncold start tmf ÷ sandbox: {fmt(summary['cold_vs_sandbox'], 2)}"
        f" (traced {fmt(summary['cold_vs_sandbox_traced'], 2)})"
    )
    if summary["not_2xx"]:
        text += f"\nnot 2xx: {', '.join(summary['not_2xx'])}"
    return text
