"""TMF630 reads over a list of resources: attribute filters (`a.b=x`, `a=x,y` for either,
`a.gte=` / `.gt` / `.lte` / `.lt` for ranges; a path through a list matches when any element
does), `sort` (`-` for descending; ties by id), `offset`/`limit`, and `fields`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

RESERVED = {"fields", "offset", "limit", "sort"}
OPERATORS = {
    "gte": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "lte": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
}
ALWAYS = ("id", "href", "@type")


def values(node: Any, path: Sequence[str]) -> Iterator[Any]:
    if isinstance(node, list):
        for element in node:
            yield from values(element, path)
        return
    if not path:
        yield node
        return
    if isinstance(node, dict) and path[0] in node:
        yield from values(node[path[0]], path[1:])


def _text(value: Any) -> str:
    return "true" if value is True else "false" if value is False else str(value)


def matches(resource: dict[str, Any], name: str, wanted: str) -> bool:
    path = name.split(".")
    operator = OPERATORS.get(path[-1])
    if operator is not None:
        path = path[:-1]
        return any(operator(_text(v), wanted) for v in values(resource, path))
    options = wanted.split(",")
    return any(_text(v) in options for v in values(resource, path))


def run(
    resources: list[dict[str, Any]], params: Sequence[tuple[str, str]]
) -> tuple[list[dict[str, Any]], int]:
    found = [r for r in resources if all(matches(r, k, v) for k, v in params if k not in RESERVED)]
    given = dict(params)
    for key in reversed([k for k in given.get("sort", "").split(",") if k]):
        name = key.lstrip("-")
        found.sort(key=_sort_key(name.split(".")), reverse=key.startswith("-"))
    try:
        offset = int(given.get("offset") or 0)
        limit = int(given["limit"]) if given.get("limit") else None
    except ValueError:
        raise ValueError("offset and limit are integers") from None
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError("offset and limit are not negative")
    end = None if limit is None else offset + limit
    return found[offset:end], len(found)


def _sort_key(path: Sequence[str]) -> Callable[[dict[str, Any]], tuple[str, Any]]:
    return lambda resource: (_text(next(values(resource, path), "")), resource["id"])


def select(resource: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """First-level attribute selection (`fields=a,b`); id, href and @type always."""
    if not fields:
        return resource
    wanted = {f.strip().split(".")[0] for f in fields.split(",")} | set(ALWAYS)
    return {k: v for k, v in resource.items() if k in wanted}
