"""tools/tmf_check.py against the TMF stand-in: every read port of a demo identity passes, a
fault at the BSS or a resource TMF's schema refuses fails it (exit 1), and it never writes."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from local.demo import demo_customers
from local.tmf_standin import standin
from local.tmf_standin.server import TmfStandIn
from selfcare.adapters.tmf import apis
from selfcare.adapters.tmf.client import ClientCredentials, TmfClient
from tools import tmf_check

AS_OF = date(2026, 12, 3)
DEMO = demo_customers("co", AS_OF)[0]
DOCUMENT = f"{DEMO['documentType']}:{DEMO['customerId']}"
FIRST = str(DEMO["contracts"][0]["contractId"])


@pytest.fixture(scope="module")
def bss() -> Iterator[TmfStandIn]:
    server = standin(AS_OF, 40, countries=("co",)).start()
    yield server
    server.stop()


@pytest.fixture
def secret(bss: TmfStandIn, tmp_path: Path) -> Path:
    path = tmp_path / "creds.json"
    path.write_text(json.dumps(bss.secret()), encoding="utf-8")
    return path


def check(bss: TmfStandIn, secret: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    argv = ["--base-url", bss.base_url("co"), "--secret-file", str(secret), "--country", "co"]
    argv += ["--today", AS_OF.isoformat(), *extra]
    code = tmf_check.main(argv, out)
    return code, out.getvalue()


def writes(bss: TmfStandIn) -> dict[str, int]:
    return {k: n for k, n in bss.stats.requests.items() if not k.startswith("GET")}


def test_every_read_of_a_demo_identity_passes_and_nothing_is_written(bss, secret):
    before = writes(bss)
    code, out = check(bss, secret, "--document", DOCUMENT, "--schemas")
    lines = out.splitlines()
    assert code == 0, out
    assert lines[-1].startswith(f"{len(lines) - 1} passed, 0 failed; ")
    assert all(line.startswith("OK ") for line in lines[:-1])
    for contract in DEMO["contracts"]:
        assert f"invoices {contract['contractId']} " in out
    for name in ("invoice+payment", "available offers", "contact information", "calls "):
        assert name in out
    for api in ("TMF629", "TMF637", "TMF666", "TMF678", "TMF676", "TMF620", "TMF635"):
        assert f"OK    schema {api} " in out
    assert writes(bss) == before
    assert bss.secret()["clientSecret"] not in out


def test_a_failing_bss_fails_the_check(bss, secret):
    bss.inject(status=500, path="customerBill")
    try:
        code, out = check(bss, secret, "--document", DOCUMENT, "--contract", FIRST)
    finally:
        bss.clear()
    assert code == 1
    assert f"FAIL  invoices {FIRST} " in out
    assert "502 UpstreamError: The back office failed" in out
    assert " 1 failed; " in out.splitlines()[-1]


def test_a_resource_the_tmf_schema_refuses_fails_with_schemas(bss, secret):
    bills = bss.countries["co"].collections[apis.CUSTOMER_BILL]
    bill = next(b for b in bills.values() if b.get("contractId") == FIRST)
    state = bill["state"]
    bill["state"] = 4111111111111111  # a card token as a number: the reads ignore it
    try:
        code, out = check(bss, secret, "--document", DOCUMENT, "--contract", FIRST, "--schemas")
    finally:
        bill["state"] = state
    assert code == 1
    assert "FAIL  schema TMF678 CustomerBill" in out
    assert "$.state: type: expected 'string'" in out
    assert "4111111111111111" not in out  # TMF678 says a string; the value is never shown


def test_a_schema_violation_never_prints_the_value(bss, secret):
    """A card token sent as a number is named by its path and the type TMF670 expects."""
    contract = next(str(c["contractId"]) for c in DEMO["contracts"] if c.get("recurringBilling"))
    methods = bss.countries["co"].collections[apis.PAYMENT_METHOD]
    method = methods[apis.payment_method_key(contract)]
    token, email = method["token"], method.get("email")
    method["token"], method["email"] = 4111111111111111, ["someone@example.com"]
    try:
        code, out = check(bss, secret, "--document", DOCUMENT, "--contract", contract, "--schemas")
    finally:
        method["token"] = token
        if email is None:
            method.pop("email")
        else:
            method["email"] = email
    assert code == 1
    assert "FAIL  schema TMF670 PaymentMethod" in out
    assert "$.token: type: expected 'string'" in out
    assert "4111111111111111" not in out and "someone@example.com" not in out
    assert str(token) not in out


def test_a_resource_the_adapter_cannot_read_fails_its_check_without_a_traceback(bss, secret):
    bills = bss.countries["co"].collections[apis.CUSTOMER_BILL]
    bill = next(b for b in bills.values() if b.get("contractId") == FIRST)
    bill_date = bill["billDate"]
    bill["billDate"] = 4111111111111111  # not a date: the adapter's reads cannot parse it
    try:
        code, out = check(bss, secret, "--document", DOCUMENT, "--contract", FIRST)
    finally:
        bill["billDate"] = bill_date
    assert code == 1
    assert f"FAIL  invoices {FIRST} " in out
    assert "4111111111111111" not in out
    assert out.splitlines()[-1].endswith("nothing written")


@pytest.mark.parametrize("error", [AttributeError, TypeError, ValueError, KeyError, StopIteration])
def test_a_read_that_raises_anything_fails_naming_the_type_only(bss, error):
    out = io.StringIO()
    credentials = ClientCredentials.from_secret(json.dumps(bss.secret()))
    report = tmf_check.Report(TmfClient(bss.base_url("co"), lambda: credentials), out)

    def read() -> None:
        raise error("4111111111111111 someone@example.com")

    assert report.check("the read", read) is None
    assert report.check("the verify", lambda: 1, verify=lambda _: read()) is None
    assert (report.passed, report.failed) == (0, 2)
    assert out.getvalue().count(f"unreadable answer ({error.__name__})") == 2
    assert "4111111111111111" not in out.getvalue() and "someone" not in out.getvalue()


def test_a_contract_of_another_customer_fails(bss, secret):
    code, out = check(bss, secret, "--document", DOCUMENT, "--contract", "99999999")
    assert code == 1
    assert "FAIL  contract 99999999" in out


def test_an_unknown_customer_fails(bss, secret):
    code, out = check(bss, secret, "--document", "CC:1234567")
    assert code == 1
    assert out.splitlines()[0].startswith("FAIL  find_customer CC 1234567")


def test_the_client_it_uses_refuses_every_write(bss):
    before = writes(bss)
    credentials = ClientCredentials.from_secret(json.dumps(bss.secret()))
    client = tmf_check.read_only(TmfClient(bss.base_url("co"), lambda: credentials))
    for write in (
        lambda: client.post(apis.PAYMENT, {}),
        lambda: client.patch(f"{apis.BILLING_ACCOUNT}/1", {}),
        lambda: client.delete(f"{apis.PAYMENT_METHOD}/PM-1"),
    ):
        with pytest.raises(tmf_check.WriteRefused):
            write()
    assert client.calls == 0
    assert writes(bss) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--document", "10307011"], "expected TYPE:NUMBER"),
        (["--document", "XX:1"], "unknown document type"),
        (["--document", DOCUMENT, "--country", "zz"], "unknown country"),
    ],
)
def test_usage_errors_exit_2(bss, secret, capsys, args, message):
    with pytest.raises(SystemExit) as exited:
        check(bss, secret, *args)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_malformed_secret_exits_2_naming_no_value(bss, tmp_path, capsys):
    secret = tmp_path / "creds.json"
    secret.write_text('{"clientId": "someone", "clientSecret": "s3cr3t-value"}', encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        check(bss, secret, "--document", DOCUMENT)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "credentials are not configured properly" in err
    assert "s3cr3t-value" not in err


def test_a_secret_file_that_is_not_text_exits_2_naming_no_byte(bss, tmp_path, capsys):
    secret = tmp_path / "creds.json"
    secret.write_bytes(b'{"clientSecret": "\xff\xfes3cr3t"}')
    with pytest.raises(SystemExit) as exited:
        check(bss, secret, "--document", DOCUMENT)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "cannot read the secret file: it is not UTF-8 text" in err
    assert "Traceback" not in err and "0xff" not in err and "s3cr3t" not in err


def test_a_missing_secret_file_exits_2(bss, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        check(bss, tmp_path / "absent.json", "--document", DOCUMENT)
    assert exited.value.code == 2
    assert "cannot read the secret file: No such file or directory" in capsys.readouterr().err


@pytest.mark.parametrize("seconds", ["-1", "0", "nan", "inf", "soon"])
def test_an_attempt_timeout_that_is_not_positive_is_a_usage_error(bss, secret, capsys, seconds):
    with pytest.raises(SystemExit) as exited:
        check(bss, secret, "--document", DOCUMENT, "--attempt-timeout", seconds)
    assert exited.value.code == 2
    assert "expected a positive number of seconds" in capsys.readouterr().err
