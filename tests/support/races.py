"""Races that prove they happened: racers in threads meet at a barrier where their racing
begins (all started, or all holding what they read), so a run that never overlapped fails
instead of passing serialized; each racer's outcome (what it returned or raised) is kept
for the test to assert on.

    outcomes = race(8, lambda i, barrier: (barrier.wait(), change(i))[1])
    winner, losers = one_winner(outcomes)
    assert all(isinstance(o.error, Conflict) for o in losers)

A racer must wait on the barrier once (`barrier.wait()`, or through `MeetAtFirstRead`):
when one never does, or the racers never all arrive, the race fails with "never met"."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

TIMEOUT = 60.0  # seconds: generous for two busy cores; a race that hangs fails, never blocks

Run = Callable[[int, threading.Barrier], Any]


@dataclass(frozen=True)
class Outcome:
    racer: int
    value: Any = None
    error: BaseException | None = None


def race(n: int, run: Run, *, timeout: float = TIMEOUT) -> list[Outcome]:
    """Run `run(i, barrier)` for i in range(n), each in its own thread, at once; the barrier
    (n parties) is where the racing begins. The outcomes, in racer order."""
    barrier = threading.Barrier(n, timeout=timeout)

    def one(i: int) -> Outcome:
        try:
            return Outcome(i, value=run(i, barrier))
        except Exception as exc:  # the outcome is what the test asserts on
            return Outcome(i, error=exc)

    pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="racer")
    try:
        futures = [pool.submit(one, i) for i in range(n)]
        # a racer may wait `timeout` at the barrier, and as long again after it: longer, it hung
        outcomes = [future.result(timeout=2 * timeout + 1) for future in futures]
    finally:
        pool.shutdown(wait=False)  # a hung racer fails the test instead of blocking it
    never_met = [o.racer for o in outcomes if isinstance(o.error, threading.BrokenBarrierError)]
    assert not never_met, f"racers {never_met} never met the others: no race happened"
    assert barrier.n_waiting == 0 and not barrier.broken
    return outcomes


def raced(n: int, run: Callable[[int], Any], *, timeout: float = TIMEOUT) -> list[Outcome]:
    """`race` for racers that start together: each waits on the barrier, then runs `run(i)`."""

    def start(i: int, barrier: threading.Barrier) -> Any:
        barrier.wait()
        return run(i)

    return race(n, start, timeout=timeout)


def failures(outcomes: Sequence[Outcome], *expected: type[BaseException]) -> list[Outcome]:
    """The outcomes that raised anything but `expected`."""
    return [o for o in outcomes if o.error is not None and not isinstance(o.error, expected)]


def one_winner(outcomes: Sequence[Outcome]) -> tuple[Outcome, list[Outcome]]:
    """The one racer that raised nothing, and the others (that raised); fails otherwise."""
    won = [o for o in outcomes if o.error is None]
    lost = [o for o in outcomes if o.error is not None]
    assert len(won) == 1, f"expected one winner, got {[(o.racer, o.error) for o in outcomes]}"
    return won[0], lost


class MeetAtFirstRead:
    """Items (selfcare.adapters.items) whose first read (`get`, or `query` of a partition)
    in each racer's thread waits, once it has read, until every racer has read: then all of
    them hold the same version, every check on it passes, and only the conditional write
    can tell them apart. `key`, if given, picks the reads that count: key(pk, sk) for a
    `get`, key(pk, prefix or "") for a `query`. Everything else goes straight to `items`;
    threads other than the racers' never wait."""

    def __init__(
        self,
        items: Any,
        barrier: threading.Barrier,
        key: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.items = items
        self.barrier = barrier
        self.key = key
        self._met: set[int] = set()
        self._lock = threading.Lock()

    def get(self, pk: str, sk: str) -> Any:
        found = self.items.get(pk, sk)
        self._meet(pk, sk)
        return found

    def query(self, pk: str, **kwargs: Any) -> Any:
        found = self.items.query(pk, **kwargs)
        self._meet(pk, kwargs.get("prefix") or "")
        return found

    def _meet(self, pk: str, sk: str) -> None:
        if not threading.current_thread().name.startswith("racer"):
            return
        if self.key is not None and not self.key(pk, sk):
            return
        me = threading.get_ident()
        with self._lock:
            first = me not in self._met
            self._met.add(me)
        if first:
            self.barrier.wait()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.items, name)


class MeetAtRecord:
    """A billing backend whose record_payment waits until every payer is recording: all
    attempts have taken their approval and passed every check that reads the invoice, so
    only the billing system's guard (its conditional write on the invoice) can tell them
    apart. Everything else goes straight to `backend`."""

    def __init__(self, backend: Any, barrier: threading.Barrier) -> None:
        self.backend = backend
        self.barrier = barrier

    def record_payment(self, contract_id: str, invoice_id: str, payment: Any) -> None:
        self.barrier.wait()
        self.backend.record_payment(contract_id, invoice_id, payment)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)
