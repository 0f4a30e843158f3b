"""Customer routes: contact information, phones and emails of a contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from customer import contacts
from selfcare.api import Api
from selfcare.ports import ContractRef

api = Api("customer")
app = api.app

PHONES = "/customer/contracts/<contractId>/contactinformation/phones"
EMAILS = "/customer/contracts/<contractId>/contactinformation/emails"


@app.get("/customer/contracts/<contractId>/contactinformation")
def get_contact_information_by_contract_id(contractId: str) -> Any:
    return contacts.information(api.backend, api.scope.need_contract())


@app.get(PHONES)
def get_phones_by_contract_id(contractId: str) -> Any:
    return contacts.phones(api.backend, api.scope.need_contract())


@app.get(EMAILS)
def get_emails_by_contract_id(contractId: str) -> Any:
    return contacts.emails(api.backend, api.scope.need_contract())


# Changes: bodies load pydantic, so it is imported by these routes only.
def _change(model: type[Any], change: Callable[[ContractRef, Any], Any]) -> Any:
    """Parse the body as `model`, then check the path's contract, and make the change
    once (200)."""
    from selfcare.body import parse

    request, contract = parse(api.event, model), api.scope.need_contract()
    return api.once(lambda: (change(contract, request), 200))


@app.post(PHONES)
def add_phones_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.models.customer import CustomerPhone

    return _change(CustomerPhone, lambda c, r: contacts.add_phone(api.backend, api.country, c, r))


@app.put(PHONES)
def update_phones_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.models.customer import CustomerPhoneUpdate

    return _change(
        CustomerPhoneUpdate, lambda c, r: contacts.update_phone(api.backend, api.country, c, r)
    )


@app.delete(PHONES)
def remove_phones_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.models.customer import CustomerPhone

    return _change(
        CustomerPhone, lambda c, r: contacts.remove_phone(api.backend, api.country, c, r)
    )


@app.post(EMAILS)
def add_email_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.models.customer import CustomerEmail

    return _change(CustomerEmail, lambda c, r: contacts.add_email(api.backend, c, r))


@app.put(EMAILS)
def update_emails_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.models.customer import CustomerEmailUpdate

    return _change(CustomerEmailUpdate, lambda c, r: contacts.update_email(api.backend, c, r))


@app.delete(EMAILS)
def remove_email_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.models.customer import CustomerEmail

    return _change(CustomerEmail, lambda c, r: contacts.remove_email(api.backend, c, r))


handler = api.handler
