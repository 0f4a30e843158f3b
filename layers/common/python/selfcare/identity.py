"""Who is calling: read once per request from what the authorizer put in the request context.

Every route reaches data through `selfcare.access`, which asks this object whether the
caller may see a customer or a contract. The JWT authorizer (`functions/authorizer`) puts a
`customer` or an `agent` in the context of every request it lets in; a request without that
context (the public routes of `selfcare.scopes.PUBLIC`: signed spool links, gateway
notifications, payment pages) is `anonymous`, and `selfcare.access.resolve` refuses it
(401) on every route that needs a scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["customer", "agent", "anonymous"]


@dataclass(frozen=True, slots=True)
class Caller:
    kind: Kind
    subject: str = ""
    document_type: str | None = None  # customer tokens: upper-case document type, e.g. "CC"
    customer_id: str | None = None  # customer tokens: canonical document number
    client_id: str | None = (
        None  # channel tokens: the app or channel (call centre, CanalesAlternos)
    )
    scopes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_request_context(cls, request_context: Mapping[str, Any] | None) -> Caller:
        authorizer = (request_context or {}).get("authorizer") or {}
        kind = authorizer.get("principalType")
        scopes = frozenset(str(authorizer.get("scope", "")).split())
        if kind == "customer":
            return cls(
                kind="customer",
                subject=str(authorizer.get("principalId", "")),
                document_type=str(authorizer.get("documentType", "")).upper() or None,
                customer_id=str(authorizer.get("customerId", "")) or None,
                client_id=authorizer.get("clientId"),
                scopes=scopes,
            )
        if kind == "agent":
            return cls(
                kind="agent",
                subject=str(authorizer.get("principalId", "")),
                client_id=authorizer.get("clientId"),
                scopes=scopes,
            )
        return cls(kind="anonymous")

    def owns(self, document_type: str, customer_id: str) -> bool:
        return (
            self.kind == "customer"
            and self.document_type == document_type
            and self.customer_id == customer_id
        )

    def log_fields(self) -> dict[str, str]:
        """What may appear in logs about the caller (no token, no personal data beyond ids)."""
        return {"callerKind": self.kind, "callerClient": self.client_id or ""}
