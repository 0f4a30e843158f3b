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
    previous, handler.stream = handler.stream, output
    try:
        result = host.invoke(event)
    finally:
        handler.stream = previous
    assert result["statusCode"] == 404
    lines = [json.loads(line) for line in output.getvalue().splitlines()]
    refused = [line for line in lines if line.get("message") == "Refused"]
    assert refused, lines
    assert refused[0]["correlation_id"] == "req-1234"
    assert refused[0]["service"] == "portfolio" and refused[0]["status"] == 404
    assert refused[0]["function_name"] == "PortfolioFunction-sv"


def test_business_metrics_are_emitted_as_emf(client, gateway, capsys, monkeypatch):
    """Checkouts created, payments approved and paperless subscriptions reach CloudWatch as
    Powertools EMF lines in the country's namespace (the dashboard and alarms read them)."""
    from tests.support.claims import claim

    with capsys.disabled():  # cold starts now: loggers must not keep this test's stream
        for host in gateway.hosts.values():
            host.handler()
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    customer = claim(
        "sv", lambda c: any(not i["hasPayment"] for i in c["contracts"][0]["invoices"])
    )
    contract = customer["contracts"][0]
    invoice = next(i for i in contract["invoices"] if not i["hasPayment"])
    base = f"/v1/tigo/home/sv/billing/contracts/{contract['contractId']}"
    capsys.readouterr()
    created = client.post(
        f"{base}/invoices/{invoice['invoiceId']}/checkOut",
        data=json.dumps(
            {
                "invoiceId": invoice["invoiceId"],
                "paymentAmount": float(invoice["dueAmount"]),
                "customerInfo": {"customerId": customer["customerId"]},
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201
    url = created.get_json()["redirectUrl"].split("/v1/", 1)[1]
    client.post(f"/v1/{url}", data={"action": "pay", "cardNumber": "4111111111111111"})
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    names = {
        m["Name"] for line in emf for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert {"CheckoutsCreated", "PaymentsApproved"} <= names
    assert {d["Namespace"] for line in emf for d in line["_aws"]["CloudWatchMetrics"]} == {
        "HomeSelfCare-sv"
    }


def test_invoice_flags_the_back_office_could_not_set_are_counted_as_emf(
    client, gateway, capsys, caplog, monkeypatch
):
    """An enrolment that stands while the back office fails to flag its invoices answers 201
    and counts InvoiceFlagsNotUpdated, which the invoice-flags-not-updated alarm reads."""
    from selfcare.adapters.sandbox.backend import SandboxBackend
    from selfcare.errors import Unavailable
    from tests.integration.test_recurring_billing import with_card

    def fail(self, contract_id: str, **flags: bool) -> None:
        raise Unavailable("The backend is busy; retry shortly")

    with capsys.disabled():  # cold starts now: loggers must not keep this test's stream
        for host in gateway.hosts.values():
            host.handler()
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    customer = with_card("co")
    contract = customer["contracts"][0]["contractId"]
    path = f"/v1/tigo/home/co/billing/contracts/{contract}/recurringBillingInfo"
    body = json.dumps({"cardToken": customer["cardTokens"][0]["cardToken"]})

    def counted() -> float:
        out = capsys.readouterr().out.splitlines()
        emf = [json.loads(line) for line in out if '"_aws"' in line]
        return sum(sum(line.get("InvoiceFlagsNotUpdated", [])) for line in emf)

    capsys.readouterr()
    assert client.post(path, data=body, content_type="application/json").status_code == 201
    assert counted() == 0  # nothing failed
    client.delete(path, data=body, content_type="application/json")
    monkeypatch.setattr(SandboxBackend, "set_invoice_flags", fail)
    capsys.readouterr()
    caplog.clear()
    assert client.post(path, data=body, content_type="application/json").status_code == 201
    assert counted() == 1
    (warning,) = [r for r in caplog.records if r.getMessage() == "Invoice flags not updated"]
    assert (warning.levelname, warning.contractId) == ("WARNING", contract)
