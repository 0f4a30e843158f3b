"""`python -m local [serve]` runs the whole API on 127.0.0.1:3000 with no Docker and no AWS
account; `python -m local aws` runs only the embedded AWS (stacks provisioned and seeded),
for several `serve --aws-endpoint` processes to share; `python -m local seed ...` loads the
sandbox dataset into any stack's tables."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="serve the API locally (the default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    serve.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5005")))
    serve.add_argument("--default-country", default=os.environ.get("DEFAULT_COUNTRY", "co"))
    serve.add_argument("--as-of", type=date.fromisoformat, default=None, help="dataset date")
    serve.add_argument(
        "--aws-endpoint",
        default=os.environ.get("LOCAL_AWS_ENDPOINT"),
        help="use this running embedded AWS (`python -m local aws`) instead of starting moto;"
        " its stacks and data are kept, and seeded only if they are not yet",
    )
    serve.add_argument("--customers", type=int, default=None, help="per country (40)")
    serve.add_argument(
        "--backend",
        choices=["sandbox", "tmf"],
        default=os.environ.get("BACKEND") or "sandbox",
        help="tmf: serve from a TM Forum stand-in BSS (python -m local.tmf_standin)",
    )
    serve.add_argument("--bss-port", type=int, default=0, help="the TMF stand-in's port")
    aws = commands.add_parser("aws", help="run only the embedded AWS, stacks seeded")
    aws.add_argument("--host", default="127.0.0.1")
    aws.add_argument("--port", type=int, default=int(os.environ.get("MOTO_PORT", "5005")))
    aws.add_argument("--as-of", type=date.fromisoformat, default=None, help="dataset date")
    aws.add_argument("--customers", type=int, default=None, help="per country (40)")
    seed = commands.add_parser("seed", help="seed a (deployed) sandbox stack's tables")
    seed.add_argument("--country", required=True, choices=["co", "gt", "sv"])
    seed.add_argument("--sandbox-table", required=True)
    seed.add_argument("--paperless-table")
    seed.add_argument("--checkout-table")
    seed.add_argument("--as-of", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    if args.command == "seed":
        from local.seed import seed as run_seed

        counts = run_seed(
            args.country,
            args.as_of or date.today(),
            args.sandbox_table,
            args.paperless_table,
            args.checkout_table,
        )
        print(f"seeded {args.country}: {counts}")
        return 0
    if args.command is None:
        args = serve.parse_args([])
    if args.customers is not None:
        from local import demo

        demo.CUSTOMERS = args.customers  # seeded, and the identities printed, alike
    if args.command == "aws":
        from local.server import serve_aws

        return serve_aws(args.host, args.port, args.as_of, args.customers)
    from local.server import serve as run

    return run(
        args.host,
        args.port,
        args.moto_port,
        args.default_country,
        args.as_of,
        args.aws_endpoint,
        args.customers,
        args.backend,
        args.bss_port,
    )


if __name__ == "__main__":
    sys.exit(main())
