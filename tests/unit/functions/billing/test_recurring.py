"""Recurring billing logic over the sandbox backend in memory: the contract's paymentMethod
codes, and a change that stands (and answers success) when reflecting it on the invoices
fails afterwards."""

from __future__ import annotations

import logging
from datetime import date
from functools import cache
from typing import Any

import pytest

from billing import recurring
from billing.events import Events
from selfcare.adapters.items import MemoryItems, Write
from selfcare.adapters.sandbox import layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country
from selfcare.errors import InvalidParameter, Unavailable
from selfcare.models.billing import RecurringBillingInfoRequest
from selfcare.ports import ContractRef
from tests.support.metrics import Counted

AS_OF = date(2026, 10, 15)
Record = dict[str, Any]


@cache
def dataset(country: str) -> Record:
    return generate_dataset(country, AS_OF, 30)


def holder(country: str) -> tuple[ContractRef, str]:
    """A contract (several invoices, no recurring billing) whose holder has a card token."""
    for customer in dataset(country)["customers"]:
        contract = customer["contracts"][0]
        if (
            customer.get("cardTokens")
            and len(contract["invoices"]) > 1
            and not any(c.get("recurringBilling") for c in customer["contracts"])
        ):
            ref = ContractRef(
                contract["contractId"], customer["documentType"], customer["customerId"], "", ""
            )
            return ref, customer["cardTokens"][0]["cardToken"]
    raise LookupError("no such holder in the dataset")


def request(**body: Any) -> RecurringBillingInfoRequest:
    return RecurringBillingInfoRequest.model_validate(body)


def describe(country: str, **body: Any) -> tuple[Record, str | None]:
    backend = SandboxBackend(MemoryItems(layout.dataset_items(dataset(country))))
    contract, _ = holder(country)
    return recurring.describe(backend, contract, get_country(country), request(**body), AS_OF)


@pytest.mark.parametrize("method", ["3", "CREDIT", "debit", " 2", ""])
@pytest.mark.parametrize("with_token", [True, False])
def test_an_unknown_payment_method_is_400_naming_it(method, with_token):
    body: dict[str, Any] = {"recurringBillingInfo": {"paymentMethod": method}}
    if with_token:
        body["cardToken"] = holder("co")[1]
    with pytest.raises(InvalidParameter) as refused:
        describe("co", **body)
    assert refused.value.parameter == "recurringBillingInfo.paymentMethod"


def test_the_contracts_codes_are_kept():
    token = holder("gt")[1]
    info, _ = describe("gt", cardToken=token, recurringBillingInfo={"paymentMethod": "1"})
    assert info["paymentMethod"] == "1"
    info, _ = describe("gt", cardToken=token)
    assert info["paymentMethod"] == "2"  # a card is credit unless told otherwise
    debit = {"paymentMethod": "1", "cardInfo": "4321", "cardIssuingBank": "Bancolombia"}
    info, found = describe("co", recurringBillingInfo=debit)
    assert (info["paymentMethod"], info["cardInfo"], found) == ("1", "4321", None)
    with pytest.raises(InvalidParameter) as refused:  # a known code, but no debit there
        describe("sv", recurringBillingInfo=debit)
    assert refused.value.parameter == "cardToken"


class FlagWritesFail(MemoryItems):
    """A store whose lone writes of an invoice fail (while `failing`): the flags reflected
    after the change."""

    failing = True

    def write(self, *writes: Write) -> None:
        if self.failing and len(writes) == 1 and writes[0].sk.startswith(layout.INVOICE):
            raise Unavailable("The backend is busy; retry shortly")
        super().write(*writes)


def test_a_failure_to_flag_the_invoices_leaves_the_change_and_its_success(caplog):
    items = FlagWritesFail(layout.dataset_items(dataset("gt")))
    backend = SandboxBackend(items)
    contract, token = holder("gt")
    info, _ = describe("gt", cardToken=token)
    counted = Counted()
    events = Events(counted)
    with caplog.at_level(logging.WARNING, logger=events.log.name):
        enrolled = recurring.enrol(backend, contract, info, token, events)
    assert enrolled["response"] == "OK"
    assert backend.recurring_card_token(contract.contract_id) == token
    newest, *older = backend.invoices(contract.contract_id)
    assert newest["hasRecurringBilling"] is True  # with the change, in one transaction
    assert any(not i["hasRecurringBilling"] for i in older)  # these writes failed
    (warning,) = caplog.records
    assert warning.levelname == "WARNING" and warning.contractId == contract.contract_id
    assert warning.error == "Unavailable"
    assert token not in warning.getMessage() + repr(warning.__dict__)
    assert counted == ["InvoiceFlagsNotUpdated"]  # alarmed: operations see the drift
    items.failing = False
    recurring.reflect_on_invoices(backend, contract.contract_id)  # a later change converges
    assert all(i["hasRecurringBilling"] for i in backend.invoices(contract.contract_id))
    items.failing = True
    with caplog.at_level(logging.WARNING, logger=events.log.name):
        ended = recurring.end(backend, contract, token, events)
    assert ended["response"] == "OK" and backend.recurring_billing(contract.contract_id) is None
    assert backend.invoices(contract.contract_id)[0]["hasRecurringBilling"] is False
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING"]
    assert counted == ["InvoiceFlagsNotUpdated"] * 2


def test_the_invoices_follow_the_change_when_nothing_fails():
    backend = SandboxBackend(MemoryItems(layout.dataset_items(dataset("gt"))))
    contract, token = holder("gt")
    info, _ = describe("gt", cardToken=token)
    recurring.enrol(backend, contract, info, token)
    assert all(i["hasRecurringBilling"] for i in backend.invoices(contract.contract_id))
    recurring.end(backend, contract, token)
    assert not any(i["hasRecurringBilling"] for i in backend.invoices(contract.contract_id))
