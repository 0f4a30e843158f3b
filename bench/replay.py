"""The TMF adapter's own CPU per warm read. Each read port call the functions made is
called once more on a TmfReads whose client records the stand-in's answers (a real
TmfClient over HTTP), then timed on a TmfReads whose client replays them from memory (no
HTTP, no JSON decoding: the answers as parsed), beside the sandbox adapter answering the
same call from memory (`SandboxBackend(MemoryItems(...))`). Both warm: a first call, untimed,
fills what an adapter keeps per container. Figures only.
"""

from __future__ import annotations

import builtins
import copy
import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from bench.common import Row, median, ratio


class Tape:
    """A TmfClient's reads: recorded from `client` (each answer a copy, since the adapter
    may change what it gets), or replayed from memory when there is none. Calls made in turn."""

    def __init__(self, client: Any = None, answers: dict[tuple[Any, ...], Any] | None = None):
        self.client = client
        self.answers = {} if answers is None else answers
        self.calls = 0  # answers replayed

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._through("get", args, kwargs)

    def list(self, *args: Any, **kwargs: Any) -> Any:
        return self._through("list", args, kwargs)

    def concurrently(self, *calls: Callable[[], Any]) -> builtins.list[Any]:
        return [call() for call in calls]

    def _through(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # the same port call asks the same of the client when recorded and when replayed
        key = (name, *map(_frozen, args), *map(_frozen, kwargs.items()))
        if self.client is None:
            self.calls += 1
            return self.answers[key]
        found = getattr(self.client, name)(*args, **kwargs)
        self.answers[key] = copy.deepcopy(found)
        return found


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted(value.items()))
    return tuple(map(_frozen, value)) if isinstance(value, list | tuple) else value


@dataclass(frozen=True)
class PortCall:
    operation: str
    country: str
    method: str  # a TmfReads method
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


class PortCalls:
    """The read port calls the functions make while `operation` is set: the outermost
    TmfReads method of each (not those it calls itself)."""

    def __init__(self) -> None:
        self.calls: list[PortCall] = []
        self.operation, self.country = "", ""
        self._inside = threading.local()

    @contextmanager
    def installed(self) -> Iterator[PortCalls]:
        from selfcare.adapters.tmf.reads import TmfReads

        saved = {
            name: method
            for name, method in vars(TmfReads).items()
            if callable(method) and not name.startswith("_")
        }
        for name, method in saved.items():
            setattr(TmfReads, name, self._wrapped(name, method))
        try:
            yield self
        finally:
            for name, method in saved.items():
                setattr(TmfReads, name, method)

    def _wrapped(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(reads: Any, *args: Any, **kwargs: Any) -> Any:
            outermost = not getattr(self._inside, "depth", 0)
            if outermost and self.operation:
                self.calls.append(PortCall(self.operation, self.country, name, args, kwargs))
            self._inside.depth = getattr(self._inside, "depth", 0) + 1
            try:
                return method(reads, *args, **kwargs)
            finally:
                self._inside.depth -= 1

        return wrapped


def compare(calls: list[PortCall], bss: Any, budget: Any) -> list[Row]:
    """One row per port method (its first call): median µs per warm call, TMF replayed
    beside sandbox. `bss` is the running stand-in; `budget` a bench.warm.Budget."""
    from bench.warm import timed
    from selfcare.adapters.tmf.client import ClientCredentials, TmfClient
    from selfcare.adapters.tmf.reads import TmfReads
    from selfcare.countries import get_country

    credentials = ClientCredentials.from_secret(json.dumps(bss.secret()))
    clients: dict[str, Any] = {}
    sandboxes: dict[str, Any] = {}
    rows: list[Row] = []
    first: dict[str, PortCall] = {}
    operations: dict[str, list[str]] = {}
    for call in calls:
        first.setdefault(call.method, call)
        used = operations.setdefault(call.method, [])
        if call.operation not in used:
            used.append(call.operation)
    for name, call in first.items():
        country = call.country
        if country not in clients:
            clients[country] = TmfClient(bss.base_url(country), lambda: credentials)
            sandboxes[country] = bss.countries[country].backend  # what the BSS answers from
        offset = get_country(country).utc_offset
        recording = Tape(clients[country])
        live = getattr(TmfReads(cast(TmfClient, recording), offset), name)
        live(*call.args, **call.kwargs)  # cold: what a container keeps is fetched
        expected = live(*call.args, **call.kwargs)
        replay = Tape(answers=recording.answers)
        replayed = partial(
            getattr(TmfReads(cast(TmfClient, replay), offset), name), *call.args, **call.kwargs
        )
        sandbox = partial(getattr(sandboxes[country], name), *call.args, **call.kwargs)
        replayed()
        sandbox()
        tmf_us = median(timed(replayed, budget))
        sandbox_us = median(timed(sandbox, budget))
        replay.calls = 0
        faithful = replayed() == expected  # the replay answers what the BSS did
        rows.append(
            {
                "method": name,
                "operations": operations[name],
                "country": country,
                "bss": replay.calls,  # BSS answers a warm call uses
                "tmf_us": tmf_us,
                "sandbox_us": sandbox_us,
                "vs_sandbox": ratio(tmf_us, sandbox_us),
                "faithful": faithful,
                "same": sandbox() == expected,  # both adapters answer alike
            }
        )
    return rows
