"""Verify a bearer JWT and say who it names (see the package docstring for the token model).

`Verifier.verify` returns a `Principal`, raises `Refused(reason)` when the token is the
caller's problem (401), and `Unavailable` when the JWKS cannot be had (not the caller's fault).
Reasons are short, fixed phrases: safe to log, never derived from the token's content.
"""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import jwt

from selfcare.countries import get_country
from selfcare.errors import InvalidParameter
from selfcare.scopes import AGENT
from selfcare.scopes import ALL as SCOPES  # the API's scopes, in their normalized order

ALGORITHMS = ("RS256", "ES256")  # asymmetric only: "none" and HMAC never reach a key lookup
REQUIRED = ("exp", "iat", "iss", "aud", "sub")
MAX_TOKEN = 8192  # characters; API Gateway's header limit is about this size too

# Exceptions PyJWT raises while decoding, as the reason logged for each.
_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not yet valid"),
    (jwt.InvalidAudienceError, "wrong audience"),
    (jwt.InvalidIssuerError, "wrong issuer"),
    (jwt.MissingRequiredClaimError, "missing claim"),
    (jwt.InvalidAlgorithmError, "alg not allowed"),  # e.g. ES256 header on an RSA key
    (jwt.InvalidSignatureError, "bad signature"),
    (jwt.exceptions.InvalidSubjectError, "bad subject"),
    (jwt.DecodeError, "malformed"),
)


class Refused(Exception):
    """The token does not authorize the caller; `reason` is a short phrase for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unavailable(RuntimeError):
    """The identity provider's keys cannot be fetched or make no sense."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}"[:300])  # never holds the token


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    kind: Literal["customer", "agent"]
    client_id: str
    scopes: tuple[str, ...]  # normalized: known scopes, each once, in SCOPES order
    document_type: str | None = None  # customers: upper-case code, e.g. "CC"
    customer_id: str | None = None  # customers: the canonical document number


class Verifier:
    """One per container: holds the JWKS client (and so the cached keys)."""

    def __init__(
        self,
        country: str,
        issuer: str,
        audience: str,
        jwks: jwt.PyJWKClient,
        leeway: int = 30,
    ) -> None:
        self.country = get_country(country)
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.leeway = leeway

    def verify(self, authorization: object) -> Principal:
        token = bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Refused("malformed") from None
        if header.get("alg") not in ALGORITHMS:
            raise Refused("alg not allowed")
        key = self._key(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED)},
            )
        except jwt.PyJWTError as error:
            reason = next((r for t, r in _REASONS if isinstance(error, t)), "invalid token")
            raise Refused(reason) from None
        return self._principal(claims)

    def _key(self, kid: object) -> jwt.PyJWK:
        if not isinstance(kid, str) or not kid:
            raise Refused("unknown key")
        try:  # the cached set, fetched when missing or older than its lifespan
            known = self.jwks.get_signing_keys()
        except (jwt.PyJWTError, ValueError, OSError, http.client.HTTPException) as error:
            raise Unavailable(error) from error
        found = self.jwks.match_kid(known, kid)
        if found is not None:
            return found
        try:  # one forced refresh (rotation), at most every cooldown period
            return self.jwks.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as error:
            raise Unavailable(error) from error
        except (jwt.PyJWTError, ValueError):
            raise Refused("unknown key") from None

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        subject = claims["sub"]
        if not subject:
            raise Refused("missing claim")
        country = claims.get("country")
        if country is not None and (
            not isinstance(country, str) or country.lower() != self.country.code
        ):
            raise Refused("wrong country")
        scopes = normalized_scopes(claims.get("scope"), claims.get("scp"))
        client_id = claims.get("client_id")
        if client_id is not None and not isinstance(client_id, str):
            raise Refused("bad client id")
        doc_type, doc_number = claims.get("doc_type"), claims.get("doc_number")
        if doc_type is None and doc_number is None:
            if AGENT not in scopes:
                raise Refused("neither customer nor agent")
            return Principal(subject, "agent", client_id or subject, scopes)
        if AGENT in scopes:
            raise Refused("document and agent scope")
        if not isinstance(doc_type, str) or not isinstance(doc_number, str):
            raise Refused("invalid document")
        try:
            document, number = self.country.parse_document(doc_type, doc_number)
        except InvalidParameter:
            raise Refused("invalid document") from None
        return Principal(subject, "customer", client_id or "", scopes, document.code, number)


def bearer(authorization: object) -> str:
    """The token of an `Authorization: Bearer <token>` value (scheme in any case)."""
    if not isinstance(authorization, str) or len(authorization) > MAX_TOKEN:
        raise Refused("no bearer token")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        raise Refused("no bearer token")
    return token


def normalized_scopes(*claims: object) -> tuple[str, ...]:
    """The API's scopes named by `scope`/`scp` claims (strings or lists of strings)."""
    named: set[str] = set()
    for claim in claims:
        if claim is None:
            continue
        if isinstance(claim, str):
            named.update(claim.split())
        elif isinstance(claim, list) and all(isinstance(s, str) for s in claim):
            named.update(claim)
        else:
            raise Refused("bad scope claim")
    return tuple(s for s in SCOPES if s in named)
