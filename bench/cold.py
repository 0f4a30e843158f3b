"""Cold start: a fresh interpreter per run (bench/probe.py) imports a handler module, with
the function's directory and the layer first on sys.path like Lambda, and answers its first
request; both timed inside the process, interpreter start and shutdown excluded. The
back end is Colombia's stack seeded in moto, reached over HTTP on 127.0.0.1 (moto imported
in the function's own process would import boto3 before the clock starts).

Beside our six functions: the same route built the usual Powertools way (bench/reference/
powertools), the same route in FastAPI behind Mangum (bench/reference/fastapi, in its own
virtual environment), and the floor, a handler importing only `json`. "traced" rows run
as in Lambda with active tracing (LAMBDA_TASK_ROOT set: Tracer and the X-Ray SDK load;
segments go to 127.0.0.1:2000 over UDP, where nothing listens).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    BENCH,
    LAYER,
    METHOD_ARN,
    PYTHON,
    SANDBOX_LAYER,
    Operation,
    Row,
    ServedStack,
    aws_env,
    clean_env,
    median,
    operations,
    ratio,
    table,
)

PROBE = BENCH / "probe.py"
REFERENCE = BENCH / "reference"
COMPARE = BENCH / ".venv-compare"
REQUIREMENTS = BENCH / "requirements.txt"
# The read route each function answers first (the reference and FastAPI serve billing's).
FIRST_ROUTE = {
    "billing": "GetCustomerByCustomerId",
    "portfolio": "GetProductsByContractId",
    "tokenization": "GetCardTokensByCustomerId",
    "cases": "GetServiceRequestsByContractId",
    "customer": "GetContactInformationByContractId",
}
TRACED = {
    "_X_AMZN_TRACE_ID": (
        "Root=1-6744f3b0-5d7a1c0e9b2f4a6c8e0d1b3f;Parent=53995c3f42cd8ad8;Sampled=1"
    ),
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
}


@dataclass
class Variant:
    name: str
    kind: str  # ours | reference | fastapi | floor
    python: str
    path: list[str]
    env: dict[str, str]
    events: list[dict[str, Any]]
    memory_mb: int = 256
    traced: bool = False
    samples: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def compare_python() -> tuple[str | None, str]:
    """bench/.venv-compare's interpreter (FastAPI + Mangum), created when missing; or why not."""
    python = COMPARE / "bin" / "python"
    stamp = COMPARE / ".installed"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return str(python), ""
    try:
        subprocess.run(  # noqa: S603
            [PYTHON, "-m", "venv", "--clear", str(COMPARE)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(  # noqa: S603
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--timeout", "20", "--retries", "1", "-r", str(REQUIREMENTS)],
            check=True,
            capture_output=True,
            timeout=600,
        )  # fmt: skip
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        reason = detail.decode(errors="replace").strip().splitlines()[-1:] or [str(exc)]
        return None, f"could not create {COMPARE.name}: {reason[0][:120]}"
    stamp.write_text(wanted)
    return str(python), ""


def _op(operation_id: str) -> Operation:
    return next(o for o in operations() if o.operation_id == operation_id)


def variants(
    served: ServedStack, groups: tuple[str, ...], compare: bool, traced: bool
) -> list[Variant]:
    from local import auth

    functions = served.functions
    aws = aws_env(served.endpoint)
    found: list[Variant] = []

    def lambda_env(function: Any) -> dict[str, str]:
        return {
            **aws,
            **function.environment,
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        }

    def traced_env(env: dict[str, str], root: str) -> dict[str, str]:
        return {**env, "LAMBDA_TASK_ROOT": root, **TRACED}

    billing = lambda_env(functions["billing"])
    first = [_op(FIRST_ROUTE["billing"]).event()]
    shared = str(REFERENCE / "shared")  # what the two references serve, alike
    floor, reference = [str(REFERENCE / "floor")], [str(REFERENCE / "powertools"), shared]
    found.append(Variant("floor: imports only json", "floor", PYTHON, floor, billing, first))
    found.append(
        Variant("reference: usual Powertools", "reference", PYTHON, reference, billing, first)
    )
    if traced:
        env = traced_env(billing, reference[0])
        found.append(
            Variant("reference, traced", "reference", PYTHON, reference, env, first, traced=True)
        )
    if compare:
        python, reason = compare_python()
        fastapi = [str(REFERENCE / "fastapi"), shared]
        found.append(
            Variant("FastAPI + Mangum", "fastapi", python or "", fastapi, billing, first,
                    error=reason or None)
        )  # fmt: skip
    token = auth.agent_token(ttl=3600)
    for group in groups:
        function = functions[group]
        code = [str(function.code_dir), str(LAYER), str(SANDBOX_LAYER)]
        if group == "authorizer":
            events = [
                {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": METHOD_ARN}
            ]
        else:
            events = [_op(FIRST_ROUTE[group]).event()]
        env = lambda_env(function)
        found.append(Variant(group, "ours", PYTHON, code, env, events, function.memory_mb))
        if traced and group != "authorizer":  # the authorizer has no Tracer
            env = traced_env(env, code[0])
            name = f"{group}, traced"
            memory = function.memory_mb
            found.append(Variant(name, "ours", PYTHON, code, env, events, memory, traced=True))
    return found


def probe(variant: Variant, requests: int = 0, events: list[dict[str, Any]] | None = None) -> Any:
    """One fresh interpreter: the probe's JSON, plus `wall_ms` (interpreter start and
    shutdown included)."""
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        spec, out = Path(tmp) / "spec", Path(tmp) / "out.json"
        spec.write_bytes(
            marshal.dumps(
                {
                    "path": variant.path,
                    "module": "app",
                    "attribute": "handler",
                    "events": events or variant.events,
                    "requests": requests,
                    "function": variant.name.split(",")[0].split(":")[0],
                    "memory_mb": variant.memory_mb,
                }
            )
        )
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603
            [variant.python, str(PROBE), str(spec), str(out)],
            cwd=tmp,
            env=clean_env(variant.env),
            capture_output=True,
            timeout=300,
            check=False,
        )
        wall = (time.perf_counter() - started) * 1000
        if done.returncode != 0 or not out.exists():
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(tail[0] if tail else f"exit {done.returncode}")
        result = json.loads(out.read_text(encoding="utf-8"))
        result["wall_ms"] = wall
        return result


def run(
    served: ServedStack, groups: tuple[str, ...], repeats: int, compare: bool, traced: bool
) -> tuple[list[Row], str]:
    rows = measure(variants(served, groups, compare, traced), repeats)
    return rows, render(rows, repeats)


def measure(found: list[Variant], repeats: int) -> list[Row]:
    """Each variant's rows, `repeats` fresh interpreters each; ratios to the reference (like
    for like: traced with traced) and to FastAPI where they were measured too."""
    for _ in range(repeats):  # round robin: drift spreads over every variant alike
        for variant in found:
            if variant.error:
                continue
            try:
                variant.samples.append(probe(variant))
            except (RuntimeError, subprocess.SubprocessError) as exc:
                variant.error = str(exc)[:160]
    rows = [_row(v) for v in found]
    references = {r["traced"]: r for r in rows if r["kind"] == "reference" and r["first_ms"]}
    fastapi = next((r for r in rows if r["kind"] == "fastapi" and r["first_ms"]), None)
    for row in rows:
        reference = references.get(row["traced"])  # like for like: traced with traced
        row["vs_reference"] = ratio(row["first_ms"], reference["first_ms"] if reference else None)
        row["vs_fastapi"] = ratio(row["first_ms"], fastapi["first_ms"] if fastapi else None)
        row["import_vs_reference"] = ratio(
            row["import_ms"], reference["import_ms"] if reference else None
        )
    return rows


def _row(variant: Variant) -> Row:
    samples = variant.samples
    firsts = [s["first_ms"] for s in samples]
    last = samples[-1] if samples else {}
    return {
        "variant": variant.name,
        "kind": variant.kind,
        "traced": variant.traced,
        "runs": len(samples),
        "import_ms": median([s["import_ms"] for s in samples]) if samples else None,
        "first_ms": median(firsts) if samples else None,
        "first_min_ms": min(firsts) if samples else None,
        "first_max_ms": max(firsts) if samples else None,
        "wall_ms": median([s["wall_ms"] for s in samples]) if samples else None,
        "status": last.get("status"),
        "modules": last.get("modules"),
        "loaded": last.get("loaded", []),
        "error": variant.error,
    }


def render(rows: list[Row], repeats: int) -> str:
    lines = []
    for r in rows:
        if r["error"] and not r["runs"]:
            lines.append((r["variant"], *["—"] * 8, f"not measured: {r['error']}"))
            continue
        spread = f"{r['first_min_ms']:.0f}–{r['first_max_ms']:.0f}"
        lines.append(
            (
                r["variant"],
                r["import_ms"],
                r["first_ms"],
                spread,
                r["wall_ms"],
                _times(r["vs_reference"]),
                _times(r["vs_fastapi"]),
                r["status"],
                r["modules"],
                " ".join(r["loaded"]) or "none",
            )
        )
    text = table(
        f"Cold start (ms, median of {repeats} fresh interpreters; timed inside the process)",
        ["variant", "import", "first answer", "min–max", "wall", "÷ reference", "÷ FastAPI",
         "status", "modules", "boto3/pydantic/xray loaded"],
        lines,
    )  # fmt: skip
    return text + (
        "\nimport: the handler module; first answer: import + first request (moto over HTTP);"
        " wall: the whole process, interpreter start and exit included."
        "\n÷ reference compares like for like (traced with traced). Lambda always sets"
        " LAMBDA_TASK_ROOT and the template traces (Tracing: Active): the traced rows are"
        " the deployed configuration."
    )


def _times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"
