"""The billing function of a test module, over that module's `backend` fixture."""

from __future__ import annotations

import pytest

from tests.support.handlers import function


@pytest.fixture
def billing(monkeypatch, backend):
    return function("billing", monkeypatch, backend)
