"""The sandbox dataset's payment attempts, as the seed loads them, are the service's own:
their gateway's page takes a payment, its notification finds them, and checkOut treats them
as it treats the attempts it creates."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from billing import checkout as pay
from local.seed import payment_token, seed
from selfcare import budget
from selfcare.adapters.items import DynamoItems, MemoryItems
from selfcare.adapters.payments.sandbox import SandboxGateway
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.countries import get_country
from selfcare.errors import Conflict
from selfcare.models.customer import CustomerInfo
from selfcare.payments import Credentials
from selfcare.ports import ContractRef
from selfcare.stores.checkout import OPEN, CheckoutStore, invoice_pk
from tests.conftest import AS_OF
from tests.support.tables import pk_sk_table

CO = get_country("co")
CUSTOMERS = 8  # the demo customers come first
LOG = logging.getLogger("billing.checkout")


@pytest.fixture(scope="module")
def seeded(embedded_aws):
    """A co stack's tables, seeded: (checkout store, sandbox gateway, backend, the attempts
    the seed left in process)."""
    budget.clear()  # no invocation runs here (one a test before ran may have left its deadline)
    sandbox, checkout = pk_sk_table("sandbox"), pk_sk_table("checkout")
    seed("co", AS_OF, sandbox, None, checkout, customers=CUSTOMERS)
    store = CheckoutStore(DynamoItems(checkout))
    credentials = Credentials("sandbox", notification_secret="seed-test-secret")
    gateway = SandboxGateway(credentials, DynamoItems(sandbox))
    found = (
        store.get(contract["contractId"], invoice["invoiceId"], payment_token(invoice["invoiceId"]))
        for customer in generate_dataset("co", AS_OF, CUSTOMERS)["customers"]
        for contract in customer["contracts"]
        for invoice in contract["invoices"]
    )
    in_process = [a for a in found if a is not None and a["status"] == "pending"]
    assert len(in_process) >= 3  # one for each test
    return store, gateway, SandboxBackend(DynamoItems(sandbox)), in_process


def request(invoice) -> SimpleNamespace:
    return SimpleNamespace(paymentAmount=invoice["dueAmount"], paymentMethods=None,
                           customerInfo=CustomerInfo(customerId="1"), paymentDescription=None,
                           returnUrl=None, cancelUrl=None)  # fmt: skip


def test_a_seeded_attempt_in_process_is_paid_on_its_page_and_its_notification_lands(seeded):
    store, gateway, backend, (attempt, *_) = seeded
    assert store.by_token(attempt["paymentToken"]) == attempt
    assert gateway.session(attempt["checkOutId"])["status"] == "pending"  # its page opens
    paid = gateway.decide(attempt["checkOutId"], "pay", "4111 1111 1111 1111")
    heard = pay.receive(store, gateway, backend, paid.headers, paid.body, pay.Events(log=LOG))
    assert heard["message"] == "Notification applied: the payment is approved"
    invoice = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    assert invoice["hasPayment"] is True and invoice["dueAmount"] == 0
    answer, status = pay.answer(store, gateway, backend, store.current(attempt), "x")
    assert status == 200 and answer["paymentApproved"] is True


def test_a_seeded_attempt_in_process_holds_its_invoice_until_it_ends_like_any_other(seeded):
    store, gateway, backend, (_, attempt, *_) = seeded
    contract = ContractRef(attempt["contractId"], "CC", "1", "", "")
    invoice = backend.invoice(attempt["contractId"], attempt["invoiceId"])
    urls = ("https://api/n", "https://api")
    with pytest.raises(Conflict, match="in process"):
        pay.create(
            store, gateway, backend, pay.Checkout(contract, invoice, request(invoice), CO, urls, 30)
        )
    cancelled = gateway.decide(attempt["checkOutId"], "cancel")
    heard = pay.receive(
        store, gateway, backend, cancelled.headers, cancelled.body, pay.Events(log=LOG)
    )
    assert heard["message"] == "Notification applied: the payment is declined"
    created = pay.create(
        store, gateway, backend, pay.Checkout(contract, invoice, request(invoice), CO, urls, 30)
    )
    latest = store.latest(attempt["contractId"], attempt["invoiceId"])
    assert latest is not None and latest["paymentToken"] == created["paymentToken"]


def test_seeded_attempts_are_recorded_as_the_service_records_its_own(seeded):
    """The attempt, its token's pointer and the invoice's #OPEN marker, field for field."""
    store, _, _, (*_, attempt) = seeded
    own = CheckoutStore(MemoryItems())
    fields = ("paymentToken", "gateway", "contractId", "invoiceId", "paymentAmount",
              "currencyId", "paymentDescription", "paymentMethods", "customerInfo")  # fmt: skip
    made = own.create({k: attempt[k] for k in fields}, 30, 0)
    own.started(made, attempt["checkOutId"], attempt["redirectUrl"], {})
    keys = [
        (
            invoice_pk(attempt["contractId"], attempt["invoiceId"]),
            f"ATTEMPT#{made['paymentToken']}",
        ),
        (f"TOKEN#{made['paymentToken']}", "#REF"),
        (invoice_pk(attempt["contractId"], attempt["invoiceId"]), OPEN),
    ]
    for pk, sk in keys:
        seeded_item, own_item = store.items.get(pk, sk), own.items.get(pk, sk)
        assert seeded_item is not None and own_item is not None, (pk, sk)
        assert set(seeded_item) == set(own_item), (pk, sk)
