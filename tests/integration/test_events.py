"""Each committed event in events/ (the ones `sam local invoke -e` takes) drives its own
function's handler and gets the answer the contract declares: reads against the seeded
stack, changes against a fresh copy of it, so replaying them changes nobody else's data."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import AS_OF, ROOT
from tests.support.openapi import ContractSpec

SPEC = ContractSpec.load()
MANIFEST = json.loads((ROOT / "events" / "manifest.json").read_text())
EVENTS = sorted(MANIFEST["events"])


@pytest.fixture(scope="module")
def fresh(embedded_aws, jwks):
    from local.gateway import Gateway
    from local.server import build, identity_parameters, local_function_env

    stacks = build(("co",), AS_OF, identity_parameters(jwks.url), stage="events")
    return Gateway(stacks, "co", local_function_env())


def test_there_is_one_event_per_operation_of_the_contract():
    operations = {
        op["operationId"] for _, _, op in SPEC.operations() if not op.get("x-non-contract")
    }
    documented = {entry["operationId"] for entry in MANIFEST["events"].values()}
    assert documented == operations
    assert all((ROOT / name).is_file() for name in EVENTS)


@pytest.mark.parametrize("name", EVENTS)
def test_each_event_is_answered_by_its_function(gateway, fresh, name):
    entry = MANIFEST["events"][name]
    event = json.loads((ROOT / name).read_text())
    country = MANIFEST["country"]
    target = gateway if entry["method"] == "GET" else fresh
    routes = [
        r
        for r in target.routes[country]
        if r.path == event["resource"] and r.method == event["httpMethod"]
    ]
    assert len(routes) == 1, f"{name}: no route for {event['resource']}"
    result = target.hosts[(country, routes[0].function)].invoke(event)
    assert result["statusCode"] == entry["status"], result["body"]
    body = base64.b64decode(result["body"]) if result.get("isBase64Encoded") else result["body"]
    headers = {
        **result.get("headers", {}),
        **{k: v[0] for k, v in result.get("multiValueHeaders", {}).items()},
    }
    path = event["path"].split(f"/home/{country}", 1)[1]
    SPEC.validate_response(
        entry["method"], path, result["statusCode"], body, headers["Content-Type"]
    )
