"""The composition root (selfcare.wiring): built on first use, one gateway per credentials."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from selfcare.errors import Unavailable
from selfcare.payments import Credentials
from selfcare.settings import Settings, SettingsError
from selfcare.wiring import GATEWAYS_KEPT, Wiring

ROOT = Path(__file__).resolve().parents[3]


class Rotating(Wiring):
    """The secret's credentials, as a test sets them (no Secrets Manager)."""

    now = Credentials(gateway="sandbox", notification_secret="s-0")

    def credentials(self) -> Credentials:
        return self.now


def settings(**tables: str) -> Settings:
    env = {"COUNTRY": "co", **{f"{name.upper()}_TABLE": table for name, table in tables.items()}}
    return Settings.from_env(env)


def test_one_gateway_per_credentials_and_a_rotation_builds_the_next():
    wiring = Rotating(settings(sandbox="sandbox-table"))
    first = wiring.gateway()
    assert wiring.gateway() is first  # warm: built once
    wiring.now = Credentials(gateway="sandbox", notification_secret="s-1")
    rotated = wiring.gateway()
    assert rotated is not first and rotated.credentials == wiring.now


def test_at_most_a_few_gateways_are_kept():
    wiring = Rotating(settings(sandbox="sandbox-table"))
    built = []
    for n in range(GATEWAYS_KEPT + 1):
        wiring.now = Credentials(gateway="sandbox", notification_secret=f"s-{n}")
        built.append(wiring.gateway())
    wiring.now = Credentials(gateway="sandbox", notification_secret="s-0")
    assert wiring.gateway() is not built[0]  # the oldest aged out
    assert len(wiring._gateways) == GATEWAYS_KEPT


def test_the_sandbox_gateway_needs_its_table_and_payu_none():
    wiring = Rotating(settings())
    with pytest.raises(Unavailable, match="names the sandbox gateway, which this stack does not"):
        wiring.gateway()
    wiring.now = Credentials(gateway="payu", merchant_id="1", account_id="2", api_key="k")
    assert wiring.gateway().name == "payu"


def test_stores_are_built_once_on_first_use():
    wiring = Wiring(settings(paperless="p", checkout="c"))
    assert "paperless" not in wiring.__dict__
    assert wiring.paperless is wiring.paperless and wiring.checkout is wiring.checkout
    with pytest.raises(SettingsError, match="paperless_table"):
        _ = Wiring(settings()).paperless


@pytest.mark.parametrize("function", ["billing", "tokenization"])
def test_a_cold_start_builds_and_imports_no_store_or_adapter(function):
    """What a function imports at start, every cold user waits for: its stores and adapters
    load with the first request that needs them."""
    code = (
        "import json, sys, app; print(json.dumps(sorted(m for m in sys.modules"
        " if m.startswith(('selfcare.stores', 'selfcare.adapters', 'boto3', 'pydantic')))))"
    )
    path = os.pathsep.join([str(ROOT / "functions" / function), str(ROOT / "layers/common/python")])
    env = {**os.environ, "COUNTRY": "co", "PYTHONPATH": path}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
