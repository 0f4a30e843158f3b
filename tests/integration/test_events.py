"""Each committed event in events/ (the ones `sam local invoke -e` takes) drives its own
function's handler and gets the answer the contract declares."""

from __future__ import annotations

import base64
import json

import pytest

from local import demo
from tests.conftest import ROOT
from tests.support.openapi import ContractSpec

SPEC = ContractSpec.load()
MANIFEST = json.loads((ROOT / "events" / "manifest.json").read_text())
EVENTS = sorted(MANIFEST["events"])


def test_there_is_one_event_per_read_of_the_contract():
    reads = {
        op["operationId"]
        for m, _, op in SPEC.operations()
        if m == "GET" and not op.get("x-non-contract")
    }
    assert {entry["operationId"] for entry in MANIFEST["events"].values()} == reads
    assert all((ROOT / name).is_file() for name in EVENTS)


@pytest.mark.parametrize("name", EVENTS)
def test_each_event_is_answered_by_its_function(gateway, name):
    event = json.loads((ROOT / name).read_text())
    country = MANIFEST["country"]
    routes = [
        r
        for r in gateway.routes[country]
        if r.path == event["resource"] and r.method == event["httpMethod"]
    ]
    assert len(routes) == 1, f"{name}: no route for {event['resource']}"
    result = gateway.hosts[(country, routes[0].function)].invoke(event)
    template = MANIFEST["events"][name]["path"]
    expected = 404 if "{idType}" in template else 200  # Colombia has no idType routes
    assert result["statusCode"] == expected, result["body"]
    body = base64.b64decode(result["body"]) if result.get("isBase64Encoded") else result["body"]
    path = event["path"].split(f"/home/{country}", 1)[1]
    headers = {
        **result.get("headers", {}),
        **{k: v[0] for k, v in result.get("multiValueHeaders", {}).items()},
    }
    SPEC.validate_response("GET", path, result["statusCode"], body, headers["Content-Type"])
    assert demo.concrete(template, event["pathParameters"] or {}).rstrip("/") == path.rstrip("/")
