"""Issue a contract's next monthly invoice in the sandbox, from what its products cost now
(so a changed offering shows up on later invoices), like the billing system's monthly run.

    python -m local.bill --country co --contract 84257928 [--date YYYY-MM-DD]
                         [--endpoint http://127.0.0.1:5005] [--table <sandbox table>]

Against `make run`'s embedded AWS by default; pass --table (and no --endpoint) for a
deployed sandbox stack with your usual AWS credentials.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import date

from local.stack import Stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.bill", description=__doc__)
    parser.add_argument("--country", required=True, choices=["co", "gt", "sv"])
    parser.add_argument("--contract", required=True)
    parser.add_argument("--date", type=date.fromisoformat, default=date.today())
    parser.add_argument("--endpoint", default="http://127.0.0.1:5005")
    parser.add_argument("--table", help="sandbox table (default: the local runner's)")
    args = parser.parse_args(argv)
    if not args.table:
        from local.server import embedded_aws_env

        os.environ.update(embedded_aws_env(args.endpoint))
    from selfcare.adapters.items import DynamoItems
    from selfcare.adapters.sandbox.backend import SandboxBackend
    from selfcare.countries import get_country

    table = args.table or Stack(args.country).table_name("SandboxTable")
    backend = SandboxBackend(DynamoItems(table))
    invoice = backend.issue_monthly_invoice(args.contract, args.date, get_country(args.country))
    print(json.dumps(invoice, indent=2, default=str, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
