"""Every change that writes to the BSS (Backend tmf), under faults at the BSS on its first
write: before it is made (503), and after it is made with its answer lost (a 500, a dropped
connection, an answer later than the attempt may wait). The caller hears a 5xx errorBody
naming no upstream text; a retry with the same Idempotency-Key answers what a fault-free run
answers, and the customer's data at the BSS and in the service's tables ends exactly as
after that run: the change made once, never twice, never half."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from local import samples
from tests.faults.test_writes_under_faults import (
    case_for,
    country_of,
    customer_for,
    normalized_answer,
    send,
    tokens_in,
)
from tests.support.snapshots import Snapshot, changes, normalized

SERVICE_TABLES = ("PaperlessTable", "CheckoutTable")
# The changes of the contract whose outcome is a write to the back office. (A paperless
# change is the service's own; the invoices' hasPaperlessInvoice flag it then sets at the BSS
# is best effort, logged when it fails and set again by the next change: not here.)
BSS_WRITES = [
    s.operation_id
    for s in samples.SAMPLES
    if s.template.startswith(("/customer/", "/portfolio/"))
    or "recurringBillingInfo" in s.template
    or s.operation_id == "CreateInvoiceByContractId"
]
FAULTS = {  # at the BSS -> what the caller hears
    "503-before": ({"status": 503}, 503),
    "500-after": ({"status": 500, "after": True}, 502),
    "dropped-after": ({"drop": True, "after": True}, 503),
    "late-after": ({"delay": 4.0, "after": True}, 504),  # attempts give up at 3 s
}


class State:
    """One customer's data as it stands: at the BSS (its TMF resources) and in the
    service's own tables; put back with `restore`."""

    def __init__(self, standin: Any, stack: Any, customer: dict[str, Any]) -> None:
        self.bss = standin.countries[stack.country]
        self.who = (customer["documentType"], customer["customerId"])
        self.tables = [stack.table_name(name) for name in SERVICE_TABLES]
        self.saved = self.bss.snapshot(*self.who)
        self.rows = Snapshot(self.tables)
        self.resources = self.bss.resources(*self.who)

    def changed(self, tokens: list[str]) -> tuple[Any, Any]:
        now = self.bss.resources(*self.who)
        made = {key: value for key, value in now.items() if self.resources.get(key) != value}
        gone = sorted(set(self.resources) - set(now))
        return (made, gone), normalized(changes(self.rows, Snapshot(self.tables)), tokens)

    def restore(self) -> None:
        self.bss.restore(*self.who, self.saved)
        self.rows.restore()


def test_the_bss_writes_are_the_twelve_of_the_contract():
    """The filter above cannot drop one unnoticed (a renamed template, a sample gone)."""
    assert sorted(BSS_WRITES) == sorted(
        [
            "CreateInvoiceByContractId",
            "CreateRecurringBillingInfoByContractId",
            "UpdateRecurringBillingInfoByContractId",
            "DeleteRecurringBillingInfoByContractId",
            "AddOfferingByContractIdAndProductId",
            "DeleteOfferingByContractIdAndProductId",
            "AddPhonesContactInformationByContractId",
            "UpdatePhonesContactInformationByContractId",
            "RemovePhonesContactInformationByContractId",
            "AddEmailContactInformationByContractId",
            "UpdateEmailsContactInformationByContractId",
            "RemoveEmailContactInformationByContractId",
        ]
    )
    assert len(BSS_WRITES) == 12  # each once


@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
@pytest.mark.parametrize("operation_id", BSS_WRITES)
def test_a_bss_write_under_a_fault_is_made_once_by_its_retry(
    tmf_gateway, tmf_standin, operation_id, fault
):
    injected, status = FAULTS[fault]
    case = case_for(operation_id)
    customer = customer_for(country_of(operation_id), samples.BY_OPERATION[operation_id])
    stack = tmf_gateway.stacks[case.country]
    tmf_standin.clear()
    state = State(tmf_standin, stack, customer)
    try:
        tmf_standin.stats.served.clear()
        clean = send(tmf_gateway, case, uuid.uuid4().hex)
        assert clean.status == case.status, clean
        wrote = [k for k in tmf_standin.stats.served if not k.startswith("GET ")]
        assert wrote, f"{operation_id} made no write at the BSS"
        expected = state.changed(tokens_in(clean))
        state.restore()

        method, collection = wrote[0].split(" ", 1)  # its first write at the BSS
        tmf_standin.inject(method=method, path=collection, times=1, **injected)
        key = uuid.uuid4().hex
        first = send(tmf_gateway, case, key)
        if method == "DELETE" and fault != "500-after":
            # A DELETE is sent again on a 503, a dropped connection or a timeout (not on a
            # 500), with the same Idempotency-Key: the caller never notices.
            assert first.status == case.status, first
        else:
            assert (first.status, first.body["code"]) == (status, status), first
            assert "injected fault" not in str(first.body)
        tmf_standin.clear()

        retried = send(tmf_gateway, case, key)
        again = send(tmf_gateway, case, key)
        assert retried.status == again.status == case.status, retried
        assert again.body == retried.body
        tokens = tokens_in(retried)
        if operation_id.startswith("Remove") and fault.endswith("-after"):
            # A removal answers the entry as it was; its retry after the removal was made
            # (answer lost) reads it gone, and names only what was removed.
            field = "phone" if "Phone" in operation_id else "email"
            assert retried.body == {field: clean.body[field]}
        else:
            assert normalized_answer(retried, tokens) == normalized_answer(clean, tokens_in(clean))
        assert state.changed(tokens) == expected
    finally:
        tmf_standin.clear()
        state.restore()
