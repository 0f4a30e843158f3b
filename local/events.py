"""Write events/<group>/<operationId>.json: one API Gateway REST proxy event per operation
of the contract (reads, and changes with a valid body), for
`sam local invoke <Function> -e <file>`. They are built by the local runner's own gateway
from Colombia's sandbox data as of one date (events/manifest.json keeps it, with each
event's expected status; seed with that date to get the same answers). Each change uses a
customer of its own, so the events replay in any order.

    python -m local.events [--as-of YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import io
import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

from local import demo, samples
from local.gateway import BASE, Gateway, _match
from local.stack import ROOT, Stack

EVENTS = ROOT / "events"
COUNTRY = "co"
AGENT_CONTEXT = {  # what API Gateway adds once the authorizer allowed a call-centre token
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


def changes(as_of: date) -> list[tuple[samples.Sample, dict[str, Any]]]:
    """Each change sample with a customer of its own."""
    used: set[str] = set()
    chosen = []
    for sample in samples.SAMPLES:
        customer = next(
            c
            for c in demo.customers(COUNTRY, as_of)
            if c["customerId"] not in used and sample.suits(c)
        )
        used.add(customer["customerId"])
        chosen.append((sample, customer))
    return chosen


def build_event(
    gateway: Gateway,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    method: str = "GET",
    body: Any = None,
) -> dict[str, Any]:
    segments = tuple(s for s in path.split("/") if s)
    matched = _match(gateway.routes[COUNTRY], (*BASE, COUNTRY, *segments), method)
    if matched is None:
        raise LookupError(f"{method} {path}")
    route, parameters = matched
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/" + "/".join((*BASE, COUNTRY, *segments)),
        "QUERY_STRING": urlencode(query),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "CONTENT_LENGTH": str(len(data)),
        "REMOTE_ADDR": "127.0.0.1",
        **({"CONTENT_TYPE": "application/json"} if data else {}),
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }
    event = gateway._event(environ, COUNTRY, route, segments, parameters)
    context = event["requestContext"]
    context["requestId"] = context["extendedRequestId"] = "c0ffee00-0000-4000-8000-000000000001"
    context["requestTimeEpoch"] = 0
    if route.authorizer is not None:
        context["authorizer"] = AGENT_CONTEXT
    return event


def _save(event: dict[str, Any], template: str, operation_id: str) -> Path:
    group = template.strip("/").split("/")[0]
    target = EVENTS / group / f"{operation_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def write(as_of: date) -> list[Path]:
    gateway = Gateway({COUNTRY: Stack(COUNTRY)}, COUNTRY)
    entries: dict[str, Any] = {}
    for template, operation in contract_reads():
        values = demo.path_values(COUNTRY, as_of, template)
        accept = "application/pdf" if template.endswith("/pdf") else "application/json"
        event = build_event(
            gateway,
            demo.concrete(template, values),
            demo.query_for(template, as_of),
            {"Accept": accept},
        )
        target = _save(event, template, operation["operationId"])
        status = 404 if "{idType}" in template else 200  # Colombia has no idType routes
        entries[str(target.relative_to(ROOT))] = {
            "operationId": operation["operationId"],
            "method": "GET",
            "path": template,
            "status": status,
        }
    for sample, customer in changes(as_of):
        values = {**samples.customer_values(COUNTRY, customer), **sample.values(COUNTRY, customer)}
        event = build_event(
            gateway,
            demo.concrete(sample.template, values),
            {},
            {"Accept": "application/json"},
            sample.method,
            sample.body(COUNTRY, customer),
        )
        target = _save(event, sample.template, sample.operation_id)
        entries[str(target.relative_to(ROOT))] = {
            "operationId": sample.operation_id,
            "method": sample.method,
            "path": sample.template,
            "status": 404 if "{idType}" in sample.template else sample.status,
        }
    manifest = {"asOf": as_of.isoformat(), "country": COUNTRY, "events": entries}
    (EVENTS / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return [ROOT / name for name in entries]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    written = write(parser.parse_args().as_of)
    print(f"wrote {len(written)} events under {EVENTS.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
