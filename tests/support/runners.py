"""Local runners in processes of their own, for tests that need what one process cannot
give: requests really running at once (each runner invokes one handler at a time, as one
Lambda container per function would), or an embedded AWS to restart.

    with embedded_aws_process(customers=8) as endpoint:          # `python -m local aws`
        with runner_processes(endpoint, 2) as (first, second):   # `python -m local serve`
            requests.post(f"{first}/v1/tigo/home/co/...")        # base URLs, free ports

The `two_runners` fixture serves the session's own embedded AWS (the `stacks` fixture's:
provisioned and seeded once, in this process) from two runner processes: they find the
stacks seeded and keep their data, so they start in a few seconds. Every process started
here is stopped when its block ends, failing or not (terminate, then kill), and dies with
the test process if that one is killed.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date

import pytest

from tests.conftest import AS_OF, ROOT, TEST_CUSTOMERS

START_TIMEOUT = 180.0  # seconds: generous for two loaded cores; a runner that never starts fails
STOP_TIMEOUT = 20.0
_AWS_READY = re.compile(r"^Embedded AWS \(moto\) on (http://\S+): stacks provisioned and seeded")
_API_READY = re.compile(r"^Home Self Care API on (http://[^/\s]+)/v1/tigo/home/")


class Child:
    """A `python -m local ...` process whose output is kept (and shown when it fails)."""

    def __init__(self, *args: str) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "POWERTOOLS_", "PYTEST_"))
        }
        self.command = [sys.executable, "-m", "local", *args]
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self.lines: list[str] = []
        self._seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()
        with self._seen:
            self._seen.notify_all()

    def wait_for(self, pattern: re.Pattern[str], timeout: float = START_TIMEOUT) -> re.Match[str]:
        """The first output line matching `pattern`; fails if the process ends first."""
        deadline = time.monotonic() + timeout
        checked = 0
        with self._seen:
            while True:
                for line in self.lines[checked:]:
                    if found := pattern.search(line):
                        return found
                checked = len(self.lines)
                left = deadline - time.monotonic()
                if self.process.poll() is not None or left <= 0:
                    break
                self._seen.wait(min(left, 0.5))
        raise RuntimeError(f"{' '.join(self.command)} did not start:\n{self.output()}")

    def output(self) -> str:
        with self._seen:
            return "\n".join(self.lines[-60:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the runner closes its servers on SIGTERM
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the test process dies (even by SIGKILL)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextmanager
def embedded_aws_process(customers: int = TEST_CUSTOMERS, as_of: date = AS_OF) -> Iterator[str]:
    """`python -m local aws` on a free port, its stacks provisioned and seeded: its endpoint.
    Seeding takes a while (about 5 s per country for 110 customers on two loaded cores):
    ask for fewer customers where the test does not need them."""
    child = Child("aws", "--port", "0", "--customers", str(customers), "--as-of", str(as_of))
    try:
        yield child.wait_for(_AWS_READY)[1]
    finally:
        child.stop()


@contextmanager
def runner_processes(
    aws_endpoint: str, count: int, as_of: date = AS_OF, customers: int = TEST_CUSTOMERS
) -> Iterator[list[str]]:
    """`count` runners (`python -m local serve --aws-endpoint ...`) on free ports, started
    together: their base URLs (http://127.0.0.1:<port>) once each one answers."""
    with ExitStack() as stack:
        children = []
        for _ in range(count):
            child = Child(
                "serve", "--aws-endpoint", aws_endpoint, "--port", "0",
                "--as-of", str(as_of), "--customers", str(customers),
            )  # fmt: skip
            stack.callback(child.stop)
            children.append(child)
        yield [child.wait_for(_API_READY)[1] for child in children]


@pytest.fixture(scope="module")
def two_runners(stacks, embedded_aws) -> Iterator[list[str]]:
    """Two runner processes serving the session's embedded AWS (and its data)."""
    with runner_processes(embedded_aws, 2) as urls:
        yield urls
