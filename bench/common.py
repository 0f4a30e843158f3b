"""What every part of the suite shares: paths, the operations and their committed events,
the stacks' function environments, the embedded AWS served over HTTP, statistics, tables."""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import local  # noqa: F401  (puts the shared layer on sys.path)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LAYER = ROOT / "layers" / "common" / "python"
SANDBOX_LAYER = ROOT / "layers" / "sandbox" / "python"  # sandbox stacks ship it too
RESULTS = BENCH / "results"
EVENTS = ROOT / "events"
MANIFEST: dict[str, Any] = json.loads((EVENTS / "manifest.json").read_text(encoding="utf-8"))
AS_OF = date.fromisoformat(MANIFEST["asOf"])  # the committed events' dataset date
COUNTRY: str = MANIFEST["country"]
# Where routes with {idType} are asked: Colombia (the events' country) subscribes paperless by
# contractId only and refuses them; Guatemala subscribes by subscription number.
ID_TYPE_COUNTRY = "gt"
GROUPS = ("billing", "portfolio", "tokenization", "cases", "customer", "authorizer")
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:local/local/GET/v1/tigo/home/co/billing"
Row = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    """One contract operation and its committed REST proxy event (Colombia)."""

    operation_id: str
    method: str
    template: str  # contract path, e.g. /billing/contracts/{contractId}/invoices/
    group: str  # the function that serves it
    status: int  # what the event answers on the committed dataset
    file: Path

    @property
    def read(self) -> bool:
        return self.method == "GET"

    def event(self) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(self.file.read_text(encoding="utf-8"))
        return event


def operations() -> list[Operation]:
    found = []
    for name, entry in MANIFEST["events"].items():
        file = ROOT / name
        found.append(
            Operation(
                entry["operationId"],
                entry["method"],
                entry["path"],
                file.parent.name,
                int(entry["status"]),
                file,
            )
        )
    return found


def function_envs(stack: Any) -> dict[str, Any]:
    """{group: local.stack.Function} of a Stack (environments as the template resolves them)."""
    return {f.code_dir.name: f for f in stack.functions().values()}


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """A child's environment: nothing of ours (no AWS_*, POWERTOOLS_*), then `extra`."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(extra)
    return env


def aws_env(endpoint: str) -> dict[str, str]:
    from local.server import embedded_aws_env

    return embedded_aws_env(endpoint)


# A boto3 call that escapes the fakes fails at once on this port (nothing listens on 9).
NOWHERE = "http://127.0.0.1:9"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServedStack:
    endpoint: str
    jwks_url: str
    stack: Any  # local.stack.Stack, provisioned and seeded

    @property
    def functions(self) -> dict[str, Any]:
        return function_envs(self.stack)


@contextmanager
def served_stack() -> Iterator[ServedStack]:
    """Colombia's stack on moto's server (in this process, over HTTP on 127.0.0.1), seeded
    with the committed events' dataset, and the local identity provider's JWKS. Children
    reach both as a Lambda function reaches DynamoDB: over the network, with nothing of
    moto imported in their own process."""
    from local import auth
    from local.embedded_aws import EmbeddedAwsServer
    from local.seed import seed
    from local.server import identity_parameters
    from local.stack import Stack
    from selfcare.adapters import aws

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server: no access log
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = EmbeddedAwsServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    saved = dict(os.environ)
    os.environ.update(aws_env(endpoint))
    aws.reset_clients()
    jwks = auth.JwksServer(auth.keys()).start()
    try:
        stack = Stack(COUNTRY, overrides=identity_parameters(jwks.url))
        stack.provision()
        seed(
            COUNTRY,
            AS_OF,
            stack.table_name("SandboxTable"),
            stack.table_name("PaperlessTable"),
            stack.table_name("CheckoutTable"),
        )
        yield ServedStack(endpoint, jwks.url, stack)
    finally:
        jwks.stop()
        moto.stop()
        os.environ.clear()
        os.environ.update(saved)
        aws.reset_clients()


def run_worker(task: str, config: dict[str, Any], env: dict[str, str], timeout: float) -> Any:
    """Run `python -m bench.worker TASK` in a fresh interpreter; its JSON answer."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        spec, out = Path(tmp) / "config.json", Path(tmp) / "out.json"
        spec.write_text(json.dumps(config), encoding="utf-8")
        done = subprocess.run(  # noqa: S603
            [PYTHON, "-m", "bench.worker", task, str(spec), str(out)],
            cwd=ROOT,
            env=clean_env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"bench.worker {task} failed:\n{done.stderr[-3000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


# Statistics and tables ----------------------------------------------------------------------
def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0 or a != a or b != b:  # a != a: NaN
        return None
    return a / b


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "—" if value != value else f"{value:.{digits}f}"
    return str(value)


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table; numbers right-aligned."""
    cells = [[fmt(c) if not isinstance(c, str) else c for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [all(_numeric(row[i]) for row in cells) and bool(cells) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([f"\n{title}", line(headers), rule, *(line(r) for r in cells)])


def _numeric(text: str) -> bool:
    stripped = text.rstrip("×%").replace(".", "", 1).replace("-", "", 1)
    return stripped.isdigit() or text == "—"
