"""tests/integration/test_payu_checkout.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

from tests.integration.test_payu_checkout import *  # noqa: F403 - the same tests, on the other backend
