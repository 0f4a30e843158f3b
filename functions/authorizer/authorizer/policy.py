"""The authorizer's answer to API Gateway: an Allow policy for the whole stage and a context.

API Gateway caches the answer per token and reuses it for every route, so the policy allows
`<api>/<stage>/*/*`; scopes and ownership are checked by the functions (selfcare.access).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from authorizer.verify import Principal


def stage_wildcard(method_arn: str) -> str:
    """`arn:aws:execute-api:<region>:<account>:<api>/<stage>/*/*` from a request's methodArn."""
    parts = method_arn.split(":", 5) if isinstance(method_arn, str) else []
    path = parts[5].split("/") if len(parts) == 6 and parts[2] == "execute-api" else []
    if len(path) < 3 or not path[0] or not path[1]:
        raise ValueError("methodArn is not an execute-api method ARN")
    return ":".join(parts[:5]) + f":{path[0]}/{path[1]}/*/*"


def context(principal: Principal) -> dict[str, str]:
    """What the functions read (selfcare.identity); API Gateway accepts string values."""
    found = {
        "principalType": principal.kind,
        "scope": " ".join(principal.scopes),
        "clientId": principal.client_id,
    }
    if principal.kind == "customer":
        found["documentType"] = principal.document_type or ""
        found["customerId"] = principal.customer_id or ""
    return found


def allow(principal: Principal, method_arn: str, usage_keys: Mapping[str, str]) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "principalId": principal.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": stage_wildcard(method_arn),
                }
            ],
        },
        "context": context(principal),
    }
    # API key source AUTHORIZER: the key of the client's usage plan (or the default plan's).
    key = usage_keys.get(principal.client_id) or usage_keys.get("*")
    if key:
        answer["usageIdentifierKey"] = key
    return answer
