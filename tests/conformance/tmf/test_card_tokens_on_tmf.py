"""tests/integration/test_card_tokens.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

from tests.integration.test_card_tokens import *  # noqa: F403 - the same tests, on the other backend
