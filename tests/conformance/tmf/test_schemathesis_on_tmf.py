"""tests/e2e/test_schemathesis.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

from tests.e2e import test_schemathesis as suite
from tests.e2e.test_schemathesis import *  # noqa: F403 - the same tests, on the other backend
from tests.e2e.test_schemathesis import (  # noqa: F401 - its fixtures too (a * skips them)
    _spool_token,
    _through_the_local_runner,
)
from tests.support.claims import reserve

# Its customer was claimed on the sandbox's data when its module was imported: the tmf
# stacks' copy of that customer is this module's too.
reserve(suite.COUNTRY, suite.CUSTOMER, on="tmf")
