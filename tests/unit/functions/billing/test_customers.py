"""Customers and their contracts, as the billing function answers them: a customer by
document, the owner of a contract, and a customer's contracts (oldest first), each reached
only by who may see them."""

from __future__ import annotations

import pytest

from selfcare.errors import UpstreamTimeout
from selfcare.ports import CustomerRef
from tests.support.handlers import FakeDirectory, customer, function
from tests.support.owners import HOME, NEIGHBOUR, OFFICE, OTHER, OWNER

CUSTOMER = "/billing/doc-type/{docTypeId}/customers/{customerId}"
CONTRACTS = "/billing/doc-type/{docTypeId}/customers/{customerId}/contracts"
OWNER_OF = "/billing/contracts/{contractId}/customers"


def person(document: tuple[str, str], name: str) -> dict:
    return {"documentType": document[0], "customerId": document[1], "firstName": name,
            "lastName": "Gómez", "email": f"{name.lower()}@example.com"}  # fmt: skip


class Billing(FakeDirectory):
    """The directory and the billing system's customers and contracts (selfcare.ports)."""

    def __init__(self, people=None, failure=None) -> None:
        super().__init__(
            [HOME, OFFICE, NEIGHBOUR],
            [CustomerRef(*OWNER, ("8002", "8001")), CustomerRef(*OTHER, ("9001",)),
             CustomerRef("CC", "55500011", ())],
        )  # fmt: skip
        self.people = {OWNER: person(OWNER, "Ana"), OTHER: person(OTHER, "Luis")}
        self.people.update(people or {})
        self.failure = failure
        self.asked_contracts: list[tuple[str, ...]] = []

    def customer(self, document_type: str, customer_id: str) -> dict | None:
        if self.failure is not None:
            raise self.failure
        return self.people.get((document_type, customer_id))

    def contracts(self, contract_ids) -> list[dict]:
        self.asked_contracts.append(tuple(contract_ids))
        return [{"contractId": c, "status": "Activo"} for c in contract_ids]


@pytest.fixture
def backend():
    return Billing()


def test_a_customer_is_answered_by_their_document(billing):
    answer = billing.get(CUSTOMER, docTypeId="CC", customerId=OWNER[1])
    assert (answer.status, answer.body) == (200, person(OWNER, "Ana"))


def test_the_document_is_read_as_the_country_writes_it(billing):
    answer = billing.get(CUSTOMER, docTypeId="cc", customerId=OWNER[1])
    assert answer.status == 200 and answer.body["customerId"] == OWNER[1]


def test_a_customer_the_billing_system_does_not_know_is_a_404(billing):
    # known to the directory (a contract holder), not to the billing system
    answer = billing.get(CUSTOMER, docTypeId="CC", customerId="55500011")
    assert answer.status == 404
    assert answer.body == {"code": 404, "message": "No customer with CC 55500011"}
    unknown = billing.get(CUSTOMER, docTypeId="CC", customerId="12345678")
    assert unknown.status == 404 and "CC 12345678" in unknown.body["message"]


def test_a_malformed_document_is_a_400_naming_the_customer_id(billing):
    answer = billing.get(CUSTOMER, docTypeId="CC", customerId="12ab")
    assert answer.status == 400 and "customerId" in answer.body["message"]
    unknown_type = billing.get(CUSTOMER, docTypeId="XX", customerId=OWNER[1])
    assert unknown_type.status == 400 and unknown_type.body["code"] == 400


def test_a_contracts_owner_is_answered(billing):
    answer = billing.get(OWNER_OF, contractId="9001")
    assert (answer.status, answer.body) == (200, person(OTHER, "Luis"))
    assert billing.get(OWNER_OF, contractId="7777").status == 404


def test_a_customers_contracts_come_in_the_customers_order(billing, backend):
    answer = billing.get(CONTRACTS, docTypeId="CC", customerId=OWNER[1])
    assert answer.status == 200
    assert [c["contractId"] for c in answer.body] == ["8002", "8001"]
    assert backend.asked_contracts == [("8002", "8001")]  # in one read


def test_a_customer_without_contracts_has_an_empty_list(billing):
    answer = billing.get(CONTRACTS, docTypeId="CC", customerId="55500011")
    assert (answer.status, answer.body) == (200, [])


def test_a_customer_sees_only_themselves(billing):
    own = customer(*OWNER)
    assert billing.get(CUSTOMER, docTypeId="CC", customerId=OWNER[1], authorizer=own).status == 200
    assert billing.get(OWNER_OF, contractId="8001", authorizer=own).status == 200
    for answer in (
        billing.get(CUSTOMER, docTypeId="CC", customerId=OTHER[1], authorizer=own),
        billing.get(CONTRACTS, docTypeId="CC", customerId=OTHER[1], authorizer=own),
        billing.get(OWNER_OF, contractId="9001", authorizer=own),
    ):
        assert answer.status == 403
        assert answer.body == {
            "code": 403,
            "message": "This resource does not belong to the caller",
        }


def test_a_billing_system_that_does_not_answer_in_time_is_a_504(monkeypatch):
    slow = Billing(failure=UpstreamTimeout("The billing system did not answer in time"))
    billing = function("billing", monkeypatch, slow)
    answer = billing.get(CUSTOMER, docTypeId="CC", customerId=OWNER[1])
    assert answer.status == 504
    assert answer.body == {"code": 504, "message": "The billing system did not answer in time"}
