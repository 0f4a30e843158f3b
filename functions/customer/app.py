"""Customer routes: contact information, phones and emails of a contract."""

from __future__ import annotations

from typing import Any

from customer import contacts
from selfcare.api import Api

api = Api("customer")
app = api.app


@app.get("/customer/contracts/<contractId>/contactinformation")
def get_contact_information_by_contract_id(contractId: str) -> Any:
    return contacts.information(api.backend, api.scope.need_contract())


@app.get("/customer/contracts/<contractId>/contactinformation/phones")
def get_phones_by_contract_id(contractId: str) -> Any:
    return contacts.phones(api.backend, api.scope.need_contract())


@app.get("/customer/contracts/<contractId>/contactinformation/emails")
def get_emails_by_contract_id(contractId: str) -> Any:
    return contacts.emails(api.backend, api.scope.need_contract())


handler = api.handler
