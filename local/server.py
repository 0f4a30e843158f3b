"""Start moto's server as the embedded AWS (or use one already running), build the three
country stacks from template.yaml, seed them (unless they already are), and serve the API."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from local.stack import REGION, Stack

if TYPE_CHECKING:
    from local.tmf_standin.server import TmfStandIn

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
    customers: int | None = None,
    bss: TmfStandIn | None = None,
) -> dict[str, Stack]:
    """Each country's stack, provisioned (what exists is kept) and seeded unless it already
    is: a runner started against an embedded AWS that another started keeps its data. With
    `bss` (a TMF stand-in), the stacks' Backend is tmf and each country's points at it."""
    stacks = {}
    for country in countries:
        parameters = dict(overrides)
        if bss is not None:
            parameters.update(Backend="tmf", BssBaseUrl=bss.base_url(country))
        stack = Stack(country, stage=stage, overrides=parameters)
        stack.bss = bss
        provision(stack)
        if seed:
            seed_once(stack, as_of, customers)
        stacks[country] = stack
    return stacks


def provision(stack: Stack) -> None:
    """The stack's tables and secrets; with a TMF stand-in, its client credentials in the
    stack's BssSecret, as an operator puts the BSS's."""
    stack.provision()
    if stack.bss is not None:
        import json

        import boto3

        boto3.client("secretsmanager", region_name=REGION).put_secret_value(
            SecretId=stack.physical["BssSecret"], SecretString=json.dumps(stack.bss.secret())
        )


SEEDED = {"pk": "LOCAL#SEEDED", "sk": "LOCAL#SEEDED"}  # in the sandbox table, written last


def seeded(stack: Stack) -> dict[str, Any] | None:
    """The mark seeding leaves once a stack's dataset is complete (date, customers)."""
    from selfcare.adapters.items import DynamoItems

    return DynamoItems(stack.table_name("SandboxTable")).get(SEEDED["pk"], SEEDED["sk"])


def seed_once(stack: Stack, as_of: date, customers: int | None = None) -> None:
    from local import demo
    from local.seed import seed as seed_stack
    from selfcare.adapters.items import DynamoItems

    customers = customers or demo.CUSTOMERS
    mark = seeded(stack)
    if mark is not None:
        print(
            f"  {stack.country}: already seeded ({mark['customers']} customers as of"
            f" {mark['asOf']}), data kept",
            flush=True,
        )
        return
    started = time.perf_counter()
    counts = seed_stack(
        stack.country,
        as_of,
        stack.table_name("SandboxTable"),
        stack.table_name("PaperlessTable"),
        stack.table_name("CheckoutTable"),
        customers=customers,
        backend="tmf" if stack.bss is not None else "sandbox",
    )
    mark = {**SEEDED, "asOf": as_of.isoformat(), "customers": customers}
    DynamoItems(stack.table_name("SandboxTable")).put_all([mark])
    elapsed = time.perf_counter() - started
    print(f"  {stack.country}: seeded {counts} in {elapsed:.1f}s", flush=True)


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


class LocalApi:
    """The served app: the Gateway over the stacks, built again when the embedded AWS has
    lost them. moto keeps everything in memory: restarted or reset, it comes back empty and
    every function answers 503 (its tables are gone). After any answer of 500 or more, one
    ListTables tells whether the stacks' tables are still there; if not, they are
    provisioned and seeded again and the functions start in fresh containers (the secrets
    are new, and so are their ARNs in the functions' environment)."""

    def __init__(
        self,
        stacks: dict[str, Stack],
        as_of: date,
        customers: int | None,
        make_gateway: Callable[[dict[str, Stack]], Any],
    ) -> None:
        self.stacks, self.as_of, self.customers = stacks, as_of, customers
        self.make_gateway = make_gateway
        self.gateway = make_gateway(stacks)
        self._rebuilding = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        statuses: list[int] = []

        def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, *rest)

        body = self.gateway(environ, capture)
        if statuses and statuses[0] >= 500:
            self.recover()
        return body

    def lost(self) -> bool:
        """Has the embedded AWS lost any of the stacks' tables? (False while unreachable.)"""
        import boto3

        try:
            pages = boto3.client("dynamodb", region_name=REGION).get_paginator("list_tables")
            existing = {name for page in pages.paginate() for name in page["TableNames"]}
        except Exception:  # down or restarting: nothing to rebuild until it answers
            return False
        wanted = {
            stack.table_name(logical_id)
            for stack in self.stacks.values()
            for logical_id in stack.of_type("AWS::DynamoDB::Table")
        }
        return not wanted <= existing

    def recover(self) -> bool:
        with self._rebuilding:
            if not self.lost():
                return False
            print(
                "The embedded AWS lost the stacks (restarted or reset): provisioning and"
                " seeding them again; every change made so far is gone",
                file=sys.stderr,
                flush=True,
            )
            for stack in self.stacks.values():
                provision(stack)
                seed_once(stack, self.as_of, self.customers)
            old, self.gateway = self.gateway, self.make_gateway(self.stacks)
            for host in old.hosts.values():
                host.stop()
            print("Stacks rebuilt: serving again", file=sys.stderr, flush=True)
            return True


def start_embedded_aws(host: str, port: int) -> tuple[Any, str]:
    """moto's server on host:port (0: any free port), and its endpoint."""
    from local.embedded_aws import EmbeddedAwsServer

    moto = EmbeddedAwsServer(ip_address=host, port=port, verbose=False)
    moto.start()
    bound_host, bound_port = moto.get_host_and_port()
    return moto, f"http://{bound_host}:{bound_port}"


def _stop_on_sigterm() -> None:
    """`kill`/Popen.terminate() end the process like Ctrl-C: servers closed, nothing left."""
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def serve_aws(host: str, port: int, as_of: date | None, customers: int | None) -> int:
    """Only the embedded AWS, with the three stacks provisioned and seeded: runners started
    with --aws-endpoint share it (and its data), each serving the API in its own process."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _stop_on_sigterm()
    moto, endpoint = start_embedded_aws(host, port)
    os.environ.update(embedded_aws_env(endpoint))
    try:
        build(COUNTRIES, as_of or date.today(), {}, customers=customers)
        print(f"Embedded AWS (moto) on {endpoint}: stacks provisioned and seeded", flush=True)
        print(f"Serve the API from it: python -m local serve --aws-endpoint {endpoint}", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        moto.stop()
    return 0


def serve(
    host: str,
    port: int,
    moto_port: int,
    default_country: str,
    as_of: date | None,
    aws_endpoint: str | None = None,
    customers: int | None = None,
    backend: str = "sandbox",
    bss_port: int = 0,
) -> int:
    from werkzeug.serving import make_server

    from local import auth
    from local.gateway import Gateway

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's and ours: we log below
    _stop_on_sigterm()
    moto = None
    if aws_endpoint is None:
        moto, endpoint = start_embedded_aws("127.0.0.1", moto_port)
        print(f"Embedded AWS (moto) on {endpoint}", flush=True)
    else:
        endpoint = aws_endpoint.rstrip("/")
        print(f"Embedded AWS at {endpoint} (shared: its stacks and data are kept)", flush=True)
    os.environ.update(embedded_aws_env(endpoint))
    jwks = auth.JwksServer(auth.keys()).start()  # its own thread: the authorizer fetches it
    try:
        print(f"Local identity provider: keys in .local/jwt/, JWKS at {jwks.url}", flush=True)
        day = as_of or date.today()
        bss = None
        if backend == "tmf":  # each country's BSS: the TMF stand-in, on the same dataset
            from local import demo, tmf_standin

            bss = tmf_standin.standin(day, customers or demo.CUSTOMERS, bss_port).start()
            print(f"TM Forum stand-in (the BSS) on {bss.url}", flush=True)
        stacks = build(COUNTRIES, day, identity_parameters(jwks.url), customers=customers, bss=bss)
        app = LocalApi(
            stacks,
            day,
            customers,
            lambda built: Gateway(built, default_country, local_function_env()),
        )
        token = customer_token(default_country, day)  # the dataset: made before listening
        server = make_server(host, port, access_log(app), threaded=True)  # listening from here
        base = f"http://{host}:{server.port}/v1/tigo/home"
        print(f"\nHome Self Care API on {base}/{{co,gt,sv}}/... (and /... for {default_country})")
        print(
            f"A token for the first demo customer (1 hour; `make token` mints others):\n{token}\n"
        )
        print("Try (TOKEN=<the token above>):")
        for line in examples(base, default_country, day):
            print(f'  curl -H "Authorization: Bearer $TOKEN" {line}')
        print("(more demo identities in README.md)\n", flush=True)
        try:
            server.serve_forever()
        finally:
            server.server_close()
    except KeyboardInterrupt:
        pass
    finally:
        jwks.stop()
        if moto is not None:
            moto.stop()
    return 0
