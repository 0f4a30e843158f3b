"""Call detail records of a contract's voice line, as a caller asks for them: between two
dates (both inclusive, at most 366 days apart), for a line of the contract given as a
national number or in E.164, and only the local ones where the country itemizes them."""

from __future__ import annotations

from datetime import date

import pytest

from selfcare.ports import ContractRef, CustomerRef
from tests.support.handlers import FakeDirectory, customer, function

OWNER = ("CC", "1020304050")
LINE = "6015550101"
HOME = ContractRef("8001", *OWNER, "BA-8001", "S-8001", (LINE,))
NEIGHBOUR = ContractRef("9001", "CC", "79000111", "BA-9001", "S-9001", ("6015550199",))
CALLS = "/billing/contracts/{contractId}/measuringElement/{measuringElement}/calls"
LOCAL = "/billing/contracts/{contractId}/measuringElement/{measuringElement}/localcalls"
NOVEMBER = {"fromDate": "2026-11-01", "toDate": "2026-11-30"}


def call(n: int, destination: str) -> dict:
    return {"callId": f"CALL-{n}", "startDate": f"2026-11-{n:02d}T10:00:00",
            "destinationNumber": "3001234567", "destinationType": destination,
            "duration": 3}  # fmt: skip


RECORDS = [call(1, "Local"), call(2, "Nacional"), call(3, "Local"), call(4, "Internacional")]


class Billing(FakeDirectory):
    """The directory and the billing system's call records (selfcare.ports.BillingSystem),
    keeping what it was asked."""

    def __init__(self, contracts=(HOME, NEIGHBOUR)) -> None:
        owners = {(c.document_type, c.customer_id) for c in contracts}
        super().__init__(contracts, [CustomerRef(d, n, ()) for d, n in owners])
        self.asked: list[tuple[str, str, date, date]] = []

    def calls(self, contract_id: str, line: str, start: date, end: date) -> list[dict]:
        self.asked.append((contract_id, line, start, end))
        return list(RECORDS)


@pytest.fixture
def backend():
    return Billing()


def test_the_calls_of_a_line_between_two_dates_are_answered(billing, backend):
    answer = billing.get(CALLS, contractId="8001", measuringElement=LINE, query=NOVEMBER)
    assert (answer.status, answer.body) == (200, RECORDS)
    assert backend.asked == [("8001", LINE, date(2026, 11, 1), date(2026, 11, 30))]


def test_a_line_in_e164_is_the_same_line(billing, backend):
    answer = billing.get(CALLS, contractId="8001", measuringElement=f"+57{LINE}", query=NOVEMBER)
    assert answer.status == 200 and answer.body == RECORDS
    assert backend.asked[0][1] == LINE


def test_one_day_and_a_range_of_366_days_are_answered(billing, backend):
    one_day = {"fromDate": "2026-11-15", "toDate": "2026-11-15"}
    assert billing.get(CALLS, contractId="8001", measuringElement=LINE, query=one_day).status == 200
    longest = {"fromDate": "2025-11-30", "toDate": "2026-12-01"}  # 366 days apart
    assert billing.get(CALLS, contractId="8001", measuringElement=LINE, query=longest).status == 200
    assert [(start, end) for _, _, start, end in backend.asked] == [
        (date(2026, 11, 15), date(2026, 11, 15)),
        (date(2025, 11, 30), date(2026, 12, 1)),
    ]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"toDate": "2026-11-30"}, "fromDate"),
        ({"fromDate": "2026-11-01"}, "toDate"),
        ({}, "fromDate"),
        ({"fromDate": "01/11/2026", "toDate": "2026-11-30"}, "fromDate"),
        ({"fromDate": "2026-11-01", "toDate": "2026-02-30"}, "toDate"),
        ({"fromDate": "2026-11-01", "toDate": "2026-10-31"}, "toDate"),  # ends before it starts
        ({"fromDate": "2025-11-29", "toDate": "2026-12-01"}, "toDate"),  # 367 days apart
    ],
)
def test_a_missing_malformed_or_wrong_range_is_a_400_naming_the_date(
    billing, backend, query, named
):
    answer = billing.get(CALLS, contractId="8001", measuringElement=LINE, query=query)
    assert answer.status == 400
    assert answer.body["code"] == 400 and f"'{named}'" in answer.body["message"]
    assert backend.asked == []  # nothing was asked of the billing system


def test_a_line_the_contract_does_not_have_is_a_404(billing, backend):
    answer = billing.get(CALLS, contractId="8001", measuringElement="6015550199", query=NOVEMBER)
    assert answer.status == 404
    assert answer.body == {"code": 404, "message": "Line 6015550199 has no data in contract 8001"}
    assert backend.asked == []


def test_another_countrys_calling_code_is_not_taken_for_ours(billing, backend):
    answer = billing.get(CALLS, contractId="8001", measuringElement=f"+502{LINE}", query=NOVEMBER)
    assert answer.status == 404 and backend.asked == []


def test_a_malformed_line_is_a_400_naming_it(billing):
    answer = billing.get(CALLS, contractId="8001", measuringElement="60-15", query=NOVEMBER)
    assert answer.status == 400 and "measuringElement" in answer.body["message"]


def test_local_calls_are_only_the_local_ones(billing):
    answer = billing.get(LOCAL, contractId="8001", measuringElement=LINE, query=NOVEMBER)
    assert answer.status == 200
    assert [c["callId"] for c in answer.body] == ["CALL-1", "CALL-3"]
    assert all(c["destinationType"] == "Local" for c in answer.body)


def test_where_local_calls_are_not_itemized_they_are_a_404_and_all_calls_are_answered(monkeypatch):
    line = "22101010"
    contract = ContractRef("5001", "DUI", "012345678", "BA-5001", "S-5001", (line,))
    backend = Billing((contract,))
    billing = function("billing", monkeypatch, backend, country="sv")
    local = billing.get(LOCAL, contractId="5001", measuringElement=line, query=NOVEMBER)
    assert local.status == 404 and "El Salvador" in local.body["message"]
    assert backend.asked == []
    every = billing.get(CALLS, contractId="5001", measuringElement=f"+503{line}", query=NOVEMBER)
    assert (every.status, every.body) == (200, RECORDS)
    assert backend.asked[0][1] == line


def test_a_customer_sees_the_calls_of_their_own_lines_only(billing):
    own = customer(*OWNER)
    mine = billing.get(CALLS, contractId="8001", measuringElement=LINE, query=NOVEMBER,
                       authorizer=own)  # fmt: skip
    assert mine.status == 200
    theirs = billing.get(CALLS, contractId="9001", measuringElement="6015550199", query=NOVEMBER,
                         authorizer=own)  # fmt: skip
    assert theirs.status == 403 and theirs.body["code"] == 403
