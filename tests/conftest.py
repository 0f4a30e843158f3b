"""Shared fixtures: the whole API (three country stacks from template.yaml) on moto,
reachable in process through the local runner's WSGI app."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The dataset date the committed events/ were built for: tests seed the same data.
AS_OF = date.fromisoformat(json.loads((ROOT / "events" / "manifest.json").read_text())["asOf"])


@pytest.fixture(scope="session")
def embedded_aws() -> Iterator[None]:
    from moto import mock_aws

    from local.server import embedded_aws_env
    from selfcare.adapters import aws

    saved = dict(os.environ)
    os.environ.update(embedded_aws_env("http://unused.invalid"))
    os.environ.pop("AWS_ENDPOINT_URL")  # mock_aws intercepts in process
    with mock_aws():
        aws.reset_clients()
        yield
    aws.reset_clients()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def stacks(embedded_aws):
    from local.server import COUNTRIES, build

    return build(COUNTRIES, AS_OF)


@pytest.fixture(scope="session")
def gateway(stacks):
    from local.gateway import Gateway
    from local.server import local_function_env

    return Gateway(stacks, "co", local_function_env())


@pytest.fixture
def client(gateway):
    from werkzeug.test import Client

    return Client(gateway)
