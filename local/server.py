"""Start moto's server as the embedded AWS, build the three country stacks from
template.yaml, seed them, and serve the API."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from local.stack import REGION, Stack

COUNTRIES = ("co", "gt", "sv")


def embedded_aws_env(endpoint: str) -> dict[str, str]:
    """What every boto3 client in this process needs to reach moto instead of AWS."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }


def local_function_env() -> dict[str, str]:
    """Local-only switches: no X-Ray daemon here, EMF metrics off to keep the console
    readable, and attempts that wait for moto as long as the invocation allows (moto on a
    busy machine answers far slower than DynamoDB)."""
    return {
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "ATTEMPT_TIMEOUT_SECONDS": "60",
    }


def identity_parameters(jwks_url: str) -> dict[str, str]:
    """The stack parameters that point the authorizer at the local identity provider."""
    from local import auth

    return {"JwtIssuer": auth.ISSUER, "JwtAudience": auth.AUDIENCE, "JwksUrl": jwks_url}


def build(
    countries: tuple[str, ...],
    as_of: date,
    overrides: dict[str, str],
    seed: bool = True,
    stage: str = "local",
) -> dict[str, Stack]:
    from local import demo
    from local.seed import seed as seed_stack

    stacks = {}
    for country in countries:
        stack = Stack(country, stage=stage, overrides=overrides)
        stack.provision()
        if seed:
            started = time.perf_counter()
            counts = seed_stack(
                country,
                as_of,
                stack.table_name("SandboxTable"),
                stack.table_name("PaperlessTable"),
                stack.table_name("CheckoutTable"),
                customers=demo.CUSTOMERS,
            )
            print(
                f"  {country}: seeded {counts} in {time.perf_counter() - started:.1f}s", flush=True
            )
        stacks[country] = stack
    return stacks


def customer_token(country: str, as_of: date) -> str:
    from local import auth, demo

    customer = demo.demo_customers(country, as_of)[0]
    return auth.customer_token(customer["documentType"], customer["customerId"])


def examples(base: str, country: str, as_of: date) -> list[str]:
    """Ready-to-use requests for the default country's first demo customer."""
    from local import demo

    customer = demo.demo_customers(country, as_of)[0]
    contract = customer["contracts"][0]
    doc = f"{customer['documentType'].lower()}/customers/{customer['customerId']}"
    invoice = contract["invoices"][-1]["invoiceId"]
    root = f"{base}/{country}"
    return [
        f"{root}/billing/doc-type/{doc}/contracts/",
        f"'{root}/billing/contracts/{contract['contractId']}/invoices?limit=3'",
        f"{root}/billing/contracts/{contract['contractId']}/balance",
        f"-H 'Accept: application/pdf' -o invoice.pdf "
        f"{root}/billing/contracts/{contract['contractId']}/invoices/spool/{invoice}/pdf",
    ]


def access_log(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """One line per request on stderr, like `sam local start-api`."""
    from urllib.parse import unquote_plus

    from selfcare.redaction import redact_text

    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def capture(code: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            status.append(code.split()[0])
            return start_response(code, headers, *rest)

        body = app(environ, capture)
        elapsed = (time.perf_counter() - started) * 1000
        path = environ.get("PATH_INFO", "")
        query = f"?{unquote_plus(environ['QUERY_STRING'])}" if environ.get("QUERY_STRING") else ""
        # Ids in paths and queries may be card numbers or tokens: masked as in every log
        # (the query decoded first, so that "4111+1111+..." is seen as the number it is).
        request = redact_text(f"{path}{query}")
        print(
            f"{environ['REQUEST_METHOD']} {request} -> {status[0]} ({elapsed:.0f} ms)",
            file=sys.stderr,
            flush=True,
        )
        return body

    return logged


def serve(host: str, port: int, moto_port: int, default_country: str, as_of: date | None) -> int:
    from werkzeug.serving import run_simple

    from local import auth
    from local.embedded_aws import EmbeddedAwsServer
    from local.gateway import Gateway

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's and ours: we log below
    moto = EmbeddedAwsServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    os.environ.update(embedded_aws_env(f"http://127.0.0.1:{moto_port}"))
    print(f"Embedded AWS (moto) on http://127.0.0.1:{moto_port}", flush=True)
    jwks = auth.JwksServer(auth.keys()).start()  # its own thread: the authorizer fetches it
    print(f"Local identity provider: keys in .local/jwt/, JWKS at {jwks.url}", flush=True)
    stacks = build(COUNTRIES, as_of or date.today(), identity_parameters(jwks.url))
    app = Gateway(stacks, default_country, local_function_env())
    base = f"http://{host}:{port}/v1/tigo/home"
    print(f"\nHome Self Care API on {base}/{{co,gt,sv}}/... (and /... for {default_country})")
    token = customer_token(default_country, as_of or date.today())
    print(f"A token for the first demo customer (1 hour; `make token` mints others):\n{token}\n")
    print("Try (TOKEN=<the token above>):")
    for line in examples(base, default_country, as_of or date.today()):
        print(f'  curl -H "Authorization: Bearer $TOKEN" {line}')
    print("(more demo identities in README.md)\n", flush=True)
    try:
        run_simple(host, port, access_log(app), threaded=True, use_reloader=False)
    finally:
        jwks.stop()
        moto.stop()
    return 0
