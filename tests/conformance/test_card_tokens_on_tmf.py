"""tests/integration/test_card_tokens.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

import pytest

from tests.integration.test_card_tokens import *  # noqa: F403 - the same tests, on the other backend


@pytest.fixture(scope="module")
def gateway(tmf_gateway):
    return tmf_gateway


@pytest.fixture(scope="module")
def stacks(tmf_stacks):
    return tmf_stacks
