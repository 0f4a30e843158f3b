"""tests/e2e/test_schemathesis.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

import pytest

from tests.e2e.test_schemathesis import *  # noqa: F403 - the same tests, on the other backend


@pytest.fixture(scope="module")
def gateway(tmf_gateway):
    return tmf_gateway
