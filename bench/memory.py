"""Memory: each function's peak RSS in a fresh interpreter (VmHWM; getrusage's ru_maxrss
where there is no /proc: on Linux it keeps the parent's peak across fork and exec) after it
imported its handler and answered 1,000 requests (its read routes in turn, or a token for
the authorizer), against the MemorySize the template gives it. The back end is the same
moto server over HTTP as for cold starts, so the RSS is the function's own.
"""

from __future__ import annotations

from typing import Any

from bench.cold import Variant, probe, variants
from bench.common import Row, ServedStack, operations, ratio, table


def run(served: ServedStack, groups: tuple[str, ...], requests: int) -> tuple[list[Row], str]:
    found = {v.name: v for v in variants(served, groups, compare=False, traced=False)}
    reads = [o for o in operations() if o.read]
    rows: list[Row] = []
    for group in groups:
        variant: Variant = found[group]
        events = variant.events + [o.event() for o in reads if o.group == group]
        function = served.functions[group]
        try:
            result: dict[str, Any] = probe(variant, requests=requests, events=events)
        except RuntimeError as exc:
            rows.append({"function": group, "requests": requests, "error": str(exc)[:160]})
            continue
        rss_mb = result["maxrss_kb"] / 1024
        statuses = {int(k): v for k, v in result["statuses"].items()}
        rows.append(
            {
                "function": group,
                "requests": requests,
                "peak_rss_mb": rss_mb,
                "memory_mb": function.memory_mb,
                "vs_memory": ratio(rss_mb, function.memory_mb),
                "statuses": result["statuses"],
                "errors": sum(n for s, n in statuses.items() if s >= 500 or s == 0),
                "error": None,
            }
        )
    return rows, render(rows, requests)


def render(rows: list[Row], requests: int) -> str:
    lines = []
    for r in rows:
        if r.get("error"):
            lines.append((r["function"], "—", "—", "—", f"not measured: {r['error']}"))
            continue
        answered = " ".join(f"{s}×{n}" for s, n in sorted(r["statuses"].items()))
        lines.append(
            (r["function"], r["peak_rss_mb"], r["memory_mb"], f"{r['vs_memory']:.0%}", answered)
        )
    return table(
        f"Memory: peak RSS after {requests} warm requests (MB) against MemorySize",
        ["function", "peak RSS", "MemorySize", "RSS ÷ MemorySize", "answers"],
        lines,
    )
