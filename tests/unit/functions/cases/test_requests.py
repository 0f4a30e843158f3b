"""The cases function as a caller sees it: a contract's service requests, a customer's (of
every contract, newest first) and the customer's scheduled visits, each reached only by
who may see them, with an errorBody for what does not exist or cannot be read now."""

from __future__ import annotations

import pytest

from selfcare.errors import Unavailable
from selfcare.ports import CustomerRef
from tests.support.handlers import FakeDirectory, customer, function
from tests.support.owners import HOME, NEIGHBOUR, OFFICE, OTHER, OWNER

BY_CONTRACT = "/cases/contracts/{contractId}/servicerequests"
BY_CUSTOMER = "/cases/doc-type/{docTypeId}/customers/{customerId}/servicerequests"
VISITS = "/cases/doc-type/{docTypeId}/customers/{customerId}/scheduledvisits"


def request(number: str, created: str, contract: str) -> dict:
    return {"serviceRequestId": number, "creationDate": created, "contractId": contract,
            "status": "Abierto", "duration": 1.5}  # fmt: skip


class Cases(FakeDirectory):
    """The directory and the case system (selfcare.ports.CaseSystem)."""

    def __init__(self, requests=None, visits=None, failure=None) -> None:
        super().__init__(
            [HOME, OFFICE, NEIGHBOUR],
            [CustomerRef(*OWNER, ("8001", "8002")), CustomerRef(*OTHER, ("9001",)),
             CustomerRef("CC", "55500011", ())],
        )  # fmt: skip
        self.requests = requests or {}
        self.visits = visits or {}
        self.failure = failure

    def service_requests(self, contract_id: str) -> list[dict]:
        if self.failure is not None:
            raise self.failure
        return list(self.requests.get(contract_id, []))

    def service_requests_of(self, contract_ids) -> list[dict]:
        return [r for contract_id in contract_ids for r in self.service_requests(contract_id)]

    def scheduled_visits(self, document_type: str, customer_id: str) -> dict | None:
        return self.visits.get((document_type, customer_id))


HOME_REQUESTS = [request("SR-1", "2026-10-02T09:00:00", "8001"),
                 request("SR-3", "2026-11-20T15:30:00", "8001")]  # fmt: skip
OFFICE_REQUESTS = [request("SR-2", "2026-11-01T08:00:00", "8002")]


@pytest.fixture
def cases(monkeypatch):
    backend = Cases({"8001": HOME_REQUESTS, "8002": OFFICE_REQUESTS})
    return function("cases", monkeypatch, backend)


def test_a_contracts_service_requests_are_answered_as_the_case_system_keeps_them(cases):
    answer = cases.get(BY_CONTRACT, contractId="8001")
    assert answer.status == 200
    assert answer.body == HOME_REQUESTS


def test_a_contract_without_service_requests_answers_an_empty_list(monkeypatch):
    cases = function("cases", monkeypatch, Cases())
    answer = cases.get(BY_CONTRACT, contractId="8002")
    assert (answer.status, answer.body) == (200, [])


def test_an_unknown_contract_is_a_404_error_body(cases):
    answer = cases.get(BY_CONTRACT, contractId="7777")
    assert answer.status == 404
    assert answer.body == {"code": 404, "message": "No contract 7777"}


def test_a_malformed_contract_id_is_a_400_naming_it(cases):
    answer = cases.get(BY_CONTRACT, contractId="80 01")
    assert answer.status == 400 and "contractId" in answer.body["message"]


def test_a_customers_service_requests_span_every_contract_newest_first(cases):
    answer = cases.get(BY_CUSTOMER, docTypeId="CC", customerId=OWNER[1])
    assert answer.status == 200
    assert [r["serviceRequestId"] for r in answer.body] == ["SR-3", "SR-2", "SR-1"]
    assert answer.body[0] == HOME_REQUESTS[1]  # as kept, not reshaped


def test_a_customer_without_contracts_has_no_service_requests(cases):
    answer = cases.get(BY_CUSTOMER, docTypeId="CC", customerId="55500011")
    assert (answer.status, answer.body) == (200, [])


def test_the_document_type_is_read_in_any_case(cases):
    answer = cases.get(BY_CUSTOMER, docTypeId="cc", customerId=OWNER[1])
    assert answer.status == 200 and len(answer.body) == 3


def test_an_unknown_customer_is_a_404_and_a_malformed_document_a_400(cases):
    unknown = cases.get(BY_CUSTOMER, docTypeId="CC", customerId="12345678")
    assert unknown.status == 404 and unknown.body["code"] == 404
    assert "CC 12345678" in unknown.body["message"]
    malformed = cases.get(BY_CUSTOMER, docTypeId="CC", customerId="12ab")
    assert malformed.status == 400 and "customerId" in malformed.body["message"]


def test_a_customer_reads_their_own_and_nobody_elses(cases):
    own = customer(*OWNER)
    assert cases.get(BY_CONTRACT, contractId="8002", authorizer=own).status == 200
    assert cases.get(BY_CUSTOMER, docTypeId="CC", customerId=OWNER[1], authorizer=own).status == 200
    theirs = cases.get(BY_CONTRACT, contractId="9001", authorizer=own)
    assert theirs.status == 403 and theirs.body["code"] == 403
    # a contract that does not exist answers the same: no id is revealed
    missing = cases.get(BY_CONTRACT, contractId="7777", authorizer=own)
    assert (missing.status, missing.body) == (theirs.status, theirs.body)
    visits = cases.get(VISITS, docTypeId="CC", customerId=OTHER[1], authorizer=own)
    assert visits.status == 403


def test_without_a_token_or_the_read_scope_nothing_is_answered(cases):
    assert cases.get(BY_CONTRACT, contractId="8001", authorizer=None).status == 401
    writer = customer(*OWNER, scope="selfcare.write")
    refused = cases.get(BY_CONTRACT, contractId="8001", authorizer=writer)
    assert refused.status == 403 and "selfcare.read" in refused.body["message"]


def test_another_countrys_path_is_not_served(cases):
    answer = cases.get(BY_CONTRACT, contractId="8001", country="gt")
    assert answer.status == 404 and "'co'" in answer.body["message"]


def test_scheduled_visits_are_the_customers(monkeypatch):
    visits = {"customerId": OWNER[1],
              "scheduledVisitList": [{"visitId": "V-1", "date": "2026-12-05"}]}  # fmt: skip
    cases = function("cases", monkeypatch, Cases(visits={OWNER: visits}))
    answer = cases.get(VISITS, docTypeId="CC", customerId=OWNER[1])
    assert (answer.status, answer.body) == (200, visits)


def test_a_customer_without_scheduled_visits_gets_an_empty_list(cases):
    answer = cases.get(VISITS, docTypeId="CC", customerId=OTHER[1])
    assert answer.status == 200
    assert answer.body == {"customerId": OTHER[1], "scheduledVisitList": []}


def test_a_case_system_that_cannot_answer_is_a_503_error_body(monkeypatch):
    down = Cases(failure=Unavailable("The case system is unavailable"))
    cases = function("cases", monkeypatch, down)
    answer = cases.get(BY_CONTRACT, contractId="8001")
    assert answer.status == 503
    assert answer.body == {"code": 503, "message": "The case system is unavailable"}
