"""The contact changes' tests (tests/integration/test_contacts.py), run again on Backend tmf."""

from __future__ import annotations

import pytest

from tests.integration.test_contacts import *  # noqa: F403 - the same tests, on the other backend


@pytest.fixture(scope="module")
def gateway(tmf_gateway):
    return tmf_gateway


@pytest.fixture(scope="module")
def stacks(tmf_stacks):
    return tmf_stacks
