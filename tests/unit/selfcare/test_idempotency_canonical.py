"""Idempotency compares a canonical form of the body: the same JSON re-serialized is the same
request; any other value is another (and so a 409 under the same key)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from selfcare.idempotency import canonical

BODY = {"phone": "22101010", "phoneType": "Casa", "amount": 10.5, "items": [1, {"b": None}]}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


def test_key_order_and_whitespace_do_not_matter() -> None:
    compact = json.dumps(BODY, separators=(",", ":"))
    spaced = json.dumps(dict(reversed(BODY.items())), indent=4, sort_keys=False)
    assert canonical(compact) == canonical(spaced) == canonical(" \n" + spaced + "\n")


def test_escapes_of_the_same_string_are_the_same() -> None:
    assert canonical('{"name": "Jos\\u00e9"}') == canonical('{"name": "José"}')


def test_another_value_is_another_request() -> None:
    assert canonical('{"phone": "22101010"}') != canonical('{"phone": "22101011"}')
    assert canonical('{"a": [1, 2]}') != canonical('{"a": [2, 1]}')  # order of a list is data
    assert canonical('{"a": 1}') != canonical('{"a": "1"}')
    assert canonical('{"a": null}') != canonical("{}")


def test_numbers_keep_their_text() -> None:
    assert canonical('{"amount": 10.50}') != canonical('{"amount": 10.5}')
    assert canonical('{"amount" : 1e2}') == '{"amount":1e2}'


def test_what_is_not_json_is_compared_as_sent() -> None:
    for text in ("", "not json", '{"a": 1', "[" * 100_000):
        assert canonical(text) == text


def test_a_lone_surrogate_stays_escaped() -> None:
    assert canonical('{"a": "\\ud800"}').isascii()


@given(json_values, st.randoms())
def test_any_reserialization_is_the_same_request(value, rng) -> None:
    def shuffled(v):
        if isinstance(v, dict):
            items = list(v.items())
            rng.shuffle(items)
            return {k: shuffled(x) for k, x in items}
        if isinstance(v, list):
            return [shuffled(x) for x in v]
        return v

    text = json.dumps(value)
    other = json.dumps(
        shuffled(value), indent=rng.choice([None, 1, 2]), ensure_ascii=rng.random() < 0.5
    )
    assert canonical(text) == canonical(other)
    assert json.loads(canonical(text)) == value
