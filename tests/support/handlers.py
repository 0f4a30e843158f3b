"""A function's handler in process, as API Gateway invokes it, over fakes of our ports.

    billing = function("billing", monkeypatch, FakeBackend(...))
    answer = billing.get("/billing/contracts/{contractId}/customers", contractId="C-1")
    assert answer.status == 200 and answer.body["customerId"] == ...

`function` imports functions/<group>/app.py afresh (its own module, its cold start) under
the function's environment, and gives its Api the backend a test brings (selfcare.ports:
Directory, BillingSystem, CaseSystem, ...), so no AWS is reached. Requests are built as the
gateway builds them: the resource path with the base path, its path parameters, and the
authorizer's context (AGENT by default: a channel token with every scope)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE = "/v1/tigo/home/{country}"
AGENT = {
    "principalType": "agent",
    "principalId": "call-centre",
    "clientId": "call-centre",
    "scope": "selfcare.read selfcare.write selfcare.pay selfcare.agent",
}
_loaded = itertools.count()


def customer(document_type: str, customer_id: str, scope: str = "") -> dict[str, str]:
    """The authorizer's context for a customer's own token."""
    return {
        "principalType": "customer",
        "principalId": f"{document_type}-{customer_id}",
        "documentType": document_type,
        "customerId": customer_id,
        "clientId": "mi-tigo",
        "scope": scope or "selfcare.read selfcare.write selfcare.pay",
    }


def context(name: str = "unit", remaining_ms: int = 60_000) -> SimpleNamespace:
    """A Lambda context with a minute left (or `remaining_ms`)."""
    return SimpleNamespace(
        function_name=name,
        memory_limit_in_mb=256,
        invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        aws_request_id="6d3bd6a5-2a7e-4a4c-9d35-3f1d0c1e8f00",
        get_remaining_time_in_millis=lambda: remaining_ms,
    )


def event(
    method: str,
    resource: str,
    country: str = "co",
    query: Mapping[str, str] | None = None,
    authorizer: Mapping[str, Any] | None = AGENT,
    headers: Mapping[str, str] | None = None,
    body: str | None = None,
    **path: str,
) -> dict[str, Any]:
    """API Gateway's proxy event for `resource` (as the contract spells it, without the base
    path) with its variables filled from `path`."""
    full = f"/v1/tigo/home/{country}" + resource.format(**path)
    sent = {"Accept": "application/json", "Host": "api.example", **(headers or {})}
    return {
        "resource": BASE + resource,
        "path": full,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": {k: [v] for k, v in sent.items()},
        "queryStringParameters": dict(query) if query else None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"country": country, **path},
        "requestContext": {
            "resourcePath": BASE + resource,
            "httpMethod": method,
            "path": f"/prod{full}",
            "stage": "prod",
            "requestId": "r-1",
            "authorizer": dict(authorizer) if authorizer is not None else None,
        },
        "body": body,
        "isBase64Encoded": False,
    }


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


def answer_of(raw: dict[str, Any]) -> Answer:
    headers = {k.lower(): str(v) for k, v in (raw.get("headers") or {}).items()}
    for key, values in (raw.get("multiValueHeaders") or {}).items():
        headers[key.lower()] = ", ".join(str(v) for v in values)
    text = raw.get("body") or ""
    body = (
        json.loads(text) if headers.get("content-type", "").startswith("application/json") else text
    )
    return Answer(int(raw["statusCode"]), body, headers)


class Function:
    """A function's module (`module`) and its handler, called with `request`."""

    def __init__(self, module: ModuleType, country: str) -> None:
        self.module = module
        self.country = country

    def request(self, method: str, resource: str, **kwargs: Any) -> Answer:
        kwargs.setdefault("country", self.country)
        raw = self.module.handler(event(method, resource, **kwargs), context())
        return answer_of(raw)

    def get(self, resource: str, **kwargs: Any) -> Answer:
        return self.request("GET", resource, **kwargs)


def function(
    group: str,
    monkeypatch: pytest.MonkeyPatch,
    backend: Any,
    country: str = "co",
    env: Mapping[str, str] | None = None,
) -> Function:
    """functions/<group>/app.py, imported afresh for `country` (sandbox settings, no
    tracing), whose Api reads and resolves ids through `backend`."""
    monkeypatch.setenv("COUNTRY", country)
    monkeypatch.setenv("BACKEND", "sandbox")
    monkeypatch.setenv("SANDBOX_TABLE", "unit-sandbox")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "HomeSelfCare-test")
    monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    code = ROOT / "functions" / group
    monkeypatch.syspath_prepend(str(code))
    name = f"_unit_{group}_{country}_{next(_loaded)}"
    spec = importlib.util.spec_from_file_location(name, code / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    monkeypatch.setitem(sys.modules, name, module)  # dropped when the test ends
    spec.loader.exec_module(module)
    module.api.backend = backend  # instead of the one its first request would build
    return Function(module, country)


class FakeDirectory:
    """Our Directory port over the contracts and customers a test gives (selfcare.ports);
    tests add the reads of the ports their function uses."""

    def __init__(self, contracts: Any = (), customers: Any = ()) -> None:
        self.contracts_by_id = {c.contract_id: c for c in contracts}
        self.customers_by_id = {(c.document_type, c.customer_id): c for c in customers}

    def find_contract(self, contract_id: str) -> Any:
        return self.contracts_by_id.get(contract_id)

    def find_customer(self, document_type: str, customer_id: str) -> Any:
        return self.customers_by_id.get((document_type, customer_id))

    def find_billing_account(self, billing_account_id: str) -> Any:
        found = (
            c for c in self.contracts_by_id.values() if c.billing_account_id == billing_account_id
        )
        return next(found, None)
