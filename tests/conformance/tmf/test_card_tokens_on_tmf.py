"""tests/integration/test_card_tokens.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

import pytest

from tests.integration.test_card_tokens import *  # noqa: F403 - the same tests, on the other backend


@pytest.fixture(scope="module")
def payu(embedded_aws, jwks, tmf_standin):
    """As the suite's own, on Backend tmf: a Colombian stack (stage payucardstmf) fronting
    the TMF stand-in, whose gateway secret names PayU (its local stand-in)."""
    import os
    from unittest import mock

    import boto3

    from local.gateway import Gateway
    from local.payu_standin import PayuStandIn
    from local.server import build, identity_parameters, local_function_env
    from tests.conftest import AS_OF

    standin = PayuStandIn().start()
    stack = build(
        ("co",), AS_OF, identity_parameters(jwks.url), stage="payucardstmf", bss=tmf_standin
    )["co"]
    secret = stack.secret_name("GatewaySecret")
    boto3.client("secretsmanager").put_secret_value(SecretId=secret, SecretString=standin.secret())
    with mock.patch.dict(os.environ, standin.env()):
        yield Gateway({"co": stack}, "co", local_function_env()), standin, stack, secret
    standin.stop()
