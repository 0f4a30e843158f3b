import pytest

from selfcare.access import CachedDirectory, resolve
from selfcare.countries import get_country
from selfcare.errors import Forbidden, InvalidParameter, NotFound
from selfcare.identity import Caller
from selfcare.ports import ContractRef, CustomerRef

CO = get_country("co")
OWNER = ContractRef("12345678", "CC", "1020304050", "900100", "S-1", ("6014567890",))
CUSTOMER = CustomerRef("CC", "1020304050", ("12345678",))


class Directory:
    def __init__(self):
        self.calls = 0

    def find_contract(self, contract_id):
        self.calls += 1
        return OWNER if contract_id == OWNER.contract_id else None

    def find_customer(self, document_type, customer_id):
        self.calls += 1
        return CUSTOMER if (document_type, customer_id) == ("CC", "1020304050") else None

    def find_billing_account(self, billing_account_id):
        self.calls += 1
        return OWNER if billing_account_id == "900100" else None


ANON = Caller.from_request_context({})


def test_contract_and_customer_are_resolved():
    scope = resolve({"country": "co", "contractId": "12345678"}, ANON, CO, Directory())
    assert scope.need_contract() == OWNER and scope.customer is None
    scope = resolve({"docTypeId": "Cc", "customerId": "1.020.304.050"}, ANON, CO, Directory())
    assert scope.need_customer() == CUSTOMER


def test_billing_accounts_resolve_to_their_contract():
    scope = resolve({"billingAccountId": "900100", "invoiceId": "1"}, ANON, CO, Directory())
    assert scope.need_contract() == OWNER


@pytest.mark.parametrize(
    "path",
    [
        {"contractId": "99999999"},
        {"docTypeId": "cc", "customerId": "1020304051"},
        {"billingAccountId": "1"},
        {"country": "gt", "contractId": "12345678"},
    ],
)
def test_unknown_ids_and_other_countries_answer_404(path):
    with pytest.raises(NotFound):
        resolve(path, ANON, CO, Directory())


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ({"docTypeId": "dpi", "customerId": "1"}, "docTypeId"),
        ({"docTypeId": "nit", "customerId": "800197268-5"}, "customerId"),
        ({"contractId": "../etc"}, "contractId"),
    ],
)
def test_malformed_ids_answer_400_naming_them(path, name):
    with pytest.raises(InvalidParameter) as error:
        resolve(path, ANON, CO, Directory())
    assert error.value.parameter == name


def test_a_customer_token_reaches_only_its_own_contracts():
    other = Caller(kind="customer", document_type="CC", customer_id="79000001")
    mine = Caller(kind="customer", document_type="CC", customer_id="1020304050")
    assert resolve({"contractId": "12345678"}, mine, CO, Directory()).contract == OWNER
    with pytest.raises(Forbidden):
        resolve({"contractId": "12345678"}, other, CO, Directory())
    agent = Caller(kind="agent", client_id="call-centre")
    assert resolve({"contractId": "12345678"}, agent, CO, Directory()).contract == OWNER


def test_cached_directory_remembers_hits_not_misses():
    directory = Directory()
    cached = CachedDirectory(directory)
    for _ in range(3):
        assert cached.find_contract("12345678") == OWNER
        assert cached.find_contract("00000000") is None
    assert directory.calls == 1 + 3
