"""The local runner's Lambda timeout, on a probe function: the context's remaining time runs
down from the invocation's start, and an invocation still running at its function's Timeout
is stopped and answered as Lambda answers it, without touching the next one."""

from __future__ import annotations

import json
import sys
import threading
import uuid
from pathlib import Path

import pytest

from local.gateway import FunctionHost, FunctionTimeout
from local.stack import Function

PROBE = """
import json
import threading
import time

release = threading.Event()
late = []


def handler(event, context):
    if event.get("outlive"):  # runs on past its deadline, not for long
        while context.get_remaining_time_in_millis() > 0:
            time.sleep(0.01)
        return {"statusCode": 200, "body": "after the deadline"}
    if event.get("block"):
        release.wait(30)  # a dependency that does not answer until the test releases it
        late.append("ran on after its deadline")
        return {"statusCode": 200, "body": "late"}
    first = context.get_remaining_time_in_millis()
    time.sleep(0.05)
    second = context.get_remaining_time_in_millis()
    return {"statusCode": 200, "body": json.dumps([first, second])}
"""


@pytest.fixture
def probe(tmp_path: Path) -> FunctionHost:
    (tmp_path / "probe.py").write_text(PROBE)
    function = Function("ProbeFunction", tmp_path, "probe.handler", {}, timeout_s=3)
    return FunctionHost(f"t{uuid.uuid4().hex[:8]}", function)


def module(host: FunctionHost):
    return sys.modules[host.module_key]


def test_the_remaining_time_runs_down_from_the_invocation_start(probe):
    first, second = json.loads(probe.invoke({})["body"])
    assert 0 < second < first <= 3000


def test_an_invocation_past_its_timeout_is_stopped_and_the_next_one_gets_a_fresh_container(
    probe,
):
    probe.timeout_s = 0.5
    probe.handler()
    first = module(probe)
    with pytest.raises(FunctionTimeout, match=r"Task timed out after 0\.50 seconds"):
        probe.invoke({"block": True})
    late = [t for t in threading.enumerate() if t.name == f"lambda {probe.name}"]
    first.release.set()
    for thread in late:
        thread.join(10)
    assert not any(t.is_alive() for t in late)
    assert first.late == []  # none of its code ran after the deadline

    probe.timeout_s = 3
    answer = probe.invoke({})
    assert answer["statusCode"] == 200
    assert module(probe) is not first  # imported again: Lambda's new execution environment
