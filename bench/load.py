"""Load: a bounded run against the local runner over real HTTP. `python -m local serve`
starts on free ports on 127.0.0.1 (its own moto server, the three countries seeded as of
the committed events' date); clients on keep-alive connections send a fixed number of
requests over a mix of operations (every contract read, plus the repeatable changes), with
a channel token. Each request of the mix is checked once beforehand; a load request is an
error when it answers anything else than that check did, or fails.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bench.common import AS_OF, PYTHON, ROOT, Row, clean_env, free_port, median, percentile, table

REPEATABLE_CHANGES = (
    "UpdatePaperlessInvoiceInfoByContractId",
    "UpdateRecurringBillingInfoByContractId",
)


@dataclass(frozen=True)
class Call:
    operation_id: str
    method: str
    target: str  # path and query
    body: bytes | None
    headers: dict[str, str]
    expected: int = 0


def mix(token: str) -> list[Call]:
    from bench.calls import plan

    calls = []
    for item in plan():
        if item.single is None and item.operation_id not in REPEATABLE_CHANGES:
            continue
        request = item.cold
        query = f"?{urlencode(request.query)}" if request.query else ""
        body = None if request.body is None else json.dumps(request.body).encode()
        headers = {"Authorization": f"Bearer {token}", "Accept": request.accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        calls.append(Call(item.operation_id, request.method, request.path + query, body, headers))
    return calls


def _send(connection: http.client.HTTPConnection, call: Call) -> int:
    connection.request(call.method, call.target, body=call.body, headers=call.headers)
    response = connection.getresponse()
    response.read()
    return response.status


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"python -m local serve exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/v1/tigo/home/co/ready")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("python -m local serve did not answer in time")


def run(requests: int, clients: int) -> tuple[dict[str, Any], str]:
    from local import auth

    port, moto_port = free_port(), free_port()
    command = [PYTHON, "-m", "local", "serve", "--port", str(port), "--moto-port", str(moto_port),
               "--as-of", AS_OF.isoformat()]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env=clean_env({}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.perf_counter()
        _wait_ready(port, process, timeout=180)
        startup = time.perf_counter() - started
        found = _load(port, mix(auth.agent_token(ttl=3600)), requests, clients)
        found["startup_s"] = startup
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return found, render(found)


def _load(port: int, calls: list[Call], requests: int, clients: int) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    checked, excluded = [], []
    for call in calls:  # the check: what each request answers on its own
        status = _send(connection, call)
        if 200 <= status < 300:
            checked.append(Call(**{**call.__dict__, "expected": status}))
        else:
            excluded.append(f"{call.operation_id} ({status})")
    connection.close()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    server_errors = [0] * clients

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        clock = time.perf_counter
        for i in range(n, requests, clients):
            call = checked[i % len(checked)]
            began = clock()
            try:
                status = _send(connection, call)
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies[n].append((clock() - began) * 1000)
            if status != call.expected:
                errors[n] += 1
                server_errors[n] += status >= 500
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = [ms for client_latencies in latencies for ms in client_latencies]
    return {
        "requests": requests,
        "clients": clients,
        "operations": len(checked),
        "excluded": excluded,
        "seconds": elapsed,
        "throughput_rps": requests / elapsed if elapsed else None,
        "p50_ms": median(every),
        "p99_ms": percentile(every, 99),
        "max_ms": max(every, default=None),
        "errors": sum(errors),
        "server_errors": sum(server_errors),
    }


def render(found: Row) -> str:
    text = table(
        f"Load: {found['requests']} requests from {found['clients']} clients over HTTP "
        f"(python -m local serve, started in {found['startup_s']:.1f} s)",
        [
            "operations in the mix",
            "seconds",
            "req/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "errors",
            "5xx",
        ],
        [
            (
                found["operations"],
                found["seconds"],
                found["throughput_rps"],
                found["p50_ms"],
                found["p99_ms"],
                found["max_ms"],
                found["errors"],
                found["server_errors"],
            )
        ],
    )
    if found["excluded"]:
        text += f"\nleft out of the mix (not 2xx when checked): {', '.join(found['excluded'])}"
    return text
