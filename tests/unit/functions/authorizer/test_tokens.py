"""Which tokens the authorizer lets through, and what API Gateway gets back for them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local import auth
from selfcare.identity import Caller
from tests.unit.functions.authorizer.conftest import STAGE_WILDCARD

CUSTOMER_SCOPES = "selfcare.read selfcare.write selfcare.pay"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict, payload: dict) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}."


def hand_signed(header: dict, payload: dict, secret: bytes) -> str:
    """An HMAC-SHA256 token built by hand (PyJWT refuses a PEM key as an HMAC secret)."""
    signing_input = unsigned(header, payload)[:-1]
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@pytest.fixture
def customer(local_keys):
    """A customer token of the local keys: `customer(**mint_args)`."""

    def make(doc_type: str = "cc", doc_number: str = "10307011", **kw) -> str:
        return auth.customer_token(doc_type, doc_number, keys=local_keys, **kw)

    return make


# --- Accepted -----------------------------------------------------------------------------


def test_customer_token_allows_the_whole_stage_with_the_canonical_document(authorizer, customer):
    assert authorizer(customer("cc", "1.020.304.050", subject="user-42")) == {
        "principalId": "user-42",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": STAGE_WILDCARD}
            ],
        },
        "context": {
            "principalType": "customer",
            "scope": CUSTOMER_SCOPES,
            "clientId": "mitigo-app",
            "documentType": "CC",
            "customerId": "1020304050",
        },
    }


@pytest.mark.parametrize(
    ("method_arn", "resource"),
    [
        (
            "arn:aws:execute-api:us-east-2:210987654321:zz9/v2/POST/v1/tigo/home/gt/x/y",
            "arn:aws:execute-api:us-east-2:210987654321:zz9/v2/*/*",
        ),
        (
            "arn:aws-cn:execute-api:cn-north-1:1:api/dev/GET/",
            "arn:aws-cn:execute-api:cn-north-1:1:api/dev/*/*",
        ),
    ],
)
def test_policy_covers_the_stage_of_the_method_arn(authorizer, customer, method_arn, resource):
    statement = authorizer(customer(), method_arn=method_arn)["policyDocument"]["Statement"]
    assert [s["Resource"] for s in statement] == [resource]


@pytest.mark.parametrize(
    "method_arn", ["", "arn:aws:s3:::bucket/x/y/z", "arn:aws:execute-api:r:1:api"]
)
def test_malformed_method_arn_allows_nothing(authorizer, customer, method_arn):
    with pytest.raises(ValueError, match="methodArn"):
        authorizer(customer(), method_arn=method_arn)


def test_functions_read_the_context_as_the_tokens_customer(authorizer, customer):
    answer = authorizer(customer("CC", "10307011"))
    # API Gateway hands the context to the functions with principalId added.
    caller = Caller.from_request_context(
        {"authorizer": {**answer["context"], "principalId": answer["principalId"]}}
    )
    assert caller.kind == "customer"
    assert caller.owns("CC", "10307011")
    assert not caller.owns("CC", "69901392")
    assert caller.scopes == {"selfcare.read", "selfcare.write", "selfcare.pay"}


@pytest.mark.parametrize(
    ("country", "doc_type", "number", "code", "canonical"),
    [
        ("gt", "dpi", "6922 05179 2006", "DPI", "6922051792006"),
        ("sv", "DUI", "07925688-0", "DUI", "07925688-0"),
        ("co", "nit", "800.197.268-4", "NIT", "800197268-4"),
    ],
)
def test_es256_customer_tokens_of_each_country(
    load_app, customer, country, doc_type, number, code, canonical
):
    context = load_app(COUNTRY=country)(customer(doc_type, number, alg="ES256"))["context"]
    assert (context["documentType"], context["customerId"]) == (code, canonical)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_agent_token(authorizer, local_keys, alg):
    token = auth.agent_token("canales-alternos", subject="svc-7", alg=alg, keys=local_keys)
    answer = authorizer(token)
    assert answer["principalId"] == "svc-7"
    assert answer["context"] == {
        "principalType": "agent",
        "scope": CUSTOMER_SCOPES + " selfcare.agent",
        "clientId": "canales-alternos",
    }


def test_agent_without_client_id_is_named_by_its_subject(authorizer, local_keys):
    token = auth.agent_token(subject="call-centre-bot", keys=local_keys, extra={"client_id": None})
    assert authorizer(token)["context"]["clientId"] == "call-centre-bot"


def test_scopes_from_scope_and_scp_are_merged_and_normalized(authorizer, customer):
    token = customer(
        scopes=["openid", "selfcare.pay", "selfcare.read", "selfcare.pay"],
        extra={"scp": ["selfcare.write", "profile"]},
    )
    assert authorizer(token)["context"]["scope"] == CUSTOMER_SCOPES


def test_customer_with_read_scope_only(authorizer, customer):
    assert authorizer(customer(scopes=["selfcare.read"]))["context"]["scope"] == "selfcare.read"


def test_country_claim_of_the_stack_in_any_case(authorizer, customer):
    assert authorizer(customer(country="CO"))["context"]["customerId"] == "10307011"


def test_audience_may_be_a_list_naming_the_api(authorizer, customer):
    token = customer(extra={"aud": ["other-api", auth.AUDIENCE]})
    assert authorizer(token)["context"]["principalType"] == "customer"


def test_usage_plan_key_by_client_id_or_default(load_app, customer, local_keys):
    authorizer = load_app(USAGE_PLAN_KEYS=json.dumps({"mitigo-app": "k-app", "*": "k-default"}))
    agent = auth.agent_token("canales-alternos", keys=local_keys)
    assert authorizer(customer())["usageIdentifierKey"] == "k-app"
    assert authorizer(agent)["usageIdentifierKey"] == "k-default"


def test_no_usage_plan_key_when_the_client_has_none(load_app, customer):
    authorizer = load_app(USAGE_PLAN_KEYS=json.dumps({"mitigo-web": "k-web"}))
    assert "usageIdentifierKey" not in authorizer(customer())


def test_clock_skew_within_leeway_is_tolerated(authorizer, customer):
    now = int(time.time())
    assert authorizer(customer(now=now - 3600 - 10))["context"]  # expired 10 s ago
    assert authorizer(customer(extra={"nbf": now + 10}))["context"]  # valid in 10 s
    assert authorizer(customer(now=now + 10))["context"]  # issued "in 10 s"


def test_leeway_comes_from_the_environment(load_app, customer):
    token = customer(now=int(time.time()) - 3600 - 45)  # expired 45 s ago
    assert load_app(JWT_LEEWAY_SECONDS="60")(token)["context"]
    assert load_app().refuse(token) == "expired"  # default 30 s


def test_bearer_scheme_in_any_case(authorizer, customer):
    assert authorizer(customer(), scheme="bearer ")["context"]["customerId"] == "10307011"


# --- Refused ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "token"),
    [("", "{token}"), ("Basic ", "{token}"), ("Bearer ", ""), ("Bearer", "{token}"),
     ("Bearer ", "{token} {token}")],
    ids=["no scheme", "basic", "empty", "no space", "two tokens"],
)  # fmt: skip
def test_no_bearer_token(authorizer, customer, scheme, token):
    assert authorizer.refuse(token.format(token=customer()), scheme=scheme) == "no bearer token"


@pytest.mark.parametrize(
    ("garbage", "reason"),
    [("garbage", "malformed"), ("a.b.c", "malformed"), ("e30.e30.", "alg not allowed"),
     ("x" * 9000, "no bearer token")],
    ids=["word", "dots", "empty header", "huge"],
)  # fmt: skip
def test_garbage(authorizer, garbage, reason):
    assert authorizer.refuse(garbage) == reason


def test_expired_beyond_leeway(authorizer, customer):
    assert authorizer.refuse(customer(now=int(time.time()) - 3600 - 60)) == "expired"


def test_not_yet_valid_beyond_leeway(authorizer, customer):
    now = int(time.time())
    assert authorizer.refuse(customer(extra={"nbf": now + 120})) == "not yet valid"
    assert authorizer.refuse(customer(now=now + 120)) == "not yet valid"  # iat


def test_wrong_issuer(authorizer, customer):
    assert authorizer.refuse(customer(issuer="https://evil.example/idp")) == "wrong issuer"


@pytest.mark.parametrize("audience", ["another-api", ["another-api"]])
def test_wrong_audience(authorizer, customer, audience):
    assert authorizer.refuse(customer(extra={"aud": audience})) == "wrong audience"


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub"])
def test_missing_required_claim(authorizer, customer, claim):
    assert authorizer.refuse(customer(extra={claim: None})) == "missing claim"


def test_empty_subject(authorizer, customer):
    assert authorizer.refuse(customer(subject="")) == "missing claim"


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_signed_by_another_key_under_the_published_kid(authorizer, local_keys, alg):
    token = auth.other_key_token(doc_type="cc", doc_number="10307011", alg=alg, keys=local_keys)
    assert jwt.get_unverified_header(token)["kid"] == local_keys.kid(alg)
    assert authorizer.refuse(token) == "bad signature"


def test_tampered_payload(authorizer, customer):
    header, _, signature = customer().split(".")
    payload = _b64(json.dumps(auth.claims(doc_type="cc", doc_number="69901392")).encode())
    assert authorizer.refuse(f"{header}.{payload}.{signature}") == "bad signature"


def test_unknown_or_missing_kid(authorizer, local_keys):
    payload = auth.claims(doc_type="cc", doc_number="10307011")
    unknown = jwt.encode(payload, local_keys.rsa_private, "RS256", headers={"kid": "nope"})
    missing = jwt.encode(payload, local_keys.rsa_private, "RS256")
    assert authorizer.refuse(unknown) == "unknown key"
    assert authorizer.refuse(missing) == "unknown key"


def test_algorithm_is_the_keys_not_the_headers(authorizer, local_keys):
    """An ES256 header naming the RSA key's kid."""
    payload = auth.claims(doc_type="cc", doc_number="10307011")
    kid = local_keys.kid("RS256")
    token = jwt.encode(payload, local_keys.ec_private, "ES256", headers={"kid": kid})
    assert authorizer.refuse(token) == "alg not allowed"


def test_alg_none_and_hmac_are_refused_before_any_key_lookup(authorizer, local_keys, jwks):
    payload = auth.claims(doc_type="cc", doc_number="10307011")
    kid = local_keys.kid("RS256")
    public_pem = local_keys.rsa_private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hs256 = {"alg": "HS256", "typ": "JWT", "kid": kid}
    tokens = [
        jwt.encode(payload, "", "none", headers={"kid": kid}),
        unsigned({"alg": "None", "kid": kid}, payload),
        unsigned({"kid": kid}, payload),
        jwt.encode(payload, "s" * 32, "HS256", headers={"kid": kid}),
        hand_signed(hs256, payload, public_pem),  # key confusion: the public key as secret
        jwt.encode(payload, "s" * 64, "HS512", headers={"kid": kid}),
        jwt.encode(payload, local_keys.rsa_private, "PS256", headers={"kid": kid}),
    ]
    assert [authorizer.refuse(token) for token in tokens] == ["alg not allowed"] * len(tokens)
    assert jwks.hits == 0


def test_invalid_document_for_the_country(load_app, customer):
    co, gt = load_app(COUNTRY="co"), load_app(COUNTRY="gt")
    assert co.refuse(customer("cc", "12AB")) == "invalid document"
    assert co.refuse(customer("dpi", "6922051792006")) == "invalid document"  # a type of gt
    assert gt.refuse(customer("dpi", "6922051782006")) == "invalid document"  # check digit
    assert co.refuse(customer(extra={"doc_number": None})) == "invalid document"
    assert co.refuse(customer(extra={"doc_number": 10307011})) == "invalid document"


def test_document_and_agent_scope_together(authorizer, customer):
    assert authorizer.refuse(customer(scopes=auth.AGENT_SCOPES)) == "document and agent scope"


def test_neither_document_nor_agent_scope(authorizer, local_keys):
    token = auth.mint(client_id="mitigo-app", keys=local_keys)
    assert authorizer.refuse(token) == "neither customer nor agent"


@pytest.mark.parametrize("country", ["gt", "sv", "", 57])
def test_country_claim_of_another_stack(authorizer, local_keys, country):
    token = auth.agent_token(keys=local_keys, extra={"country": country})
    assert authorizer.refuse(token) == "wrong country"


@pytest.mark.parametrize("scope", [42, ["selfcare.read", 1], {"selfcare.read": True}])
def test_malformed_scope_claim(authorizer, customer, scope):
    assert authorizer.refuse(customer(extra={"scope": scope})) == "bad scope claim"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.fixed_dictionaries(
        {"alg": st.sampled_from(["RS256", "ES256", "none", "HS256", ""]) | _json},
        optional={"kid": st.text(max_size=5) | _json, "crit": _json, "typ": _json},
    ),
    payload=_json,
    signature=st.binary(max_size=80),
)
def test_arbitrary_tokens_are_refused_never_failed(authorizer, header, payload, signature):
    """Whatever a caller sends is a 401, never an authorizer failure (503)."""
    token = ".".join(
        _b64(part)
        for part in (json.dumps(header).encode(), json.dumps(payload).encode(), signature)
    )
    assert authorizer.refuse(token)
