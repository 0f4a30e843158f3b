"""What a paperless change tells operations (billing.events.Events): one data point per
change worth the subscriptions it made or removed, and the invoice flags it could not set."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from billing import paperless
from billing.events import Events
from selfcare.adapters.items import MemoryItems
from selfcare.countries import get_country
from selfcare.errors import ServiceError
from selfcare.ports import ContractRef, Target
from selfcare.stores.paperless import PaperlessStore
from tests.support.metrics import Counted

CO = get_country("co")
CONTRACT = ContractRef("8001", "CC", "10307011", "BA-8001", "S-8001")
TARGETS = [Target("8001"), Target("8002"), Target("8003")]  # affectRelatedContracts
REQUEST = SimpleNamespace(
    email="ana@example.com",
    documentType=None,
    customerId=None,
    alternateEmail=None,
    phoneNumber=None,
    billingId=None,
)


class Flags:
    """The billing system's invoice flags as set, or its failure to set them."""

    def __init__(self, failure: Exception | None = None) -> None:
        self.failure = failure
        self.set: dict[str, bool] = {}

    def set_invoice_flags(self, contract_id: str, **flags: bool) -> None:
        if self.failure is not None:
            raise self.failure
        self.set[contract_id] = flags["hasPaperlessInvoice"]


def apply(store: PaperlessStore, action, events: Events, billing: Flags | None = None):
    change = paperless.Change(action, TARGETS, {"who": {"kind": "agent"}}, None)
    return paperless.apply(change, REQUEST, CONTRACT, CO, store, billing or Flags(), events)


@pytest.mark.parametrize(
    ("action", "points"),
    [
        ("create", [("PaperlessSubscriptions", 3)]),
        ("update", []),
        ("delete", [("PaperlessCancellations", 3)]),
    ],
)
def test_a_change_is_one_data_point_worth_every_subscription_it_reached(action, points):
    store = PaperlessStore(MemoryItems())
    if action != "create":
        apply(store, "create", Events())
    counted: list[tuple[str, int]] = []
    answer, status, _ = apply(
        store, action, Events(lambda name, value=1: counted.append((name, value)))
    )
    assert (answer["response"], status) == ("OK", paperless.STATUS[action])
    assert counted == points


def test_invoices_show_the_change_on_every_contract_it_reached():
    store, billing = PaperlessStore(MemoryItems()), Flags()
    apply(store, "create", Events(), billing)
    assert billing.set == dict.fromkeys(("8001", "8002", "8003"), True)
    apply(store, "delete", Events(), billing)
    assert billing.set == dict.fromkeys(("8001", "8002", "8003"), False)


def test_flags_not_set_are_reported_and_the_change_stands(caplog):
    store, log = PaperlessStore(MemoryItems()), logging.getLogger("tests.paperless")
    broken = Flags(ServiceError("billing system down at 10.1.2.3"))
    counted = Counted()
    events = Events(counted, log)
    with caplog.at_level("WARNING", logger=log.name):
        answer, status, headers = apply(store, "create", events, broken)
    assert (answer["response"], status, headers) == ("OK", 201, {"ETag": '"1"'})
    assert all(store.has_any(target.contract_id) for target in TARGETS)
    logged = [(r.name, r.levelname, r.getMessage(), r.contractId) for r in caplog.records]
    expected = (log.name, "WARNING", "Invoice flags not updated")
    assert logged == [(*expected, t.contract_id) for t in TARGETS]
    assert all(
        r.error == "ServiceError" and "10.1.2.3" not in str(r.__dict__) for r in caplog.records
    )
    reached = len(TARGETS)  # a subscription worth each contract; a report for each flag
    assert counted == ["PaperlessSubscriptions"] * reached + ["InvoiceFlagsNotUpdated"] * reached
