"""Contact changes: what the customer function makes of a request before the CRM sees it,
and what it answers."""

from __future__ import annotations

import pytest

from customer import contacts
from selfcare.countries import get_country
from selfcare.errors import InvalidParameter, NotFound
from selfcare.models.customer import (
    CustomerEmail,
    CustomerEmailUpdate,
    CustomerPhone,
    CustomerPhoneUpdate,
)
from selfcare.ports import ContractRef
from tests.support.phones import WRITTEN

CONTRACT = ContractRef("100", "CC", "1020304050", "900", "S1")
CO, GT = get_country("co"), get_country("gt")


class Crm:
    """Records what it is asked; answers as the CRM would for a contract whose first
    phone is a validated mobile."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def contact_information(self, contract_id):
        return None

    def add_phone(self, contract_id, phone):
        self.calls.append(("add_phone", contract_id, phone))
        return {**phone, "validated": False}

    def update_phone(self, contract_id, old_phone, phone):
        self.calls.append(("update_phone", contract_id, old_phone, phone))
        return {"phoneType": "Móvil", "validated": False, **phone}

    def remove_phone(self, contract_id, phone):
        self.calls.append(("remove_phone", contract_id, phone))
        return {"phoneType": "Móvil", "phone": phone, "validated": True}

    def add_email(self, contract_id, email):
        self.calls.append(("add_email", contract_id, email))
        return {**email, "validated": False}

    def update_email(self, contract_id, old_email, email):
        self.calls.append(("update_email", contract_id, old_email, email))
        return {"email": email, "validated": False}

    def remove_email(self, contract_id, email):
        self.calls.append(("remove_email", contract_id, email))
        return {"email": email, "validated": True}


@pytest.fixture
def crm():
    return Crm()


@pytest.mark.parametrize(("country", "sent", "e164"), WRITTEN)
def test_phones_are_kept_and_answered_as_national_numbers(crm, country, sent, e164):
    answer = contacts.add_phone(crm, country, CONTRACT, CustomerPhone(phone=sent))
    kept = e164.removeprefix(f"+{country.calling_code}")  # the national number
    assert answer == {"phone": kept, "validated": False}
    assert crm.calls == [("add_phone", "100", {"phone": kept})]
    contacts.remove_phone(crm, country, CONTRACT, CustomerPhone(phone=sent))
    assert crm.calls[-1] == ("remove_phone", "100", kept)


def test_the_caller_cannot_mark_a_phone_validated(crm):
    request = CustomerPhone(phone="3001234567", phoneType=" Casa ", validated=True)
    assert contacts.add_phone(crm, CO, CONTRACT, request) == {
        "phone": "3001234567",
        "phoneType": "Casa",
        "validated": False,
    }
    assert crm.calls == [("add_phone", "100", {"phone": "3001234567", "phoneType": "Casa"})]


def test_a_phone_update_without_a_type_keeps_the_current_one(crm):
    request = CustomerPhoneUpdate(oldPhone="+573001234567", newPhone="3109876543")
    answer = contacts.update_phone(crm, CO, CONTRACT, request)
    assert crm.calls == [("update_phone", "100", "3001234567", {"phone": "3109876543"})]
    assert answer == {"oldPhone": "3001234567", "newPhone": "3109876543", "newPhoneType": "Móvil"}
    request = CustomerPhoneUpdate(oldPhone="3001234567", newPhone="3001234567", newPhoneType="Casa")
    answer = contacts.update_phone(crm, CO, CONTRACT, request)
    assert answer == {"oldPhone": "3001234567", "newPhone": "3001234567", "newPhoneType": "Casa"}


def test_emails_are_kept_lower_case(crm):
    answer = contacts.add_email(crm, CONTRACT, CustomerEmail(email="Ana.Perez@Example.COM"))
    assert answer == {"email": "ana.perez@example.com", "validated": False}
    request = CustomerEmailUpdate(oldEmail="ANA.perez@example.com", newEmail="Ana@Tigo.NET")
    assert contacts.update_email(crm, CONTRACT, request) == {
        "oldEmail": "ana.perez@example.com",
        "newEmail": "ana@tigo.net",
    }
    contacts.remove_email(crm, CONTRACT, CustomerEmail(email="ANA@tigo.net"))
    assert crm.calls[1:] == [
        ("update_email", "100", "ana.perez@example.com", "ana@tigo.net"),
        ("remove_email", "100", "ana@tigo.net"),
    ]


@pytest.mark.parametrize(
    ("change", "request_", "field"),
    [
        (contacts.add_phone, CustomerPhone(phoneType="Casa"), "phone"),
        (contacts.add_phone, CustomerPhone(phone="12345"), "phone"),
        (contacts.add_phone, CustomerPhone(phone="+50255123456"), "phone"),  # not Colombia's
        (contacts.add_phone, CustomerPhone(phone="3001234567", phoneType=" "), "phoneType"),
        (contacts.remove_phone, CustomerPhone(), "phone"),
        (contacts.update_phone, CustomerPhoneUpdate(newPhone="3001234567"), "oldPhone"),
        (contacts.update_phone, CustomerPhoneUpdate(oldPhone="3001234567"), "newPhone"),
        (
            contacts.update_phone,
            CustomerPhoneUpdate(oldPhone="3001234567", newPhone="6031234567"),  # 603: unassigned
            "newPhone",
        ),
        (
            contacts.update_phone,
            CustomerPhoneUpdate(oldPhone="3001234567", newPhone="3001234568", newPhoneType=""),
            "newPhoneType",
        ),
    ],
)
def test_phone_requests_missing_or_invalid_fields_are_refused_by_name(crm, change, request_, field):
    with pytest.raises(InvalidParameter) as refusal:
        change(crm, CO, CONTRACT, request_)
    assert refusal.value.parameter == field and crm.calls == []
    message = refusal.value.message
    assert message.startswith(f"Invalid parameter '{field}', ") and message.count("'") == 2


@pytest.mark.parametrize(
    ("change", "request_", "field"),
    [
        (contacts.add_email, CustomerEmail(), "email"),
        (contacts.remove_email, CustomerEmail(validated=True), "email"),
        (contacts.update_email, CustomerEmailUpdate(newEmail="a@b.co"), "oldEmail"),
        (contacts.update_email, CustomerEmailUpdate(oldEmail="a@b.co"), "newEmail"),
    ],
)
def test_email_requests_without_the_needed_field_are_refused_by_name(crm, change, request_, field):
    with pytest.raises(InvalidParameter) as refusal:
        change(crm, CONTRACT, request_)
    assert refusal.value.parameter == field and crm.calls == []


def test_a_contract_without_contact_information_is_not_found(crm):
    with pytest.raises(NotFound):
        contacts.phones(crm, CONTRACT)
