"""The local identity provider: its keys, its JWKS, and the tokens it mints."""

from __future__ import annotations

import stat

import jwt
import pytest

from local import auth
from local import token as token_cli

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


@pytest.fixture
def local_keys(tmp_path):
    return auth.keys(tmp_path / "jwt")


def verify(token: str, jwks: dict, **kw) -> dict:
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(
        token, key, algorithms=["RS256", "ES256"], audience=auth.AUDIENCE, issuer=auth.ISSUER, **kw
    )


def test_keys_are_created_once_then_read_back(tmp_path):
    directory = tmp_path / "jwt"
    first = auth.keys(directory)
    files = sorted(p.name for p in directory.iterdir())
    stamps = {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}
    auth._keys.cache_clear()  # as a new process would
    again = auth.keys(directory)

    assert files == ["es256.pem", "rs256.pem"]
    assert again is not first
    assert again.jwks() == first.jwks()
    assert {p.name: p.stat().st_mtime_ns for p in directory.iterdir()} == stamps
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_written_first_by_another_process_is_kept(tmp_path):
    path = tmp_path / "rs256.pem"
    auth._write_once(path, b"first")
    auth._write_once(path, b"second")
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["rs256.pem"]  # no temp file left


def test_jwks_has_public_keys_only_each_named_by_its_thumbprint(local_keys):
    published = local_keys.jwks()["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in published] == [
        ("RSA", "RS256", "sig"),
        ("EC", "ES256", "sig"),
    ]
    for key in published:
        assert not PRIVATE_MEMBERS & key.keys()
        assert key["kid"] == auth.thumbprint(key) == local_keys.kid(key["alg"])
    assert local_keys.kid("RS256") != local_keys.kid("ES256")


def test_thumbprint_is_rfc_7638():
    example = {  # RFC 7638, section 3.1
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS"
        "oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQ"
        "R0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTW"
        "hAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert auth.thumbprint(example) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_minted_customer_token_verifies_against_the_jwks(local_keys, alg):
    token = auth.customer_token("cc", "10307011", alg=alg, country="co", keys=local_keys, now=1000)
    assert jwt.get_unverified_header(token) == {
        "alg": alg,
        "typ": "JWT",
        "kid": local_keys.kid(alg),
    }
    assert verify(token, local_keys.jwks(), options={"verify_exp": False}) == {
        "iss": auth.ISSUER,
        "aud": auth.AUDIENCE,
        "sub": "cc-10307011",
        "iat": 1000,
        "exp": 4600,
        "client_id": "mitigo-app",
        "scope": "selfcare.read selfcare.write selfcare.pay",
        "doc_type": "cc",
        "doc_number": "10307011",
        "country": "co",
    }


def test_agent_token_and_claim_overrides(local_keys):
    token = auth.agent_token(keys=local_keys, extra={"iat": None, "jti": "j-1"})
    claims = verify(token, local_keys.jwks())
    assert claims["client_id"] == claims["sub"] == "call-centre"
    assert claims["scope"].split() == [*auth.ALL_CUSTOMER_SCOPES, "selfcare.agent"]
    assert "iat" not in claims and claims["jti"] == "j-1"
    assert "doc_type" not in claims


def test_minted_token_verifies_through_a_served_jwks(local_keys):
    with auth.serve_jwks(local_keys) as server:
        client = jwt.PyJWKClient(server.url)
        for alg in ("RS256", "ES256"):
            token = auth.customer_token("cc", "10307011", alg=alg, keys=local_keys)
            key = client.get_signing_key_from_jwt(token)
            assert jwt.decode(token, key, algorithms=[alg], audience=auth.AUDIENCE)["sub"]
        assert server.hits == 1  # PyJWKClient caches the set


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_other_key_token_does_not_verify(local_keys, alg):
    token = auth.other_key_token(doc_type="cc", doc_number="10307011", alg=alg, keys=local_keys)
    assert jwt.get_unverified_header(token)["kid"] == local_keys.kid(alg)
    with pytest.raises(jwt.InvalidSignatureError):
        verify(token, local_keys.jwks())


def test_only_rs256_and_es256_are_minted(local_keys):
    with pytest.raises(ValueError, match="HS256"):
        auth.mint(alg="HS256", keys=local_keys)


# --- python -m local.token ----------------------------------------------------------------


def test_cli_customer_token_on_stdout_and_curl_without_it_on_stderr(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(auth, "_default_keys", lambda: auth.keys(tmp_path / "jwt"))
    argv = ["customer", "cc", "1.020.304.050", "--scopes", "selfcare.read", "--ttl", "60"]
    assert token_cli.main(argv) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    claims = verify(token, auth.keys(tmp_path / "jwt").jwks())
    assert (claims["doc_type"], claims["doc_number"], claims["scope"]) == (
        "CC",
        "1020304050",
        "selfcare.read",
    )
    assert claims["exp"] - claims["iat"] == 60
    assert "country" not in claims
    assert err.strip() == (
        'curl -H "Authorization: Bearer $TOKEN" '
        "http://127.0.0.1:3000/v1/tigo/home/co/billing/doc-type/cc/customers/1020304050/contracts/"
    )
    assert token not in err


def test_cli_agent_token_for_a_country(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(auth, "_default_keys", lambda: auth.keys(tmp_path / "jwt"))
    assert token_cli.main(["agent", "canales-alternos", "--country", "sv"]) == 0
    out, err = capsys.readouterr()
    claims = verify(out.strip(), auth.keys(tmp_path / "jwt").jwks())
    assert (claims["client_id"], claims["country"]) == ("canales-alternos", "sv")
    assert "selfcare.agent" in claims["scope"].split()
    assert "/v1/tigo/home/sv/" in err


def test_cli_refuses_a_document_invalid_for_the_country(capsys):
    with pytest.raises(SystemExit) as exited:
        token_cli.main(["customer", "dpi", "6922051792006", "--country", "co"])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "docTypeId" in err
