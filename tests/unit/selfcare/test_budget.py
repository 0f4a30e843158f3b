"""The invocation's time budget: calls never run past what Lambda leaves the function."""

from __future__ import annotations

import math

import pytest

from selfcare import budget
from selfcare.errors import UpstreamTimeout


class Context:
    def __init__(self, millis: int) -> None:
        self.millis = millis

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


@pytest.fixture(autouse=True)
def _clear():
    yield
    budget.clear()


def test_outside_an_invocation_there_is_no_deadline():
    budget.start(None)
    assert budget.remaining() == math.inf
    assert budget.timeout(5.0, "DynamoDB") == 5.0


def test_an_attempt_never_outlasts_the_invocation_less_the_margin():
    budget.start(Context(2_000))
    assert budget.timeout(5.0, "DynamoDB") <= 2.0 - budget.MARGIN
    assert budget.timeout(0.2, "DynamoDB") == 0.2
    assert budget.allows(1.0) and not budget.allows(2.0)


def test_no_time_left_is_a_504_naming_the_dependency():
    budget.start(Context(int(budget.MARGIN * 1000)))
    with pytest.raises(UpstreamTimeout, match="DynamoDB did not answer in time"):
        budget.timeout(5.0, "DynamoDB")
