"""If-Match on paperless changes: the ETag a GET answered ("3" or W/"3"), in ASCII digits."""

from __future__ import annotations

import pytest

from billing import paperless
from selfcare.errors import InvalidParameter


@pytest.mark.parametrize(
    ("header", "version"),
    [(None, None), ('"3"', 3), ("3", 3), ('W/"12"', 12), (' "7" ', 7), ('"000000000001"', 1)],
)
def test_an_etag_names_the_version(header, version):
    assert paperless.if_match(header) == version


@pytest.mark.parametrize(
    "header",
    ["", '""', "soon", '"-1"', '"1.0"', "*", '"²"', "²", "³", '"٣"', "１", 'W/"३"', "1" * 13],
)
def test_anything_else_is_a_400_naming_the_header(header):
    with pytest.raises(InvalidParameter) as error:
        paperless.if_match(header)
    assert error.value.status == 400 and "If-Match" in error.value.message
