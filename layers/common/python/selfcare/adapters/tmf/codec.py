"""Contract records <-> TM Forum resources, declared field by field (see `shapes`).

A `Shape` lists a record's fields in the contract's order, each with where it lives in the
TMF resource: a dotted path whose segments are attribute names, list indexes (`taxItem.0`)
or list selectors (`characteristic[segmentId]` is the element whose `name` is segmentId;
`contactMedium[mediumType=email]` the one whose mediumType is email). A field without a
path is an extension attribute of the same name (TMF's `@type` extension pattern). One
table serves both ways, so what the stand-in serves and what the adapter reads agree.

Values: TMF dates are date-times with the country's offset; the contract's are dates
("2026-06-17") or local times ("2026-06-17 08:30:00"). Numbers travel as JSON numbers and
are read as Decimal, as DynamoDB answers them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any

SELECTOR = re.compile(r"^(?P<key>[^\[\]]+)\[(?:(?P<attr>[^=\]]+)=)?(?P<value>[^\]]+)\]$")

SAME, DATE, TIME, ID = "same", "date", "time", "id"


@dataclass(frozen=True, slots=True)
class F:
    """One contract field: `path` in the TMF resource (None: extension attribute `name`),
    `kind` of conversion, `also` further paths written with the same value (never read),
    `items` the shape of each element when the value is a list of records mapped one by
    one, `nested` the shape of a sub-record mapped onto the same TMF object."""

    name: str
    path: str | None = None
    kind: str = SAME
    also: tuple[str, ...] = ()
    items: Shape | None = None
    nested: Shape | None = None


@dataclass(frozen=True, slots=True)
class Shape:
    fields: tuple[F, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)  # written on every element
    where: Mapping[str, Any] = field(default_factory=dict)  # list elements of this shape

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def to_tmf(
        self, record: Mapping[str, Any], offset: str, into: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {} if into is None else into
        for key, value in self.fixed.items():
            put(out, key, value)
        unknown = set(record) - set(self.names())
        if unknown:
            raise KeyError(f"no TMF home for {sorted(unknown)}")
        for f in self.fields:
            value = record.get(f.name)
            if value is None:
                continue
            if f.nested is not None:
                f.nested.to_tmf(value, offset, out)
                continue
            if f.items is not None:
                target = get(out, f.path or f.name)
                if target is None:
                    target = []
                    put(out, f.path or f.name, target)
                for element in value:
                    target.append(f.items.to_tmf(element, offset))
                continue
            converted = _to_tmf(value, f.kind, offset)
            for path in (f.path or f.name, *f.also):
                put(out, path, converted)
        return out

    def from_tmf(self, resource: Mapping[str, Any], tz: timezone) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for f in self.fields:
            if f.nested is not None:
                record[f.name] = f.nested.from_tmf(resource, tz)
                continue
            value = get(resource, f.path or f.name)
            if value is None:
                continue
            if f.items is not None:
                shape = f.items
                record[f.name] = [
                    shape.from_tmf(element, tz)
                    for element in value
                    if isinstance(element, Mapping) and _matches(element, shape.where)
                ]
                continue
            record[f.name] = _from_tmf(value, f.kind, tz)
        return record


def _matches(element: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    return all(element.get(key) == value for key, value in where.items())


def _to_tmf(value: Any, kind: str, offset: str) -> Any:
    if kind == DATE:
        return f"{value}T00:00:00{offset}"
    if kind == TIME:
        return f"{str(value).replace(' ', 'T')}{offset}"
    if kind == ID:
        return str(value)
    return value


def _from_tmf(value: Any, kind: str, tz: timezone) -> Any:
    if kind in (DATE, TIME):
        moment = datetime.fromisoformat(str(value))
        if moment.tzinfo is not None:
            moment = moment.astimezone(tz)
        return moment.date().isoformat() if kind == DATE else moment.strftime("%Y-%m-%d %H:%M:%S")
    if kind == ID:
        return Decimal(str(value))
    return value


# Paths ---------------------------------------------------------------------------------------
# A segment: (key, None, None) an attribute; (None, index, None) a list element; (key, attr,
# value) the element of list `key` whose `attr` is `value`. Parsed once per path.
Segment = tuple[str | None, int | str | None, str | None]


@lru_cache(maxsize=1024)
def _segments(path: str) -> tuple[Segment, ...]:
    found: list[Segment] = []
    for segment in path.split("."):
        match = SELECTOR.match(segment)
        if match:
            found.append((match["key"], match["attr"] or "name", match["value"]))
        elif segment.isdigit():
            found.append((None, int(segment), None))
        else:
            found.append((segment, None, None))
    return tuple(found)


def _select(items: list[Any], attr: str, value: str, create: bool) -> Any:
    for element in items:
        if isinstance(element, dict) and str(element.get(attr)) == value:
            return element
    if not create:
        return None
    element = {attr: value}
    items.append(element)
    return element


def get(resource: Any, path: str) -> Any:
    node = resource
    for key, attr, value in _segments(path):
        if node is None:
            return None
        if value is not None:  # a selector
            items = node.get(key) if isinstance(node, Mapping) else None
            if not isinstance(items, list):
                return None
            node = _select(items, str(attr), value, create=False)
        elif key is None:  # an index
            index = int(attr or 0)
            node = node[index] if isinstance(node, list) and index < len(node) else None
        else:
            node = node.get(key) if isinstance(node, Mapping) else None
    return node


def put(resource: dict[str, Any], path: str, value: Any) -> None:
    segments = _segments(path)
    node: Any = resource
    for position, (key, attr, wanted) in enumerate(segments):
        last = position == len(segments) - 1
        if wanted is not None:  # a selector
            if last:
                raise ValueError(f"{path}: a selector names an element, not a value")
            node = _select(node.setdefault(key, []), str(attr), wanted, create=True)
        elif key is None:  # an index
            index = int(attr or 0)
            while len(node) <= index:
                node.append({})
            if last:
                node[index] = value
            else:
                node = node[index]
        elif last:
            node[key] = value
        else:
            following = segments[position + 1]
            empty: Any = [] if following[0] is None else {}
            node = node.setdefault(key, empty)
