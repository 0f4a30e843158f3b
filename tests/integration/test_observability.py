"""Every function logs JSON through Powertools, with the API Gateway request id as
correlation id and the function's own service name."""

from __future__ import annotations

import io
import json
import logging

from local import demo
from tests.conftest import AS_OF


def test_a_refused_request_is_logged_as_json_with_its_correlation_id(gateway):
    contract = demo.demo_customers("sv", AS_OF)[0]["contracts"][0]["contractId"]
    host = gateway.hosts[("sv", "PortfolioFunction")]
    route = next(
        r
        for r in gateway.routes["sv"]
        if r.function == "PortfolioFunction" and r.path.endswith("{productId}")
    )
    event = {
        "resource": route.path,
        "path": f"/v1/tigo/home/sv/portfolio/contracts/{contract}/products/424242",
        "httpMethod": "GET",
        "headers": {},
        "pathParameters": {"country": "sv", "contractId": contract, "productId": "424242"},
        "requestContext": {
            "requestId": "req-1234",
            "stage": "local",
            "path": "/x",
            "authorizer": {"principalType": "agent", "clientId": "cc", "scope": "selfcare.read"},
        },
    }
    host.handler()  # cold start first: Powertools binds its handler to the stream of that moment
    handler = logging.getLogger("portfolio").handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    output = io.StringIO()
    previous = handler.setStream(output)
    try:
        result = host.invoke(event)
    finally:
        handler.setStream(previous)
    assert result["statusCode"] == 404
    lines = [json.loads(line) for line in output.getvalue().splitlines()]
    refused = [line for line in lines if line.get("message") == "Refused"]
    assert refused, lines
    assert refused[0]["correlation_id"] == "req-1234"
    assert refused[0]["service"] == "portfolio" and refused[0]["status"] == 404
    assert refused[0]["function_name"] == "PortfolioFunction-sv"
