"""Write events/<group>/<operationId>.json: one API Gateway REST proxy event per read of the
contract, for `sam local invoke <Function> -e <file>`, built by the local runner's own
gateway from Colombia's sandbox demo data as of one date (kept in events/manifest.json;
seed with that date to get the same answers).

    python -m local.events [--as-of YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from local import demo
from local.gateway import BASE, Gateway, _match
from local.stack import ROOT, Stack

EVENTS = ROOT / "events"
COUNTRY = "co"
AGENT_CONTEXT = {
    "principalId": "call-centre",
    "principalType": "agent",
    "clientId": "call-centre",
    "scope": "selfcare.read selfcare.write selfcare.pay selfcare.agent",
}


def contract_reads() -> list[tuple[str, dict[str, Any]]]:
    spec = yaml.safe_load((ROOT / "api" / "openapi.yaml").read_text(encoding="utf-8"))
    return [
        (path, operations["get"])
        for path, operations in spec["paths"].items()
        if "get" in operations and not operations["get"].get("x-non-contract")
    ]


def build_event(
    gateway: Gateway, path: str, query: dict[str, str], headers: dict[str, str]
) -> dict[str, Any]:
    from urllib.parse import urlencode

    segments = tuple(s for s in path.split("/") if s)
    matched = _match(gateway.routes[COUNTRY], (*BASE, COUNTRY, *segments), "GET")
    if matched is None:
        raise LookupError(path)
    route, parameters = matched
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/" + "/".join((*BASE, COUNTRY, *segments)),
        "QUERY_STRING": urlencode(query),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "REMOTE_ADDR": "127.0.0.1",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }
    event = gateway._event(environ, COUNTRY, route, segments, parameters)
    if (
        route.authorizer is not None
    ):  # what API Gateway adds after the authorizer allowed a call-centre token
        event["requestContext"]["authorizer"] = AGENT_CONTEXT
    event["requestContext"]["requestId"] = event["requestContext"]["extendedRequestId"] = (
        "c0ffee00-0000-4000-8000-000000000001"
    )
    event["requestContext"]["requestTimeEpoch"] = 0
    return event


def write(as_of: date) -> list[Path]:
    gateway = Gateway({COUNTRY: Stack(COUNTRY)}, COUNTRY)
    written = []
    manifest: dict[str, Any] = {"asOf": as_of.isoformat(), "country": COUNTRY, "events": {}}
    for template, operation in contract_reads():
        values = demo.path_values(COUNTRY, as_of, template)
        path = demo.concrete(template, values)
        headers = (
            {"Accept": "application/pdf"}
            if template.endswith("/pdf")
            else {"Accept": "application/json"}
        )
        event = build_event(gateway, path, demo.query_for(template, as_of), headers)
        group = template.strip("/").split("/")[0]
        target = EVENTS / group / f"{operation['operationId']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        manifest["events"][str(target.relative_to(ROOT))] = {
            "operationId": operation["operationId"],
            "path": template,
        }
        written.append(target)
    (EVENTS / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    written = write(parser.parse_args().as_of)
    print(f"wrote {len(written)} events under {EVENTS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
