"""Mint a local bearer token: the token on stdout, a ready-to-use curl line on stderr.

TOKEN=$(python -m local.token customer cc 10307011 [--scopes selfcare.read] [--country co])
TOKEN=$(python -m local.token agent call-centre [--scopes selfcare.read selfcare.agent])
"""

from __future__ import annotations

import argparse
import sys

from local import auth
from selfcare.countries import COUNTRIES, get_country
from selfcare.errors import InvalidParameter

BASE = "http://127.0.0.1:3000/v1/tigo/home"
# A demo customer per country (README.md), for the agent's example request.
DEMO = {"co": ("cc", "10307011"), "gt": ("dpi", "6922051792006"), "sv": ("dui", "07925688-0")}


def _scopes(values: list[str]) -> list[str]:
    return [s for value in values for s in value.replace(",", " ").split()]


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--country", choices=sorted(COUNTRIES), help="adds a country claim")
    options.add_argument("--ttl", type=int, default=3600, help="seconds (default 3600)")
    options.add_argument("--alg", choices=["RS256", "ES256"], default="RS256")
    parser = argparse.ArgumentParser(prog="python -m local.token", description=__doc__)
    kinds = parser.add_subparsers(dest="kind", required=True)
    customer = kinds.add_parser("customer", parents=[options], help="a customer token")
    customer.add_argument("doc_type", help="e.g. cc, nit, dpi, dui, pas")
    customer.add_argument("doc_number")
    customer.add_argument("--client-id", default="mitigo-app")
    customer.add_argument("--scopes", nargs="+", default=list(auth.ALL_CUSTOMER_SCOPES))
    agent = kinds.add_parser("agent", parents=[options], help="a channel token")
    agent.add_argument("client_id", nargs="?", default="call-centre")
    agent.add_argument("--scopes", nargs="+", default=list(auth.AGENT_SCOPES))
    args = parser.parse_args(argv)

    country = args.country or "co"
    common = {"scopes": _scopes(args.scopes), "country": args.country, "ttl": args.ttl,
              "alg": args.alg}  # fmt: skip
    if args.kind == "customer":
        try:
            document, number = get_country(country).parse_document(args.doc_type, args.doc_number)
        except InvalidParameter as bad:
            parser.error(f"{bad.message} (country {country})")
        token = auth.customer_token(document.code, number, client_id=args.client_id, **common)
        path = f"billing/doc-type/{document.code.lower()}/customers/{number}/contracts/"
    else:
        token = auth.agent_token(args.client_id, **common)
        doc_type, number = DEMO[country]
        path = f"billing/doc-type/{doc_type}/customers/{number}/contracts/"
    print(token)
    print(
        f'curl -H "Authorization: Bearer $TOKEN" {BASE}/{country}/{path}',
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
