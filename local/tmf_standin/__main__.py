"""python -m local.tmf_standin [--port 8766] [--as-of YYYY-MM-DD] [--customers 40]"""

from __future__ import annotations

import argparse
import json
import threading
from datetime import date

from local.tmf_standin import COUNTRIES, standin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.tmf_standin", description=__doc__)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="dataset date")
    parser.add_argument("--customers", type=int, default=40, help="per country")
    args = parser.parse_args(argv)
    server = standin(args.as_of or date.today(), args.customers, args.port).start()
    print(f"TM Forum stand-in (BSS) on {server.url}")
    for country in COUNTRIES:
        print(f"  {country}: BssBaseUrl={server.base_url(country)}")
    print(f"  BssSecret: {json.dumps(server.secret())}")
    print(f'  faults: curl -X POST {server.url}/_faults -d \'{{"status": 503, "times": 3}}\'')
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
