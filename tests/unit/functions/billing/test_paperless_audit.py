"""What the audit keeps of a paperless change: the app is one the contract names."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from billing import paperless
from selfcare.errors import InvalidParameter
from selfcare.identity import Caller


def request(**fields):
    base = dict(
        registeringAppName=None,
        customerIpAddress=None,
        unsubscribeReasonId=None,
        updateReason=None,
    )
    return SimpleNamespace(**(base | fields))


AGENT = Caller.from_request_context(
    {"authorizer": {"principalType": "agent", "clientId": "call-centre", "scopes": ""}}
)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("MiTigoWeb", "MiTigoWeb"), (" canalesalternos ", "CanalesAlternos"), (None, None)],
)
def test_the_registering_app_is_kept_as_the_contract_spells_it(sent, kept):
    details = paperless.audit_details(AGENT, request(registeringAppName=sent))
    assert details.get("registeringAppName") == kept


@pytest.mark.parametrize("sent", ["OtraApp", "", "MiTigo Web"])
def test_another_app_is_refused_naming_the_field(sent):
    with pytest.raises(InvalidParameter) as refused:
        paperless.audit_details(AGENT, request(registeringAppName=sent))
    assert "registeringAppName" in str(refused.value.message)
