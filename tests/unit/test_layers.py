"""The sandbox layer is apart (issue 13): a stack fronting a BSS ships only the common
layer, in which every function imports and the TMF backend is whole, and no sandbox module
(dataset generator, sandbox backend or gateway) can be found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMON = ROOT / "layers" / "common" / "python"
SANDBOX = ROOT / "layers" / "sandbox" / "python"
FUNCTIONS = ("billing", "portfolio", "tokenization", "cases", "customer", "authorizer")

PROBE = """
import importlib, importlib.util, json, os, sys
found = {}
for name in ("selfcare.adapters.tmf.backend", "selfcare.adapters.sandbox.generator",
             "selfcare.adapters.sandbox.backend", "selfcare.adapters.payments.sandbox"):
    try:
        found[name] = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # its package is not there either
        found[name] = False
import app
found["app"] = callable(app.handler)
print(json.dumps(found))
"""


def probe(function: str, layers: list[Path]) -> dict[str, bool]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / function), *map(str, layers)]),
        "COUNTRY": "co",
        "BACKEND": "tmf",
        "BSS_BASE_URL": "https://bss.example.co/tmf-api",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "JWT_ISSUER": "https://issuer.example",
        "JWT_AUDIENCE": "home-self-care",
        "JWKS_URL": "https://issuer.example/jwks.json",
    }
    ran = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT / "functions" / function,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    return json.loads(ran.stdout.strip().splitlines()[-1])


@pytest.mark.subprocess
@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_common_layer_alone_serves_a_bss_and_holds_no_sandbox_code(function):
    found = probe(function, [COMMON])
    assert found == {
        "selfcare.adapters.tmf.backend": True,
        "selfcare.adapters.sandbox.generator": False,
        "selfcare.adapters.sandbox.backend": False,
        "selfcare.adapters.payments.sandbox": False,
        "app": True,
    }


@pytest.mark.subprocess
def test_with_the_sandbox_layer_the_sandbox_modules_join_the_same_package():
    found = probe("billing", [COMMON, SANDBOX])
    assert all(found.values()), found


SANDBOX_PAGES = """
import json, sys
sys.path.append(sys.argv[1])  # the repository, after the layers: tests.support only
import app
from selfcare.adapters.payments import parse_credentials
from tests.support.handlers import context, event

answers = {}
for gateway, secret in (
    ("payu", {"gateway": "payu", "merchantId": "m", "accountId": "a", "apiKey": "k",
              "apiLogin": "l"}),
    ("sandbox", {"gateway": "sandbox", "notificationSecret": "n"}),
):
    app.wiring.credentials = lambda secret=secret: parse_credentials(secret)
    app.wiring._gateways.clear()
    for method in ("GET", "POST"):
        sent = event(method, "/payments/sandbox/checkout/{checkOutId}", authorizer=None,
                     checkOutId="A1B2C3D4E5F6G7H8", body="action=pay" if method == "POST" else None)
        answer = app.handler(sent, context("BillingFunction"))
        answers[f"{gateway} {method}"] = [answer["statusCode"], json.loads(answer["body"])["code"]]
print(json.dumps(answers))
"""


@pytest.mark.subprocess
def test_without_the_sandbox_layer_its_public_pages_answer_404_or_503_never_500():
    """The sandbox gateway's pages take no token: on a stack without its layer they say the
    stack does not use it (404), or that its secret names a gateway it does not ship (503)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "functions" / "billing"), str(COMMON)]),
        "COUNTRY": "co",
        "BACKEND": "tmf",
        "BSS_BASE_URL": "https://bss.example.co/tmf-api",
        "BSS_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bss",
        "GATEWAY_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:gw",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "HomeSelfCare-co",
    }
    ran = subprocess.run(
        [sys.executable, "-c", SANDBOX_PAGES, str(ROOT)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT / "functions" / "billing",
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == {
        "payu GET": [404, 404],
        "payu POST": [404, 404],
        "sandbox GET": [503, 503],
        "sandbox POST": [503, 503],
    }
