"""API Gateway TOKEN authorizer: bearer JWTs checked against the issuer's JWKS.

Refusals raise `Exception("Unauthorized")` (API Gateway answers 401). A JWKS that cannot be
fetched raises another error (AUTHORIZER_FAILURE, which the template answers with 503).
Configuration is read once per container, and so are the issuer's keys (cached 5 minutes).
"""

from __future__ import annotations

import json
import os
from typing import Any

import jwt
from aws_lambda_powertools import Logger

from authorizer.policy import allow
from authorizer.verify import Refused, Unavailable, Verifier
from selfcare import snapstart
from selfcare.redaction import RedactingFormatter

logger = Logger(service="authorizer", logger_formatter=RedactingFormatter())


def _usage_keys(raw: str) -> dict[str, str]:
    keys = json.loads(raw or "{}")
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ValueError("USAGE_PLAN_KEYS must be a JSON object of client id -> API key")
    return keys


def _leeway(raw: str) -> int:
    seconds = int(raw)
    if not 0 <= seconds <= 300:
        raise ValueError("JWT_LEEWAY_SECONDS must be between 0 and 300")
    return seconds


# A misconfigured stack fails here, at cold start (AUTHORIZER_CONFIGURATION_ERROR), not per call.
USAGE_KEYS = _usage_keys(os.environ.get("USAGE_PLAN_KEYS", ""))


# No per-kid key cache (cache_keys): it never expires, so a key the issuer withdrew would
# stay trusted for the container's life. The key set itself is cached for `lifespan`.
def _jwks() -> jwt.PyJWKClient:
    return jwt.PyJWKClient(os.environ["JWKS_URL"], lifespan=300, timeout=3)


VERIFIER = Verifier(
    country=os.environ["COUNTRY"],
    issuer=os.environ["JWT_ISSUER"],
    audience=os.environ["JWT_AUDIENCE"],
    jwks=_jwks(),
    leeway=_leeway(os.environ.get("JWT_LEEWAY_SECONDS", "30")),
)
if snapstart.install():  # a restored copy fetches the issuer's keys afresh
    snapstart.on_restore(lambda: setattr(VERIFIER, "jwks", _jwks()))


@logger.inject_lambda_context(log_event=False, clear_state=True)  # the event holds the token
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        principal = VERIFIER.verify(event.get("authorizationToken"))
    except Refused as refused:
        logger.info("Refused", extra={"reason": refused.reason})
        raise Exception("Unauthorized") from None  # the exact message API Gateway expects
    except Unavailable as unavailable:
        logger.error("Identity provider unavailable", extra={"reason": str(unavailable)})
        raise RuntimeError("Identity provider unavailable") from None
    except Exception:  # counted as an authorizer failure (AuthorizerFailures), answered 503
        logger.exception("Unexpected failure")
        raise RuntimeError("Authorizer failure") from None
    answer = allow(principal, event.get("methodArn", ""), USAGE_KEYS)
    logger.info("Allowed", extra={"principalType": principal.kind, "clientId": principal.client_id})
    return answer
