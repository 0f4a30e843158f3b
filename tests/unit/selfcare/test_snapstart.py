"""SnapStart: the hooks are registered only in a SnapStart init; the lazily imported modules
are loaded before the snapshot; after a restore, clients, credentials, secrets and cached
ownership are fetched afresh and the functions' own resets run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import types
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest

from selfcare import snapstart
from selfcare.adapters import aws
from selfcare.api import Api
from selfcare.ports import ContractRef
from selfcare.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
LAYER = ROOT / "layers" / "common" / "python"


class Runtime:
    """Stands in for Lambda's `snapshot_restore_py` (it exists only in the Lambda runtime)."""

    def __init__(self) -> None:
        self.before: list[Callable[[], None]] = []
        self.after: list[Callable[[], None]] = []
        self.module = types.ModuleType("snapshot_restore_py")
        self.module.register_before_snapshot = self.before.append  # type: ignore[attr-defined]
        self.module.register_after_restore = self.after.append  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Restore callbacks and the shared client are process-wide: each test starts and ends
    without any."""
    monkeypatch.setattr(snapstart, "_resets", [])
    aws.reset_clients()
    yield
    aws.reset_clients()


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Runtime:
    """A SnapStart init: the initialization type Lambda sets, and its runtime module."""
    found = Runtime()
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", found.module)
    return found


@pytest.mark.parametrize("init", [None, "on-demand", "provisioned-concurrency"])
def test_outside_a_snapstart_init_nothing_is_registered(monkeypatch, init):
    if init is None:
        monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE", raising=False)
    else:
        monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", init)
    stray = Runtime()  # were it imported, its hooks would show here
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", stray.module)

    assert snapstart.install() is False
    assert stray.before == [] and stray.after == []


def test_outside_lambda_install_needs_no_snapstart_runtime(monkeypatch):
    monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE", raising=False)
    monkeypatch.delitem(sys.modules, "snapshot_restore_py", raising=False)

    assert snapstart.install() is False  # no ImportError: the module exists only in Lambda


def test_a_snapstart_init_registers_both_hooks(runtime):
    assert snapstart.install() is True
    assert runtime.before == [snapstart.before_snapshot]
    assert runtime.after == [snapstart.after_restore]


@pytest.mark.subprocess
def test_before_the_snapshot_the_lazily_imported_modules_are_loaded():
    """In a fresh interpreter, as in Lambda's init: what requests would import later."""
    script = textwrap.dedent(
        """
        import json, sys
        import selfcare.api
        from selfcare import snapstart

        lazy = ("boto3", "aws_lambda_powertools.utilities.idempotency",
                "aws_lambda_powertools.utilities.parameters", "selfcare.adapters.aws")
        before = [name for name in lazy if name in sys.modules]
        snapstart.before_snapshot()
        print(json.dumps({"before": before, "after": [n for n in lazy if n in sys.modules]}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(LAYER)}
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {
        "before": [],
        "after": [
            "boto3",
            "aws_lambda_powertools.utilities.idempotency",
            "aws_lambda_powertools.utilities.parameters",
            "selfcare.adapters.aws",
        ],
    }


def test_a_module_missing_from_the_bundle_does_not_fail_the_snapshot(monkeypatch):
    monkeypatch.setattr(snapstart, "PRIME", ("selfcare.no_such_module", "json"))

    snapstart.before_snapshot()  # fpdf, say, is in billing's bundle only


def test_after_a_restore_dynamodb_gets_a_new_client_and_the_callbacks_run():
    before = aws.dynamodb()
    assert aws.dynamodb() is before  # one per container...
    ran: list[str] = []
    snapstart.on_restore(lambda: ran.append("first"))
    snapstart.on_restore(lambda: ran.append("second"))

    snapstart.after_restore()

    assert aws.dynamodb() is not before  # ...not one per snapshot
    assert ran == ["first", "second"]
    snapstart.after_restore()
    assert ran == ["first", "second", "first", "second"]  # after every restore


@pytest.fixture
def container_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Lambda's container credentials endpoint (how SnapStart functions get theirs): each
    request answers new keys; the list holds the keys handed out."""
    issued: list[str] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            issued.append(f"ASIA{len(issued) + 1:04d}")
            body = json.dumps(
                {
                    "AccessKeyId": issued[-1],
                    "SecretAccessKey": "secret",
                    "Token": "token",
                    "Expiration": "2099-01-01T00:00:00Z",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", f"http://127.0.0.1:{server.server_port}/creds"
    )
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "lambda-token")
    yield issued
    server.shutdown()
    server.server_close()
    thread.join()


def test_after_a_restore_credentials_are_fetched_afresh(container_credentials):
    first = aws.credentials()
    assert aws.credentials() == first and container_credentials == ["ASIA0001"]  # cached

    snapstart.after_restore()

    assert aws.credentials()[0] == "ASIA0002"  # not the snapshot's
    assert container_credentials == ["ASIA0001", "ASIA0002"]


def test_after_a_restore_secrets_are_read_afresh(embedded_aws):
    from selfcare.adapters import boto

    boto.forget()  # a provider another test made would keep its own endpoint
    name = f"snapstart/{uuid.uuid4().hex}"
    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name=name, SecretString="before the snapshot")
    assert boto.secret(name) == "before the snapshot"
    secrets.put_secret_value(SecretId=name, SecretString="rotated")
    assert boto.secret(name) == "before the snapshot"  # cached for five minutes

    snapstart.after_restore()

    assert boto.secret(name) == "rotated"


class Owners:
    """A back office whose contract lookups are counted."""

    def __init__(self) -> None:
        self.lookups = 0

    def find_contract(self, contract_id: str) -> ContractRef | None:
        self.lookups += 1
        return ContractRef(contract_id, "CC", "1", f"BA{contract_id}", f"S{contract_id}")


def owners_api() -> tuple[Api, Owners]:
    api = Api("snapstart-test", Settings.from_env({"COUNTRY": "co", "SANDBOX_TABLE": "t"}))
    owners = Owners()
    api.backend = owners  # instead of the sandbox tables
    return api, owners


def test_an_api_built_under_snapstart_forgets_cached_ownership_after_a_restore(runtime):
    api, owners = owners_api()
    assert runtime.after == [snapstart.after_restore]
    api.directory.find_contract("8000001")
    api.directory.find_contract("8000001")
    assert owners.lookups == 1  # kept for the warm container

    snapstart.after_restore()

    api.directory.find_contract("8000001")
    assert owners.lookups == 2  # the snapshot's answers are not trusted


def test_a_bss_backend_is_built_anew_after_a_restore(runtime):
    """Backend tmf: the client's kept-alive connections and OAuth token belong to the
    snapshot's moment; restored copies each make their own."""
    settings = Settings.from_env(
        {
            "COUNTRY": "co",
            "BACKEND": "tmf",
            "BSS_BASE_URL": "https://bss.example/tmf-api",
            "BSS_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:bss",
        }
    )
    api = Api("snapstart-test", settings)
    before = api.backend
    assert api.backend is before  # kept for the warm container

    snapstart.after_restore()

    assert api.backend is not before


def test_an_api_built_outside_snapstart_registers_nothing_to_forget(monkeypatch):
    monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE", raising=False)
    api, owners = owners_api()
    api.directory.find_contract("8000001")

    assert snapstart._resets == []
    snapstart.after_restore()
    api.directory.find_contract("8000001")
    assert owners.lookups == 1


@pytest.mark.subprocess
def test_the_authorizer_fetches_the_issuers_keys_afresh_after_a_restore():
    """app.py imported as in a SnapStart init (a fresh interpreter: it is module state)."""
    script = textwrap.dedent(
        """
        import importlib.util, json, sys, types

        hooks = {}
        runtime = types.ModuleType("snapshot_restore_py")
        runtime.register_before_snapshot = lambda hook: hooks.setdefault("before", hook)
        runtime.register_after_restore = lambda hook: hooks.setdefault("after", hook)
        sys.modules["snapshot_restore_py"] = runtime
        spec = importlib.util.spec_from_file_location("app", sys.argv[1])
        app = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(app)
        before = app.VERIFIER.jwks
        hooks["before"]()
        hooks["after"]()
        after = app.VERIFIER.jwks
        print(json.dumps({
            "hooks": sorted(hooks),
            "new": after is not before,
            "url": after.uri,
            "type": type(after).__name__,
        }))
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(LAYER), str(ROOT / "functions" / "authorizer")]),
        "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
        "COUNTRY": "co",
        "JWT_ISSUER": "https://auth.tigo.com/co",
        "JWT_AUDIENCE": "home-self-care",
        "JWKS_URL": "https://auth.tigo.com/co/.well-known/jwks.json",
    }
    run = subprocess.run(
        [sys.executable, "-c", script, str(ROOT / "functions" / "authorizer" / "app.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.splitlines()[-1]) == {
        "hooks": ["after", "before"],
        "new": True,
        "url": "https://auth.tigo.com/co/.well-known/jwks.json",
        "type": "PyJWKClient",
    }
