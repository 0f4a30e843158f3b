import pytest

from selfcare import scopes
from selfcare.access import CachedDirectory, resolve
from selfcare.countries import get_country
from selfcare.errors import Forbidden, InvalidParameter, NotFound, Unauthorized
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


ALL_SCOPES = frozenset(scopes.ALL)
AGENT = Caller(kind="agent", client_id="call-centre", scopes=ALL_SCOPES)  # sees the whole country
MINE = Caller(kind="customer", document_type="CC", customer_id="1020304050", scopes=ALL_SCOPES)
OTHER = Caller(kind="customer", document_type="CC", customer_id="79000001", scopes=ALL_SCOPES)


def test_contract_and_customer_are_resolved():
    scope = resolve({"country": "co", "contractId": "12345678"}, AGENT, CO, Directory())
    assert scope.need_contract() == OWNER and scope.customer is None
    scope = resolve({"docTypeId": "Cc", "customerId": "1.020.304.050"}, AGENT, CO, Directory())
    assert scope.need_customer() == CUSTOMER


def test_billing_accounts_resolve_to_their_contract():
    scope = resolve({"billingAccountId": "900100", "invoiceId": "1"}, AGENT, CO, Directory())
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
        resolve(path, AGENT, CO, Directory())


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
        resolve(path, AGENT, CO, Directory())
    assert error.value.parameter == name


def test_a_customer_token_reaches_only_its_own_contracts_and_document():
    assert resolve({"contractId": "12345678"}, MINE, CO, Directory()).contract == OWNER
    assert resolve({"docTypeId": "cc", "customerId": "1020304050"}, MINE, CO, Directory())
    for path in (
        {"contractId": "12345678"},
        {"billingAccountId": "900100"},
        {"docTypeId": "cc", "customerId": "1020304050"},
    ):
        with pytest.raises(Forbidden):
            resolve(path, OTHER, CO, Directory())


def test_customers_cannot_tell_unknown_ids_from_someone_elses():
    answers = []
    for contract_id in ("12345678", "99999999"):
        with pytest.raises(Forbidden) as error:
            resolve({"contractId": contract_id}, OTHER, CO, Directory())
        answers.append((error.value.status, error.value.message))
    assert answers[0] == answers[1]
    directory = Directory()
    with pytest.raises(Forbidden):
        resolve({"docTypeId": "cc", "customerId": "1020304051"}, MINE, CO, directory)
    assert directory.calls == 0  # refused before looking anything up


@pytest.mark.parametrize(
    ("method", "resource", "needed"),
    [
        ("GET", "/v1/tigo/home/{country}/billing/contracts/{contractId}/invoices/", scopes.READ),
        (
            "POST",
            "/v1/tigo/home/{country}/billing/contracts/{contractId}/paperlessInvoiceInfo",
            scopes.WRITE,
        ),
        (
            "DELETE",
            "/v1/tigo/home/{country}/portfolio/contracts/{contractId}/products/{productId}",
            scopes.WRITE,
        ),
        (
            "POST",
            "/v1/tigo/home/{country}/billing/contracts/{contractId}/invoices/{invoiceId}/checkOut",
            scopes.PAY,
        ),
        (
            "DELETE",
            "/v1/tigo/home/{country}/tokenization/doc-type/{docTypeId}/customers/{customerId}/cardtokens",
            scopes.PAY,
        ),
        # listing card tokens is paying, not reading: a listed token can be charged
        (
            "GET",
            "/v1/tigo/home/{country}/tokenization/doc-type/{docTypeId}/customers/{customerId}/cardtokens/",
            scopes.PAY,
        ),
        (
            "GET",
            "/v1/tigo/home/{country}/billing/contracts/{contractId}/recurringBillingInfo",
            scopes.READ,
        ),
        # enrolling in or changing recurring billing lets the customer be charged later
        (
            "POST",
            "/v1/tigo/home/{country}/billing/contracts/{contractId}/recurringBillingInfo",
            scopes.PAY,
        ),
        (
            "PUT",
            "/v1/tigo/home/{country}/billing/contracts/{contractId}/recurringBillingInfo",
            scopes.PAY,
        ),
        (
            "DELETE",
            "/v1/tigo/home/{country}/billing/contracts/{contractId}/recurringBillingInfo",
            scopes.WRITE,
        ),
    ],
)
def test_each_operation_needs_its_scope(method, resource, needed):
    path = {"contractId": "12345678"}
    for granted in scopes.ALL:
        caller = Caller(kind="agent", client_id="x", scopes=frozenset({granted, scopes.AGENT}))
        if granted == needed:
            resolve(path, caller, CO, Directory(), method, resource)
        else:
            with pytest.raises(Forbidden, match=needed):
                resolve(path, caller, CO, Directory(), method, resource)


def test_no_token_is_401_except_on_public_routes():
    nobody = Caller.from_request_context({})
    with pytest.raises(Unauthorized):
        resolve(
            {"contractId": "12345678"},
            nobody,
            CO,
            Directory(),
            "GET",
            "/v1/tigo/home/{country}/billing/contracts/{contractId}/balance",
        )
    resolve(
        {"token": "x" * 30},
        nobody,
        CO,
        Directory(),
        "GET",
        "/v1/tigo/home/{country}/billing/spool/documents/{token}",
    )


def test_cached_directory_remembers_hits_not_misses():
    directory = Directory()
    cached = CachedDirectory(directory)
    for _ in range(3):
        assert cached.find_contract("12345678") == OWNER
        assert cached.find_contract("00000000") is None
    assert directory.calls == 1 + 3
