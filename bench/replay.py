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
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from bench.common import AS_OF, Row, median, ratio

Key = tuple[str, str, tuple[tuple[str, str], ...], tuple[str, ...], int | None]


def _key(
    kind: str,
    path: str,
    params: Mapping[str, str] | None,
    fields: Sequence[str] | None,
    limit: int | None = None,
) -> Key:
    return kind, path, tuple(sorted((params or {}).items())), tuple(fields or ()), limit


class Recording:
    """A TmfClient's reads, each answer kept (a copy: the adapter may change what it gets)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.answers: dict[Key, Any] = {}

    def get(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        fields: Sequence[str] | None = None,
    ) -> Any:
        found = self.client.get(path, params, fields)
        self.answers[_key("get", path, params, fields)] = copy.deepcopy(found)
        return found

    def list(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        found = self.client.list(path, params, fields, limit)
        self.answers[_key("list", path, params, fields, limit)] = copy.deepcopy(found)
        return cast(list[dict[str, Any]], found)

    def concurrently(self, *calls: Callable[[], Any]) -> builtins.list[Any]:
        return [call() for call in calls]


class Replay(Recording):
    """The recorded answers, from memory; calls made in turn."""

    def __init__(self, answers: dict[Key, Any]) -> None:
        super().__init__(None)
        self.answers = answers
        self.calls = 0  # answers given

    def get(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        fields: Sequence[str] | None = None,
    ) -> Any:
        self.calls += 1
        return self.answers[_key("get", path, params, fields)]

    def list(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        self.calls += 1
        return cast(list[dict[str, Any]], self.answers[_key("list", path, params, fields, limit)])


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
            sandboxes[country] = _sandbox(country)
        offset = get_country(country).utc_offset
        recording = Recording(clients[country])
        live = getattr(TmfReads(cast(TmfClient, recording), offset), name)
        live(*call.args, **call.kwargs)  # cold: what a container keeps is fetched
        expected = live(*call.args, **call.kwargs)
        replay = Replay(recording.answers)
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


def _sandbox(country: str) -> Any:
    from local import demo
    from selfcare.adapters.items import MemoryItems
    from selfcare.adapters.sandbox import layout
    from selfcare.adapters.sandbox.backend import SandboxBackend
    from selfcare.adapters.sandbox.generator import generate_dataset

    dataset = generate_dataset(country, AS_OF, demo.CUSTOMERS)  # the stand-in's dataset
    return SandboxBackend(MemoryItems(layout.dataset_items(dataset)))
