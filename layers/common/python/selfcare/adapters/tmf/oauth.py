"""OAuth2 client credentials (RFC 6749 §4.4) for the BSS: the secret's fields, and the access
token, asked for with HTTP Basic client authentication (§2.3.1) and kept until shortly
before it expires. No message carries a secret, a token or what the token endpoint said."""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import quote_plus, urlencode, urlsplit

from selfcare import tracing
from selfcare.adapters.tmf.transport import NoAnswer, Origin, Transport, tls_context
from selfcare.errors import Unavailable, UpstreamError

MARGIN = 30.0  # seconds before its expiry a token is no longer used
DEFAULT_LIFETIME = 300.0  # seconds, when the token endpoint does not say (expires_in)
LONGEST = 86400.0  # seconds a token is kept at most, whatever it says
NOT_CONFIGURED = "The back-office credentials are not configured properly"


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The Secrets Manager secret (JSON) beside the gateway secret."""

    client_id: str
    client_secret: str = field(repr=False)
    token_url: str  # OAuth2 token endpoint
    scope: str | None = None
    client_cert: str | None = field(default=None, repr=False)  # PEM chain, optional mTLS
    client_key: str | None = field(default=None, repr=False)  # PEM

    @classmethod
    def from_secret(cls, text: str) -> ClientCredentials:
        """{"clientId", "clientSecret", "tokenUrl", "scope"?, "clientCert"?, "clientKey"?};
        Unavailable (503) naming no value when malformed."""
        try:
            values = json.loads(text)
        except (TypeError, ValueError):
            raise Unavailable(NOT_CONFIGURED) from None
        if not isinstance(values, dict):
            raise Unavailable(NOT_CONFIGURED)
        found = {name: values.get(name) or None for name in _FIELDS}
        if (
            any(not isinstance(v, str | None) for v in found.values())
            or any(found[name] is None for name in _REQUIRED)
            or (found["clientCert"] is None) != (found["clientKey"] is None)
        ):
            raise Unavailable(NOT_CONFIGURED)
        try:
            Origin.of(str(found["tokenUrl"]))
        except ValueError:
            raise Unavailable(NOT_CONFIGURED) from None
        return cls(
            str(found["clientId"]),
            str(found["clientSecret"]),
            str(found["tokenUrl"]),
            found["scope"],
            found["clientCert"],
            found["clientKey"],
        )


_FIELDS = ("clientId", "clientSecret", "tokenUrl", "scope", "clientCert", "clientKey")
_REQUIRED = ("clientId", "clientSecret", "tokenUrl")


class Access(NamedTuple):
    token: str
    context: ssl.SSLContext | None  # presents the client certificate (mTLS), if any


class Tokens:
    """The access token, shared by every thread; one fetch at a time. The credentials are
    read (`credentials()`) on each fetch, so a rotated secret is used from the next one."""

    def __init__(
        self,
        credentials: Callable[[], ClientCredentials],
        transport: Transport,
        what: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials, self.transport, self.what, self.clock = (
            credentials,
            transport,
            what,
            clock,
        )
        self._held: tuple[Access, float] | None = None  # the token, and until when to use it
        self._lock = threading.Lock()

    def get(self) -> Access:
        held = self._held
        if held is None or self.clock() >= held[1]:
            with self._lock:
                held = self._held
                if held is None or self.clock() >= held[1]:
                    held = self._held = self._fetch()
        return held[0]

    def forget(self, used: Access) -> None:
        """The BSS refused `used` (401): the next `get` fetches another (unless a thread
        already did)."""
        with self._lock:
            if self._held is not None and self._held[0] is used:
                self._held = None

    def _fetch(self) -> tuple[Access, float]:
        credentials = self.credentials()
        try:
            origin, path = Origin.of(credentials.token_url)
            context = tls_context(credentials.client_cert, credentials.client_key)
        except (ValueError, ssl.SSLError):
            raise Unavailable(NOT_CONFIGURED) from None
        query = urlsplit(credentials.token_url).query
        form = {"grant_type": "client_credentials"}
        if credentials.scope:
            form["scope"] = credentials.scope
        user = f"{quote_plus(credentials.client_id)}:{quote_plus(credentials.client_secret)}"
        headers = {
            "Authorization": f"Basic {base64.b64encode(user.encode()).decode()}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        started = self.clock()
        with tracing.remote_subsegment(origin.host, "POST", origin.url(path)) as traced:
            answer = self.transport.send(
                origin,
                "POST",
                f"{path or '/'}?{query}" if query else path or "/",
                headers,
                urlencode(form).encode(),
                idempotent=True,  # a token request changes nothing
                context=context,
            )
            traced(answer.status)
        if answer.status >= 500:  # a failure of the upstream, for the circuit breaker
            raise NoAnswer(Unavailable(f"{self.what} cannot sign us in now; retry shortly"))
        if answer.status == 429:
            raise Unavailable(f"{self.what} is busy; retry shortly")
        if answer.status != 200:
            raise Unavailable(f"{self.what} refused our credentials")
        token, lifetime = _token(answer.data)
        if token is None:
            raise UpstreamError(f"{self.what} answered our sign-in unreadably")
        lifetime = lifetime - MARGIN if lifetime > 2 * MARGIN else lifetime / 2
        return Access(token, context), started + lifetime


def _token(data: bytes) -> tuple[str | None, float]:
    """(access_token, expires_in) of a token answer; None when it is no Bearer token."""
    try:
        found: Any = json.loads(data)
    except ValueError:
        return None, 0
    if not isinstance(found, dict):
        return None, 0
    token, kind, expires = (found.get(k) for k in ("access_token", "token_type", "expires_in"))
    if (
        not isinstance(token, str)
        or not (token.isascii() and token.isprintable() and token.strip() == token != "")
        or " " in token
        or str(kind or "bearer").lower() != "bearer"
    ):
        return None, 0
    try:
        lifetime = float(expires) if expires is not None else DEFAULT_LIFETIME
    except (TypeError, ValueError):
        return None, 0
    return token, min(lifetime, LONGEST) if lifetime > 0 else 0.0
