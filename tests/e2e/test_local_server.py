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


def test_an_invoice_is_paid_through_the_hosted_page_over_http(server):
    customer = demo.demo_customers("co", date.today())[0]
    contract = customer["contracts"][0]["contractId"]
    base = f"{server}/v1/tigo/home/co/billing/contracts/{contract}"
    invoices = requests.get(f"{base}/invoices?limit=5", headers=bearer(), timeout=10).json()
    invoice = [i for i in invoices if not i["hasPayment"]][
        -1
    ]  # the newest has a payment in process
    before = requests.get(f"{base}/balance", headers=bearer(), timeout=10).json()
    created = requests.post(
        f"{base}/invoices/{invoice['invoiceId']}/checkOut",
        json={
            "invoiceId": invoice["invoiceId"],
            "paymentAmount": invoice["dueAmount"],
            "customerInfo": {"customerId": customer["customerId"], "email": "pago@example.com"},
            "returnUrl": "http://127.0.0.1/gracias",
        },
        headers=bearer(),
        timeout=10,
    )
    assert created.status_code == 201, created.text
    reference = created.json()
    assert reference["redirectUrl"].startswith(server)
    page = requests.get(reference["redirectUrl"], timeout=10)  # the payer's browser
    assert page.status_code == 200 and "Pagar" in page.text
    paid = requests.post(
        reference["redirectUrl"],
        data={"action": "pay", "cardNumber": "4111111111111111"},
        allow_redirects=False,
        timeout=10,
    )
    assert paid.status_code == 303 and "status=approved" in paid.headers["Location"]
    status = requests.get(
        f"{base}/invoices/{invoice['invoiceId']}/checkOut/{reference['paymentToken']}",
        headers=bearer(),
        timeout=10,
    )
    assert status.status_code == 200 and status.json()["paymentApproved"] is True
    after = requests.get(f"{base}/balance", headers=bearer(), timeout=10).json()
    assert after["dueAmount"] == before["dueAmount"] - invoice["dueAmount"]
