"""The warm part's own machinery, in process: the stores put back after a change no route
undoes, and committed events asked in another country."""

from __future__ import annotations

from bench.common import AS_OF, ID_TYPE_COUNTRY, operations
from bench.warm import CHANGES, Fakes, _asked_in
from local import demo
from local.samples import BY_OPERATION
from selfcare.adapters.items import MemoryItems, Write


def test_saved_stores_are_put_back_as_they_were_every_time():
    store = MemoryItems([{"pk": "A", "sk": "1", "v": 1}])
    other = MemoryItems()
    fakes = Fakes([store, other])
    restore = fakes.saved()
    for _ in range(2):
        store.write(Write.put({"pk": "A", "sk": "1", "v": 2}), Write.put({"pk": "A", "sk": "2"}))
        other.write(Write.put({"pk": "B", "sk": "1"}))
        restore()
        assert store.query("A") == [{"pk": "A", "sk": "1", "v": 1}]
        assert other.query("B") == []
    store.write(Write.delete("A", "1"))
    restore()
    assert store.get("A", "1") == {"pk": "A", "sk": "1", "v": 1}
    assert fakes.calls() == store.calls + other.calls > 0


def test_an_id_type_read_is_asked_in_guatemala_on_a_contract_of_its_dataset():
    op = next(
        o
        for o in operations()
        if o.operation_id == "GetPaperlessInvoiceInfoByContractIdAndIdTypeAndId"
    )
    values = demo.path_values(ID_TYPE_COUNTRY, AS_OF, op.template)
    event = _asked_in(op.event(), ID_TYPE_COUNTRY, values)
    parameters = event["pathParameters"]
    assert parameters["country"] == ID_TYPE_COUNTRY == "gt"
    assert parameters["idType"] == "subscriptions" and parameters["id"] == values["id"]
    path = f"/v1/tigo/home/gt/billing/contracts/{values['contractId']}/subscriptions/{values['id']}"
    assert event["path"] == event["requestContext"]["path"] == f"{path}/paperlessInvoiceInfo"
    assert op.event()["pathParameters"]["country"] == "co"  # the committed event is untouched


def test_every_measured_change_has_a_declared_success_status_and_a_way_to_repeat():
    for changes in CHANGES.values():
        for change in changes:
            assert BY_OPERATION[change.first].status in (200, 201)
            if change.second is not None:
                assert change.undo is not None and not change.reset
                assert BY_OPERATION[change.second].status in (200, 201)
    billing = {c.first: c for c in CHANGES["billing"]}
    assert billing["CreateCheckOutForContractIdAndInvoiceId"].reset
    assert billing["CreateInvoiceByContractId"].reset
