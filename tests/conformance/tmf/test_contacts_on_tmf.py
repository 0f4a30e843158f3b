"""The contact changes' tests (tests/integration/test_contacts.py), run again on Backend tmf."""

from __future__ import annotations

from tests.integration.test_contacts import *  # noqa: F403 - the same tests, on the other backend
