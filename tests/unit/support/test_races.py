"""The race helper fails a race that never happened: racers that never all meet at the
barrier (run one after another, or one never reading) fail it instead of passing it."""

from __future__ import annotations

import threading

import pytest

from selfcare.adapters.items import MemoryItems
from tests.support.races import MeetAtFirstRead, failures, one_winner, race, raced


def test_racers_run_one_after_another_fail_the_race():
    one_at_a_time = threading.Lock()

    def run(i: int, barrier: threading.Barrier) -> int:
        with one_at_a_time:  # serialized: the second never reaches the barrier in time
            barrier.wait()
        return i

    with pytest.raises(AssertionError, match="never met"):
        race(2, run, timeout=0.5)


def test_a_racer_that_never_reads_fails_the_race():
    items = MemoryItems([{"pk": "A", "sk": "B", "n": 1}])

    def run(i: int, barrier: threading.Barrier) -> object:
        racer = MeetAtFirstRead(items, barrier)
        return racer.get("A", "B") if i else None  # racer 0 never reads

    with pytest.raises(AssertionError, match="never met"):
        race(2, run, timeout=0.5)


def test_racers_that_all_read_hold_the_same_item_and_every_outcome_is_kept():
    items = MemoryItems([{"pk": "A", "sk": "B", "n": 1}])

    def run(i: int, barrier: threading.Barrier) -> object:
        found = MeetAtFirstRead(items, barrier).get("A", "B")
        if i:
            raise LookupError(f"racer {i} lost")
        return found

    outcomes = race(3, run)
    winner, losers = one_winner(outcomes)
    assert winner.racer == 0 and winner.value == {"pk": "A", "sk": "B", "n": 1}
    assert [str(o.error) for o in losers] == ["racer 1 lost", "racer 2 lost"]
    assert failures(outcomes, LookupError) == [] and len(failures(outcomes)) == 2
    assert [o.value for o in raced(3, lambda i: i * 2)] == [0, 2, 4]
