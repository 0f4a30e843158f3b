"""Here the API under test fronts a TMF BSS: each module runs one suite of tests/integration
(or tests/e2e) again, with the `gateway` and `stacks` its tests use on Backend tmf."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def gateway(tmf_gateway):
    return tmf_gateway


@pytest.fixture(scope="module")
def stacks(tmf_stacks):
    return tmf_stacks


@pytest.fixture(scope="module")
def build_stacks(embedded_aws, jwks, tmf_standin):
    """A suite's own stacks on Backend tmf too (fronting the stand-in; stage `<stage>tmf`)."""
    from local.server import build, identity_parameters
    from tests.conftest import AS_OF

    def made(stage: str, countries: tuple[str, ...] = ("co",)):
        return build(
            countries, AS_OF, identity_parameters(jwks.url), stage=f"{stage}tmf", bss=tmf_standin
        )

    return made
