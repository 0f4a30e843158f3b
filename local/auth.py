"""The local identity provider: signing keys, a JWKS, and tokens for `make run` and tests.

Keys live in `<repo>/.local/jwt/` (gitignored), created at first use: RSA 2048 (RS256) and
EC P-256 (ES256), unencrypted PKCS#8 PEM readable by the owner only. Each `kid` is the key's
RFC 7638 thumbprint. Nothing here is a secret worth more than a developer's laptop.
Tokens follow the authorizer's token model (functions/authorizer/authorizer/__init__.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TypedDict, Unpack

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from local.serving import Served

ISSUER = "http://127.0.0.1:3000/local-idp"
AUDIENCE = "home-self-care"
ALL_CUSTOMER_SCOPES = ("selfcare.read", "selfcare.write", "selfcare.pay")
AGENT_SCOPES = (*ALL_CUSTOMER_SCOPES, "selfcare.agent")
DEFAULT_DIR = Path(__file__).resolve().parent.parent / ".local" / "jwt"
JWKS_PATH = "/local-idp/.well-known/jwks.json"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(key: PrivateKey) -> dict[str, str]:
    """The public JWK of a private key: only the members RFC 7638 hashes, plus nothing private."""
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "n": _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": _b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
        }
    point = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(point.x.to_bytes(32, "big")),
        "y": _b64(point.y.to_bytes(32, "big")),
    }


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members, sorted, without whitespace."""
    required = ("e", "kty", "n") if jwk["kty"] == "RSA" else ("crv", "kty", "x", "y")
    canonical = json.dumps({m: jwk[m] for m in required}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode()).digest())


@dataclass(frozen=True)
class LocalKeys:
    rsa_private: rsa.RSAPrivateKey
    ec_private: ec.EllipticCurvePrivateKey

    def private(self, alg: str) -> PrivateKey:
        if alg == "RS256":
            return self.rsa_private
        if alg == "ES256":
            return self.ec_private
        raise ValueError(f"the local keys sign RS256 or ES256, not {alg!r}")

    def kid(self, alg: str) -> str:
        return thumbprint(public_jwk(self.private(alg)))

    def jwks(self) -> dict[str, Any]:
        """The JWK Set to publish: public keys only."""
        found = []
        for alg in ("RS256", "ES256"):
            jwk = public_jwk(self.private(alg))
            found.append({**jwk, "kid": thumbprint(jwk), "use": "sig", "alg": alg})
        return {"keys": found}


def _write_once(path: Path, data: bytes) -> None:
    """Create `path` atomically; if another process created it first, keep theirs."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        with suppress(FileExistsError):  # unlike rename, never replaces a key handed out
            os.link(temp, path)
    finally:
        os.unlink(temp)


def _load_or_create(path: Path, generate: Callable[[], PrivateKey]) -> PrivateKey:
    if not path.exists():
        pem = generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_once(path, pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} holds no RSA or EC private key")
    return key


_lock = threading.Lock()


@cache
def _keys(directory: Path) -> LocalKeys:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    rsa_key = _load_or_create(directory / "rs256.pem", lambda: _generate("RS256"))
    ec_key = _load_or_create(directory / "es256.pem", lambda: _generate("ES256"))
    if not isinstance(rsa_key, rsa.RSAPrivateKey) or not isinstance(
        ec_key, ec.EllipticCurvePrivateKey
    ):
        raise ValueError(f"{directory}: rs256.pem must hold an RSA key, es256.pem an EC key")
    return LocalKeys(rsa_key, ec_key)


def _generate(alg: str) -> PrivateKey:
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def keys(directory: Path = DEFAULT_DIR) -> LocalKeys:
    """The local signing keys, created on first use and then read from `directory`."""
    with _lock:
        return _keys(directory.resolve())


_default_keys = keys  # `keys` is also a parameter name below


def claims(
    *,
    subject: str | None = None,
    doc_type: str | None = None,
    doc_number: str | None = None,
    client_id: str = "mitigo-app",
    scopes: Iterable[str] = ALL_CUSTOMER_SCOPES,
    country: str | None = None,
    ttl: int = 3600,
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
    now: int | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A token's payload. `extra` adds or overrides claims; a None value removes one."""
    issued = int(time.time()) if now is None else now
    if subject is None:
        subject = f"{doc_type.lower()}-{doc_number}" if doc_type and doc_number else client_id
    found: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": issued,
        "exp": issued + ttl,
        "client_id": client_id,
        "scope": " ".join(scopes),
    }
    optional = {"doc_type": doc_type, "doc_number": doc_number, "country": country}
    found.update({name: value for name, value in optional.items() if value is not None})
    for name, value in (extra or {}).items():
        if value is None:
            found.pop(name, None)
        else:
            found[name] = value
    return found


class Claims(TypedDict, total=False):
    """The keywords of `claims`, for what passes them on (their defaults are claims')."""

    subject: str | None
    doc_type: str | None
    doc_number: str | None
    client_id: str
    scopes: Iterable[str]
    country: str | None
    ttl: int
    issuer: str
    audience: str
    now: int | None
    extra: dict[str, Any] | None


def mint(*, alg: str = "RS256", keys: LocalKeys | None = None, **fields: Unpack[Claims]) -> str:
    """A token signed by the local key for `alg` (RS256 or ES256), `kid` in its header, of
    `claims(**fields)`."""
    payload = claims(**fields)
    signer = keys or _default_keys()
    return jwt.encode(payload, signer.private(alg), algorithm=alg, headers={"kid": signer.kid(alg)})


def customer_token(doc_type: str, doc_number: str, **kw: Any) -> str:
    return mint(doc_type=doc_type, doc_number=doc_number, **kw)


def agent_token(
    client_id: str = "call-centre", scopes: Iterable[str] = AGENT_SCOPES, **kw: Any
) -> str:
    return mint(client_id=client_id, scopes=scopes, **kw)


@cache
def _throwaway(alg: str) -> PrivateKey:
    return _generate(alg)


def other_key_token(*, alg: str = "RS256", keys: LocalKeys | None = None, **kw: Any) -> str:
    """The same claims as `mint(**kw)`, signed by a key nobody published under the real kid."""
    kid = (keys or _default_keys()).kid(alg)
    return jwt.encode(claims(**kw), _throwaway(alg), algorithm=alg, headers={"kid": kid})


class JwksServer(Served):
    """A JWKS endpoint on 127.0.0.1 in a thread; `hits` counts requests, `body` may be replaced."""

    def __init__(self, local_keys: LocalKeys, port: int = 0) -> None:
        self.body: bytes = json.dumps(local_keys.jwks()).encode()
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                found = self.path == JWKS_PATH
                body = server.body if found else b'{"message":"not found"}'
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        super().__init__(Handler, port)
        self.url = f"http://127.0.0.1:{self.port}{JWKS_PATH}"


@contextmanager
def serve_jwks(local_keys: LocalKeys | None = None, port: int = 0) -> Iterator[JwksServer]:
    """Serve the local JWKS at `JwksServer.url` for the duration of the block."""
    server = JwksServer(local_keys or keys(), port).start()
    try:
        yield server
    finally:
        server.stop()
