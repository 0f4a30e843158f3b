"""The 16 KiB body limit counts bytes as the caller sent them (selfcare.api.body_size)."""

from __future__ import annotations

import base64

import pytest

from selfcare.api import body_size


def b64(data: bytes) -> dict:
    return {"body": base64.b64encode(data).decode(), "isBase64Encoded": True}


@pytest.mark.parametrize(
    ("event", "size"),
    [
        ({"body": None}, 0),
        ({}, 0),
        ({"body": ""}, 0),
        ({"body": '{"a": 1}'}, 8),
        ({"body": "😀" * 10}, 40),  # 10 characters, 40 bytes
        ({"body": "año"}, 4),
        ({"body": "\ud800"}, 3),  # a lone surrogate (JSON "\\ud800" in the event) is counted
        (b64(b"x" * 16384), 16384),
        (b64(b"x" * 16385), 16385),
        (b64(b"x" * 16386), 16386),
        (b64("😀".encode() * 5), 20),
    ],
)
def test_body_size_is_the_bytes_the_caller_sent(event, size):
    assert body_size(event) == size
