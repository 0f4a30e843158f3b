"""Start moto's server as the embedded AWS, build the three country stacks from
template.yaml, seed them, and serve the API."""

from __future__ import annotations

import os
import time
from datetime import date

from local.stack import REGION, Stack

COUNTRIES = ("co", "gt", "sv")


def embedded_aws_env(endpoint: str) -> dict[str, str]:
    """What every boto3 client in this process needs to reach moto instead of AWS."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",  # noqa: S105 (moto accepts any credentials)
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }


def local_function_env() -> dict[str, str]:
    """Local-only switches: no X-Ray daemon here, EMF metrics off to keep the console readable."""
    return {"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true"}


def build(countries: tuple[str, ...], as_of: date, seed: bool = True) -> dict[str, Stack]:
    from local.seed import seed as seed_stack

    stacks = {}
    for country in countries:
        stack = Stack(country)
        stack.provision()
        if seed:
            started = time.perf_counter()
            counts = seed_stack(
                country,
                as_of,
                stack.table_name("SandboxTable"),
                stack.table_name("PaperlessTable"),
                stack.table_name("CheckoutTable"),
            )
            print(f"  {country}: seeded {counts} in {time.perf_counter() - started:.1f}s", flush=True)
        stacks[country] = stack
    return stacks


def serve(host: str, port: int, moto_port: int, default_country: str, as_of: date | None) -> int:
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import run_simple

    from local.gateway import Gateway

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    os.environ.update(embedded_aws_env(f"http://127.0.0.1:{moto_port}"))
    print(f"Embedded AWS (moto) on http://127.0.0.1:{moto_port}", flush=True)
    stacks = build(COUNTRIES, as_of or date.today())
    app = Gateway(stacks, default_country, local_function_env())
    base = f"http://{host}:{port}/v1/tigo/home"
    print(f"\nHome Self Care API on {base}/{{co,gt,sv}}/... (and /... for {default_country})")
    print("Try:")
    print(f"  curl {base}/co/billing/doc-type/cc/customers/<customerId>/contracts/")
    print("  (demo identities are listed in README.md)\n", flush=True)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        moto.stop()
    return 0
