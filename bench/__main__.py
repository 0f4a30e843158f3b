"""`python -m bench [--quick]`: the benchmark suite. Prints a table per part and the ratios
the targets use, and writes everything to bench/results/latest.json. It measures and
reports; it never judges (no part fails on a figure).

Parts: size, cold, memory, warm, calls, load, tmf (`--parts cold,warm` runs those only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import GROUPS, RESULTS, ROOT, Row, fmt, median, table

PARTS = ("size", "cold", "memory", "warm", "calls", "load", "tmf")


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repeats (CI): about a minute")
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated parts")
    parser.add_argument("--functions", default=",".join(GROUPS), help="comma-separated groups")
    parser.add_argument("--repeats", type=int, help="fresh interpreters per cold variant (15)")
    parser.add_argument("--warm-calls", type=int, help="timed calls per route at most (500)")
    parser.add_argument("--warm-seconds", type=float, help="per route and handler at most (0.5)")
    parser.add_argument("--memory-requests", type=int, help="requests before reading RSS (1000)")
    parser.add_argument("--load-requests", type=int, help="HTTP requests in the load run (5000)")
    parser.add_argument("--load-clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--operations", default="", help="calls, tmf: only these operationIds")
    parser.add_argument("--tmf-delay-ms", type=float, default=40.0, help="tmf: BSS latency (40)")
    parser.add_argument("--tmf-repeats", type=int, help="tmf: readings per round trip (5)")
    parser.add_argument("--no-compare", action="store_true", help="cold: no FastAPI + Mangum")
    parser.add_argument("--no-traced", action="store_true", help="cold: no traced variants")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "repeats": 3 if quick else 15,
        "warm_calls": 60 if quick else 500,
        "warm_seconds": 0.05 if quick else 0.5,
        "memory_requests": 100 if quick else 1000,
        "load_requests": 300 if quick else 5000,
        "tmf_repeats": 2 if quick else 5,
    }
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.parts = tuple(p for p in args.parts.split(",") if p)
    args.functions = tuple(g for g in args.functions.split(",") if g)
    unknown = [p for p in args.parts if p not in PARTS] + [
        g for g in args.functions if g not in GROUPS
    ]
    if unknown:
        parser.error(f"unknown part or function: {', '.join(unknown)}")
    return args


def say(text: str) -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = options(argv)
    began = time.perf_counter()
    results: dict[str, Any] = {"meta": _meta(args)}
    timings: dict[str, float] = {}

    def part(name: str) -> bool:
        if name in args.parts:
            timings[name] = time.perf_counter()
            return True
        return False

    def done(name: str) -> None:
        timings[name] = time.perf_counter() - timings[name]

    if part("size"):
        from bench import size

        rows, source, text = size.run()
        results["size"] = {"source": source, "rows": rows}
        say(text)
        done("size")
    if "cold" in args.parts or "memory" in args.parts:
        from bench import cold, memory
        from bench.common import served_stack

        with served_stack() as served:
            if part("cold"):
                rows, text = cold.run(
                    served, args.functions, args.repeats, not args.no_compare, not args.no_traced
                )
                results["cold"] = rows
                say(text)
                done("cold")
            if part("memory"):
                rows, text = memory.run(served, args.functions, args.memory_requests)
                results["memory"] = rows
                say(text)
                done("memory")
    if part("warm"):
        from bench import warm

        budget = warm.Budget(
            warmup=max(3, args.warm_calls // 10),
            calls=args.warm_calls,
            seconds=args.warm_seconds,
        )
        rows, text = warm.run(args.functions, budget)
        results["warm"] = rows
        say(text)
        done("warm")
    if part("calls"):
        from bench import calls

        wanted = [o for o in args.operations.split(",") if o]
        rows, summary, text = calls.run(wanted)
        results["calls"] = {"rows": rows, "summary": summary}
        say(text)
        done("calls")
    if part("load"):
        from bench import load

        found, text = load.run(args.load_requests, args.load_clients)
        results["load"] = found
        say(text)
        done("load")
    if part("tmf"):
        from bench import tmf

        found, text = tmf.run(
            {
                "operations": [o for o in args.operations.split(",") if o],
                "delay_ms": args.tmf_delay_ms,
                "repeats": args.tmf_repeats,
                "budget": {
                    "warmup": max(3, args.warm_calls // 10),
                    "calls": args.warm_calls,
                    "seconds": args.warm_seconds,
                },
                "cold_repeats": args.repeats,
                "traced": not args.no_traced,
            }
        )
        results["tmf"] = found
        say(text)
        done("tmf")
    results["summary"] = summary_rows(results)
    results["meta"]["seconds"] = {k: round(v, 1) for k, v in timings.items()}
    results["meta"]["total_seconds"] = round(time.perf_counter() - began, 1)
    say(render_summary(results["summary"]))
    say(f"\n{args.out} written; {results['meta']['total_seconds']:.0f} s in all")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


def _meta(args: argparse.Namespace) -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "argv": sys.argv[1:],
        "quick": args.quick,
        "repeats": args.repeats,
        "warm_calls": args.warm_calls,
        "memory_requests": args.memory_requests,
        "load_requests": args.load_requests,
        "load_clients": args.load_clients,
        "tmf_delay_ms": args.tmf_delay_ms,
        "tmf_repeats": args.tmf_repeats,
    }


def summary_rows(results: dict[str, Any]) -> list[Row]:
    """The figures the issue's targets are stated in."""
    found: list[Row] = []
    for row in results.get("cold", []):
        if row["kind"] == "ours" and row["first_ms"] is not None:
            found.append(
                _figure(
                    f"cold start {row['variant']} ÷ reference / ÷ FastAPI+Mangum",
                    f"{fmt(row['vs_reference'], 2)} / {fmt(row['vs_fastapi'], 2)}",
                    f"{row['first_ms']:.0f} ms (import {row['import_ms']:.0f} ms)",
                )
            )
    found += _warm_figures(results.get("warm", []))
    calls = results.get("calls", {}).get("summary")
    if calls:
        found.append(
            _figure(
                "max DynamoDB calls per warm single-resource read",
                fmt(calls["max_warm_ddb_single_read"]),
                str(calls["max_warm_ddb_single_read_operation"]),
            )
        )
    memory = [r for r in results.get("memory", []) if r.get("vs_memory") is not None]
    if memory:
        worst = max(memory, key=lambda r: r["vs_memory"])
        found.append(
            _figure(
                "peak RSS ÷ MemorySize (worst function)",
                f"{worst['vs_memory']:.0%}",
                f"{worst['function']}: {worst['peak_rss_mb']:.0f} of "
                f"{worst['memory_mb']} MB after {worst['requests']} requests",
            )
        )
    load = results.get("load")
    if load:
        found.append(
            _figure(
                "load errors",
                str(load["errors"]),
                f"{load['requests']} requests, {load['throughput_rps']:.0f} req/s, "
                f"p50 {load['p50_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms",
            )
        )
    found.extend(_tmf_figures(results.get("tmf")))
    return found


def _tmf_figures(tmf: dict[str, Any] | None) -> list[Row]:
    if not tmf:
        return []
    summary, found = tmf["summary"], []
    if summary["max_round_trips"] is not None:
        above = ", ".join(summary["above_two_round_trips"]) or "none"
        found.append(
            _figure(
                "tmf: max round trips of BSS latency per warm read",
                fmt(summary["max_round_trips"]),
                f"{summary['max_round_trips_operation']}; above 2: {above}"
                f" ({summary['reads_timed']} reads)",
            )
        )
        found.append(
            _figure(
                "tmf: max BSS requests per warm read",
                fmt(summary["max_warm_bss_read"]),
                str(summary["max_warm_bss_read_operation"]),
            )
        )
    if summary["cpu_vs_sandbox_median"] is not None:
        found.append(
            _figure(
                "tmf: adapter CPU per warm port call ÷ sandbox (median / worst)",
                f"{summary['cpu_vs_sandbox_median']:.1f} / {summary['cpu_vs_sandbox_worst']:.1f}",
                f"worst {summary['cpu_vs_sandbox_worst_method']}",
            )
        )
    for row in tmf["cold"]:
        if row["variant"].startswith("billing, tmf") and row["first_ms"] is not None:
            vs_sandbox = summary["cold_vs_sandbox_traced" if row["traced"] else "cold_vs_sandbox"]
            found.append(
                _figure(
                    f"tmf: cold start {row['variant']} ÷ reference",
                    fmt(row["vs_reference"], 2),
                    f"{row['first_ms']:.0f} ms; ÷ sandbox {fmt(vs_sandbox, 2)}",
                )
            )
    return found


def _warm_figures(warm: list[Row]) -> list[Row]:
    """Warm cost ÷ bare Powertools: of the read routes (median and worst), of the reads
    answered 2xx where some were refused (refusals also write a log line), and of the routes
    measured where they only refuse (Colombia has no paperless idType: not reads of data,
    shown apart so that nothing measured is left out)."""
    reads = [r for r in warm if r["kind"] == "read" and r["vs_bare"]]
    answered = [r for r in reads if all(200 <= s < 300 for s in r["status"])]
    refusals = [r for r in warm if r["kind"] == "refusal" and r["vs_bare"]]
    found: list[Row] = []
    if reads:
        costs = [r["vs_bare"] for r in reads]
        spread = f"{median(costs):.1f} / {max(costs):.1f}"
        found.append(
            _worst("warm cost per read route ÷ bare Powertools (median / worst)", reads, spread)
        )
    if answered and len(answered) < len(reads):
        found.append(_worst("warm cost per read answered 2xx ÷ bare Powertools (worst)", answered))
    if refusals:
        more = f"; {len(refusals)} measured"
        found.append(_worst("warm cost per refusal ÷ bare Powertools (worst)", refusals, more=more))
    return found


def _worst(figure: str, rows: list[Row], value: str = "", more: str = "") -> Row:
    """The row of `rows` that costs most over bare Powertools, as a summary row."""
    worst = max(rows, key=lambda r: r["vs_bare"])
    detail = f"worst {worst['operation']} ({_where(worst)}){more}"
    return _figure(figure, value or f"{worst['vs_bare']:.1f}", detail)


def _figure(figure: str, value: str, detail: str) -> Row:
    """A row of the summary: the figure a target is stated in, its value, what it is of."""
    return {"figure": figure, "value": value, "detail": detail}


def _where(row: Row) -> str:
    """Country and status of a warm row, e.g. `gt, 200`."""
    return f"{row.get('country', '?')}, {'/'.join(map(str, row['status']))}"


def render_summary(rows: list[Row]) -> str:
    return table(
        "Summary: the targets' figures",
        ["figure", "value", "detail"],
        [(r["figure"], r["value"], r["detail"]) for r in rows],
    )


if __name__ == "__main__":
    sys.exit(main())
