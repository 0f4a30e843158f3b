"""Suites whose writes reach the TMF stacks' data (tests/conformance/tmf and the BSS fault
suites here) claim their customers among that data, apart from the sandbox's."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module", autouse=True)
def _claims_on_the_tmf_data():
    """Module-wide, so a module's own claiming fixtures (set up before any function-scoped
    one) claim on tmf too."""
    from tests.support import claims

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claims, "backend", "tmf")
        yield
