"""Changing a contract's contact phones and emails, through the API on moto: every change
shows at once in the reads, every refusal leaves the contact information as it was."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from local import auth, demo
from tests.conftest import AS_OF
from tests.support.claims import claim
from tests.support.openapi import ContractSpec
from tests.support.races import failures, raced

SPEC = ContractSpec.load()
BASE = "/v1/tigo/home"
NEW_PHONE = {"co": "3104445566", "gt": "55123456", "sv": "71234567"}
CALLING_CODE = {"co": "57", "gt": "502", "sv": "503"}


def fresh_contract(country: str, room: int = 0) -> dict:
    """A contract no other test reads or changes (a customer claimed for this test), with
    room for `room` more phones."""
    from selfcare.adapters.sandbox.contacts import MAX_PHONES

    def fits(customer: dict) -> bool:
        info = customer["contracts"][0].get("contactInformation") or {}
        return len(info.get("customerPhoneList") or []) + room <= MAX_PHONES

    customer = claim(country, fits)
    return {**customer["contracts"][0], "owner": customer}


def path(country: str, contract: dict, what: str = "") -> str:
    return f"{BASE}/{country}/customer/contracts/{contract['contractId']}/contactinformation/{what}"


def call(client, method: str, url: str, body=None, headers=None):
    """(status, JSON body); every answer is held to the contract's OpenAPI."""
    response = client.open(url, method=method, json=body, headers=headers)
    payload = response.get_json(silent=True)
    SPEC.validate_response(method, url, response.status_code, payload, response.content_type)
    return response.status_code, payload


def change(client, country: str, contract: dict, method: str, what: str, body) -> dict:
    """The answer of a change that must succeed."""
    status, answer = call(client, method, path(country, contract, what), body)
    assert status == 200, answer
    return answer


def info(client, country: str, contract: dict) -> dict:
    status, found = call(client, "GET", path(country, contract))
    assert status == 200
    return found


def phones(client, country, contract) -> list[dict]:
    status, found = call(client, "GET", path(country, contract, "phones/"))
    assert status == 200 and found == info(client, country, contract)["customerPhoneList"]
    return found


def emails(client, country, contract) -> list[dict]:
    status, found = call(client, "GET", path(country, contract, "emails/"))
    assert status == 200 and found == info(client, country, contract)["customerEmailList"]
    return found


def refuser(client, country: str, contract: dict):
    """refuse(method, what, body, status): the request is refused with `status` and
    changes nothing."""

    def refuse(method: str, what: str, body, status: int) -> None:
        before = info(client, country, contract)
        got, answer = call(client, method, path(country, contract, what), body)
        assert (got, answer["code"]) == (status, status), answer
        assert info(client, country, contract) == before

    return refuse


@pytest.mark.parametrize("country", ["co", "gt", "sv"])
def test_a_phone_is_added_updated_and_removed_and_reads_follow(client, country):
    contract = fresh_contract(country)
    seeded = phones(client, country, contract)
    new = NEW_PHONE[country]
    e164 = f"+{CALLING_CODE[country]}{new}"

    added = change(
        client, country, contract, "POST", "phones/", {"phone": e164, "phoneType": "Casa"}
    )
    assert added == {"phoneType": "Casa", "phone": new, "validated": False}
    assert phones(client, country, contract) == [*seeded, added]

    # A new number without a type keeps the entry's type, and needs validating.
    first, other = seeded[0], new[:-1] + ("0" if new[-1] != "0" else "1")
    body = {"oldPhone": first["phone"], "newPhone": other}
    updated = change(client, country, contract, "PUT", "phones/", body)
    assert updated == {**body, "newPhoneType": first["phoneType"]}
    changed = {"phoneType": first["phoneType"], "phone": other, "validated": False}
    assert phones(client, country, contract) == [changed, *seeded[1:], added]

    # Only the type changes: the number keeps its validation.
    body = {"oldPhone": e164, "newPhone": new, "newPhoneType": "Oficina"}
    updated = change(client, country, contract, "PUT", "phones/", body)
    assert updated == {"oldPhone": new, "newPhone": new, "newPhoneType": "Oficina"}

    removed = change(client, country, contract, "DELETE", "phones/", {"phone": e164})
    assert removed == {"phoneType": "Oficina", "phone": new, "validated": False}
    assert phones(client, country, contract) == [changed, *seeded[1:]]


@pytest.mark.parametrize("country", ["co", "sv"])
def test_an_email_is_added_updated_and_removed_and_reads_follow(client, country):
    contract = fresh_contract(country)
    seeded = emails(client, country, contract)

    added = change(client, country, contract, "POST", "emails/", {"email": "Ana.Perez@Example.COM"})
    assert added == {"email": "ana.perez@example.com", "validated": False}
    assert emails(client, country, contract) == [*seeded, added]

    body = {"oldEmail": "ANA.PEREZ@example.com", "newEmail": "ana@Tigo.net"}
    updated = change(client, country, contract, "PUT", "emails/", body)
    assert updated == {"oldEmail": "ana.perez@example.com", "newEmail": "ana@tigo.net"}
    changed = {"email": "ana@tigo.net", "validated": False}
    assert emails(client, country, contract) == [*seeded, changed]

    removed = change(client, country, contract, "DELETE", "emails/", {"email": "ANA@tigo.net"})
    assert removed == changed and emails(client, country, contract) == seeded


def test_duplicates_missing_entries_and_limits_are_refused_without_a_change(client):
    country = "co"
    contract = fresh_contract(country)
    refuse = refuser(client, country, contract)
    own = phones(client, country, contract)[0]["phone"]
    own_email = emails(client, country, contract)[0]["email"]

    refuse("POST", "phones/", {"phone": f"+57 {own[:3]} {own[3:6]} {own[6:]}"}, 409)
    refuse("POST", "emails/", {"email": own_email.upper()}, 409)
    refuse("DELETE", "phones/", {"phone": "3009998877"}, 404)
    refuse("DELETE", "emails/", {"email": "nobody@example.com"}, 404)
    refuse("PUT", "phones/", {"oldPhone": "3009998877", "newPhone": "3001112233"}, 404)
    refuse("PUT", "emails/", {"oldEmail": "nobody@example.com", "newEmail": "n@example.com"}, 404)
    change(client, country, contract, "POST", "phones/", {"phone": "3001112233"})
    change(client, country, contract, "POST", "emails/", {"email": "b@example.com"})
    refuse("PUT", "phones/", {"oldPhone": own, "newPhone": "3001112233"}, 409)
    refuse("PUT", "emails/", {"oldEmail": own_email, "newEmail": "B@example.com"}, 409)

    # Ten phones and ten emails at most.
    for n in range(10 - len(phones(client, country, contract))):
        change(client, country, contract, "POST", "phones/", {"phone": f"31500000{n:02d}"})
    for n in range(10 - len(emails(client, country, contract))):
        change(client, country, contract, "POST", "emails/", {"email": f"m{n}@example.com"})
    assert len(phones(client, country, contract)) == len(emails(client, country, contract)) == 10
    refuse("POST", "phones/", {"phone": "3159999999"}, 409)
    refuse("POST", "emails/", {"email": "eleventh@example.com"}, 409)


def test_the_last_email_stays_and_the_last_phone_may_go(client):
    country = "gt"
    contract = fresh_contract(country)
    *others, last = emails(client, country, contract)
    for entry in others:
        change(client, country, contract, "DELETE", "emails/", entry)
    refuser(client, country, contract)("DELETE", "emails/", {"email": last["email"]}, 409)
    assert emails(client, country, contract) == [last]
    for entry in phones(client, country, contract):
        change(client, country, contract, "DELETE", "phones/", {"phone": entry["phone"]})
    assert phones(client, country, contract) == []
    change(client, country, contract, "POST", "phones/", {"phone": "22334455"})
    assert [p["phone"] for p in phones(client, country, contract)] == ["22334455"]


@pytest.mark.parametrize(
    ("method", "what", "body", "naming"),
    [
        ("POST", "phones/", None, "body"),
        ("POST", "phones/", "not json", "body"),
        ("POST", "phones/", {"phoneType": "Casa"}, "phone"),
        ("POST", "phones/", {"phone": 3001234567}, "phone"),
        ("POST", "phones/", {"phone": "12345"}, "phone"),
        ("POST", "phones/", {"phone": "+50255123456"}, "phone"),  # Guatemala's, not Colombia's
        ("POST", "phones/", {"phone": "3001234567", "phoneType": "x" * 101}, "phoneType"),
        ("POST", "phones/", {"phone": "3001234567", "phoneType": "  "}, "phoneType"),
        ("PUT", "phones/", {"newPhone": "3001234567"}, "oldPhone"),
        ("PUT", "phones/", {"oldPhone": "3001234567"}, "newPhone"),
        ("PUT", "phones/", {"oldPhone": "3001234567", "newPhone": "300"}, "newPhone"),
        ("DELETE", "phones/", {}, "phone"),
        ("POST", "emails/", {}, "email"),
        ("POST", "emails/", {"email": "not-an-email"}, "email"),
        ("POST", "emails/", {"email": "a@b.co", "validated": "yes"}, "validated"),
        ("PUT", "emails/", {"newEmail": "a@b.co"}, "oldEmail"),
        ("PUT", "emails/", {"oldEmail": "a@b.co", "newEmail": "a@@b.co"}, "newEmail"),
        ("DELETE", "emails/", [], "body"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(client, method, what, body, naming):
    contract = demo.demo_customers("co", AS_OF)[0]["contracts"][0]  # refused: nothing changes
    url = path("co", contract, what)
    before = info(client, "co", contract)
    if isinstance(body, str):
        response = client.open(url, method=method, data=body, content_type="application/json")
        status, answer = response.status_code, response.get_json()
    else:
        status, answer = call(client, method, url, body)
    assert status == 400 and f"'{naming}'" in answer["message"], answer
    assert info(client, "co", contract) == before


def test_an_idempotency_key_replays_the_first_answer(client):
    country = "sv"
    contract = fresh_contract(country)
    url = path(country, contract, "phones/")
    seeded = phones(client, country, contract)
    key = {"Idempotency-Key": f"add-phone-{contract['contractId']}"}
    first = call(client, "POST", url, {"phone": "22101010", "phoneType": "Casa"}, key)
    again = call(client, "POST", url, {"phone": "22101010", "phoneType": "Casa"}, key)
    assert first == again and first[0] == 200
    assert phones(client, country, contract) == [*seeded, first[1]]
    status, answer = call(client, "POST", url, {"phone": "22202020"}, key)
    assert status == 409 and "Idempotency-Key" in answer["message"]
    # Without the key, the same request is a duplicate.
    assert call(client, "POST", url, {"phone": "22101010"})[0] == 409
    assert phones(client, country, contract) == [*seeded, first[1]]


@pytest.mark.parametrize("same", [False, True], ids=["distinct", "identical"])
def test_concurrent_additions_lose_nothing_and_add_no_duplicate(gateway, agent_token, same):
    country = "co"
    contract = fresh_contract(country, room=8)  # a full contract refuses for another reason
    url = path(country, contract, "phones/")
    reader = Client(gateway)
    headers = {"Authorization": f"Bearer {agent_token}"}
    seeded = reader.get(url, headers=headers).get_json()
    numbers = ["3201110000" if same else f"320111000{n}" for n in range(8)]

    def post(n: int) -> tuple[str, int, dict]:
        response = Client(gateway).post(url, json={"phone": numbers[n]}, headers=headers)
        return numbers[n], response.status_code, response.get_json()

    outcomes = raced(len(numbers), post)
    assert failures(outcomes) == []
    answers = [o.value for o in outcomes]

    stored = [p["phone"] for p in reader.get(url, headers=headers).get_json()]
    before = [p["phone"] for p in seeded]
    added = [n for n, status, _ in answers if status == 200]
    assert len(answers) == 8 and {status for _, status, _ in answers} <= {200, 409}
    # Each answer is about its own request; every 200 is stored once, after what was there,
    # and a 409 left nothing behind.
    assert all(body == {"phone": n, "validated": False} for n, s, body in answers if s == 200)
    assert stored[: len(before)] == before and sorted(stored[len(before) :]) == sorted(added)
    if same:
        assert len(added) == 1  # one added it, every other one was told it exists
    else:  # racing writers retry; one that keeps losing is told to retry, not "exists"
        assert added and all("retry" in body["message"] for _, s, body in answers if s == 409), (
            answers
        )


def test_the_owner_changes_its_own_contacts_and_no_one_else_can(gateway, client):
    country = "co"
    contract = fresh_contract(country)
    owner = contract["owner"]
    token = auth.customer_token(owner["documentType"], owner["customerId"])
    own = Client(gateway)
    headers = {"Authorization": f"Bearer {token}"}
    url = path(country, contract, "emails/")
    response = own.post(url, json={"email": "yo@example.com"}, headers=headers)
    assert response.status_code == 200
    assert {"email": "yo@example.com", "validated": False} in emails(client, country, contract)

    stranger = next(
        c for c in demo.customers(country, AS_OF) if c["customerId"] != owner["customerId"]
    )
    other = auth.customer_token(stranger["documentType"], stranger["customerId"])
    before = info(client, country, contract)
    response = own.delete(
        url, json={"email": "yo@example.com"}, headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 403
    assert info(client, country, contract) == before
