"""tests/integration/test_payu_checkout.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

import pytest

from tests.integration.test_payu_checkout import *  # noqa: F403 - the same tests, on the other backend


@pytest.fixture(scope="module")
def payu(embedded_aws, jwks, tmf_standin):
    """As the suite's own, on Backend tmf: a Colombian stack (stage payutmf) fronting the
    TMF stand-in, whose gateway secret names PayU (its local stand-in)."""
    import os
    from unittest import mock

    import boto3

    from local.gateway import Gateway
    from local.payu_standin import PayuStandIn, wsgi_deliver
    from local.server import build, identity_parameters, local_function_env
    from tests.conftest import AS_OF

    standin = PayuStandIn().start()
    stacks = build(("co",), AS_OF, identity_parameters(jwks.url), stage="payutmf", bss=tmf_standin)
    boto3.client("secretsmanager").put_secret_value(
        SecretId=stacks["co"].secret_name("GatewaySecret"), SecretString=standin.secret()
    )
    with mock.patch.dict(os.environ, standin.env()):
        gateway = Gateway(stacks, "co", local_function_env())
        standin.deliver = wsgi_deliver(gateway)
        yield gateway, standin
    standin.stop()
