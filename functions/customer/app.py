"""Customer routes: contact information, phones and emails of a contract."""

from __future__ import annotations

from typing import Any

from customer import contacts
from selfcare.api import Api

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
@app.post(PHONES)
def add_phones_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.body import parse
    from selfcare.models.customer import CustomerPhone

    request, contract = parse(api.event, CustomerPhone), api.scope.need_contract()
    return api.once(lambda: (contacts.add_phone(api.backend, api.country, contract, request), 200))


@app.put(PHONES)
def update_phones_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.body import parse
    from selfcare.models.customer import CustomerPhoneUpdate

    request = parse(api.event, CustomerPhoneUpdate)
    contract = api.scope.need_contract()
    return api.once(
        lambda: (contacts.update_phone(api.backend, api.country, contract, request), 200)
    )


@app.delete(PHONES)
def remove_phones_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.body import parse
    from selfcare.models.customer import CustomerPhone

    request = parse(api.event, CustomerPhone)
    contract = api.scope.need_contract()
    return api.once(
        lambda: (contacts.remove_phone(api.backend, api.country, contract, request), 200)
    )


@app.post(EMAILS)
def add_email_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.body import parse
    from selfcare.models.customer import CustomerEmail

    request, contract = parse(api.event, CustomerEmail), api.scope.need_contract()
    return api.once(lambda: (contacts.add_email(api.backend, contract, request), 200))


@app.put(EMAILS)
def update_emails_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.body import parse
    from selfcare.models.customer import CustomerEmailUpdate

    request = parse(api.event, CustomerEmailUpdate)
    contract = api.scope.need_contract()
    return api.once(lambda: (contacts.update_email(api.backend, contract, request), 200))


@app.delete(EMAILS)
def remove_email_contact_information_by_contract_id(contractId: str) -> Any:
    from selfcare.body import parse
    from selfcare.models.customer import CustomerEmail

    request = parse(api.event, CustomerEmail)
    contract = api.scope.need_contract()
    return api.once(lambda: (contacts.remove_email(api.backend, contract, request), 200))


handler = api.handler
