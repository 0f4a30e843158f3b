"""The README's first command, for real: `python -m local serve` in its own process, moto's
server behind it, and plain HTTP requests against 127.0.0.1."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date

import pytest
import requests
from pypdf import PdfReader

from local import demo
from tests.conftest import ROOT
from tests.support.openapi import ContractSpec


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port, moto_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local",
            "serve",
            "--port",
            str(port),
            "--moto-port",
            str(moto_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                requests.get(f"{base}/v1/tigo/home/co/ready", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def bearer() -> dict[str, str]:
    from local import auth

    return {"Authorization": f"Bearer {auth.agent_token('call-centre')}"}


def test_reads_answer_over_http_in_every_country(server):
    spec = ContractSpec.load()
    for country in ("co", "gt", "sv"):
        customer = demo.demo_customers(country, date.today())[0]
        path = f"/billing/doc-type/{customer['documentType'].lower()}/customers/{customer['customerId']}/contracts/"
        response = requests.get(
            f"{server}/v1/tigo/home/{country}{path}", headers=bearer(), timeout=10
        )
        assert response.status_code == 200
        spec.validate_response("GET", path, 200, response.content, response.headers["Content-Type"])
        assert [c["contractId"] for c in response.json()] == [
            c["contractId"] for c in customer["contracts"]
        ]


def test_the_pdf_arrives_as_binary_and_unknown_routes_as_error_body(server):
    contract = demo.demo_customers("sv", date.today())[1]["contracts"][0]
    invoice = contract["invoices"][-1]["invoiceId"]
    response = requests.get(
        f"{server}/v1/tigo/home/sv/billing/contracts/{contract['contractId']}/invoices/spool/{invoice}/pdf",
        headers={"Accept": "application/pdf", **bearer()},
        timeout=20,
    )
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert invoice in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    missing = requests.get(f"{server}/v1/tigo/home/sv/no/such/route", timeout=10)
    assert missing.status_code == 404 and missing.json() == {
        "code": 404,
        "message": "No such route",
    }
