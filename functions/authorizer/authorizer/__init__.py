"""The API's bearer-token check (API Gateway TOKEN authorizer).

Token model: OAuth2/OIDC access tokens (JWS, RS256 or ES256) issued by the country's identity
provider and verified against its JWKS.

Every token: `sub`, `iss` (JWT_ISSUER), `aud` (JWT_AUDIENCE, string or list), `exp`, `iat`;
`nbf` is checked when present; clocks may differ by JWT_LEEWAY_SECONDS (default 30).
Scopes come in `scope` (space-separated, OAuth2 style) and/or `scp` (a list, or a
space-separated string); both are merged. Only the API's scopes are kept:

    selfcare.read    read operations
    selfcare.write   changes (ending recurring billing too)
    selfcare.pay     checkout, card tokens, enrolling in or changing recurring billing
    selfcare.agent   a channel acting for any customer of its country

(`selfcare.scopes` maps each operation to the one it needs.)

Customer token (the MiTigo app or web acting for a household): the customer's identity
document as `doc_type` (any case, e.g. "CC") and `doc_number` (strings; any formatting the
API accepts in paths), valid for the stack's COUNTRY, and `client_id` (the app, e.g.
"mitigo-app"). It must not carry `selfcare.agent`.

Channel token (client credentials: call centre, CanalesAlternos): `selfcare.agent` in its
scopes, no document claims; `client_id` names the channel (else `sub` does).

Optional `country` (any case): when present it must be the stack's COUNTRY.

Anything else is refused: a token naming both a document and the agent scope, or neither.
"""
