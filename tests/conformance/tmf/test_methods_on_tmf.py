"""tests/integration/test_methods.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

from tests.integration.test_methods import *  # noqa: F403 - the same tests, on the other backend
