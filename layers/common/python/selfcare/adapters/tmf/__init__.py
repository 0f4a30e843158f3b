"""An operator's BSS speaking TM Forum Open APIs (v4): `client` is the transport (OAuth2
client credentials, optional mTLS, retries, a circuit breaker, TMF pagination); the
mapping of TMF resources onto our ports lives beside it."""
