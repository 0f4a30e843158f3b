"""The sandbox CRM's contact changes over the generated dataset: its rules, and what it does
when another change of the same contract gets in between."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from selfcare.adapters.items import ConditionFailed, DynamoItems, MemoryItems, Write
from selfcare.adapters.sandbox import contacts, layout
from selfcare.adapters.sandbox.backend import SandboxBackend
from selfcare.adapters.sandbox.generator import generate_dataset
from selfcare.errors import Conflict, NotFound
from tests.support.races import MeetAtFirstRead, failures, one_winner, race
from tests.support.tables import pk_sk_table

AS_OF = date(2026, 10, 15)


@cache
def dataset_items() -> tuple[dict, ...]:
    return tuple(layout.dataset_items(generate_dataset("co", AS_OF)))


@cache
def contract_id() -> str:
    """A contract with two emails (one may go) and at least two phones."""
    customers = generate_dataset("co", AS_OF)["customers"]
    return next(
        k["contractId"]
        for c in customers
        for k in c["contracts"]
        if len(k["contactInformation"]["customerEmailList"]) == 2
        and len(k["contactInformation"]["customerPhoneList"]) >= 2
    )


@pytest.fixture
def items():
    return MemoryItems(dataset_items())


@pytest.fixture
def crm(items):
    return SandboxBackend(items)


def contact(crm) -> dict:
    return crm.contact_information(contract_id())


def phones(crm) -> list[dict]:
    return contact(crm)["customerPhoneList"]


def emails(crm) -> list[dict]:
    return contact(crm)["customerEmailList"]


def version(items) -> int:
    return int(items.get(layout.contract_pk(contract_id()), layout.CONTACT).get("version", 0))


def refused(crm, items, error, change, *args):
    """`change` raises `error` and the stored contact information stays as it was."""
    before, was = contact(crm), version(items)
    with pytest.raises(error):
        change(contract_id(), *args)
    assert contact(crm) == before and version(items) == was


def test_an_added_phone_comes_last_unvalidated_and_the_rest_keeps_theirs(crm, items):
    seeded = phones(crm)
    entry = crm.add_phone(contract_id(), {"phone": "3104445566", "phoneType": "Casa"})
    assert entry == {"phone": "3104445566", "phoneType": "Casa", "validated": False}
    assert phones(crm) == [*seeded, entry] and version(items) == 1
    assert crm.add_phone(contract_id(), {"phone": "3104445567"})["validated"] is False
    assert version(items) == 2


def test_phone_refusals_change_nothing(crm, items):
    own, other = (p["phone"] for p in phones(crm)[:2])
    refused(crm, items, Conflict, crm.add_phone, {"phone": own})
    refused(crm, items, NotFound, crm.remove_phone, "3009998877")
    refused(crm, items, NotFound, crm.update_phone, "3009998877", {"phone": "3001112233"})
    refused(crm, items, Conflict, crm.update_phone, own, {"phone": other})


def test_an_updated_number_needs_validating_again_but_a_new_type_alone_does_not(crm):
    first, *rest = phones(crm)
    assert first["validated"] is True
    entry = crm.update_phone(contract_id(), first["phone"], {"phone": "3001112233"})
    assert entry == {**first, "phone": "3001112233", "validated": False}  # type kept
    assert phones(crm) == [entry, *rest]
    second = rest[0]
    retyped = crm.update_phone(contract_id(), second["phone"], {**second, "phoneType": "Casa"})
    assert retyped == {**second, "phoneType": "Casa"}  # same number: still as validated


def test_phones_go_up_to_ten_and_every_one_may_be_removed(crm, items):
    count = len(phones(crm))
    for n in range(contacts.MAX_PHONES - count):
        crm.add_phone(contract_id(), {"phone": f"31500000{n:02d}"})
    assert len(phones(crm)) == 10
    refused(crm, items, Conflict, crm.add_phone, {"phone": "3159999999"})
    for entry in phones(crm):
        assert crm.remove_phone(contract_id(), entry["phone"]) == entry
    assert phones(crm) == []


def test_emails_ignore_case_go_up_to_ten_and_the_last_one_stays(crm, items):
    first, second = emails(crm)
    refused(crm, items, Conflict, crm.add_email, {"email": first["email"].upper()})
    refused(crm, items, Conflict, crm.update_email, first["email"], second["email"].upper())
    refused(crm, items, NotFound, crm.update_email, "nobody@example.com", "x@example.com")
    refused(crm, items, NotFound, crm.remove_email, "nobody@example.com")
    changed = crm.update_email(contract_id(), first["email"].upper(), "new@example.com")
    assert changed == {"email": "new@example.com", "validated": False}
    for n in range(contacts.MAX_EMAILS - 2):
        crm.add_email(contract_id(), {"email": f"m{n}@example.com"})
    refused(crm, items, Conflict, crm.add_email, {"email": "eleventh@example.com"})
    *others, last = emails(crm)
    for entry in others:
        assert crm.remove_email(contract_id(), entry["email"].upper()) == entry
    refused(crm, items, Conflict, crm.remove_email, last["email"])
    assert emails(crm) == [last]


class RacingItems(MemoryItems):
    """Another writer changes the contract's contact item right after each of the next
    `races` reads of it: the reader's write then finds a newer version."""

    races = 0
    reads = 0

    def get(self, pk, sk):
        found = super().get(pk, sk)
        if sk == layout.CONTACT and found is not None:
            self.reads += 1
            if self.races > 0:
                self.races -= 1
                theirs = super().get(pk, sk)
                info = theirs["contactInformation"]
                info["customerEmailList"].append(
                    {"email": f"r{self.races}@x.co", "validated": False}
                )
                current = int(theirs.get("version", 0))
                self.write(Write.put({**theirs, "version": current + 1}, version=current))
        return found


@pytest.mark.parametrize("races", [1, contacts.RETRIES])
def test_a_lost_race_is_applied_again_to_what_the_winner_wrote(races, monkeypatch):
    monkeypatch.setattr(contacts.time, "sleep", lambda _: None)
    items = RacingItems(dataset_items())
    crm = SandboxBackend(items)
    seeded = emails(crm)
    items.races = races
    entry = crm.add_phone(contract_id(), {"phone": "3104445566"})
    assert items.reads == 1 + races + 1  # the seeded read, then one more per lost race
    assert entry in phones(crm)
    assert emails(crm) == seeded + [
        {"email": f"r{n}@x.co", "validated": False} for n in reversed(range(races))
    ]
    assert version(items) == races + 1


def test_a_change_that_keeps_losing_is_a_conflict_and_leaves_the_winners_alone(monkeypatch):
    monkeypatch.setattr(contacts.time, "sleep", lambda _: None)
    items = RacingItems(dataset_items())
    crm = SandboxBackend(items)
    seeded = phones(crm)
    items.races = contacts.RETRIES + 1
    with pytest.raises(Conflict, match="retry"):
        crm.add_phone(contract_id(), {"phone": "3104445566"})
    assert phones(crm) == seeded and len(emails(crm)) == 2 + contacts.RETRIES + 1


def test_what_the_winner_wrote_is_checked_again(monkeypatch):
    """Two callers add the same phone: the loser, on its second try, finds it there."""
    monkeypatch.setattr(contacts.time, "sleep", lambda _: None)

    class SameRace(MemoryItems):
        raced = False

        def get(self, pk, sk):
            found = super().get(pk, sk)
            if sk == layout.CONTACT and not self.raced:
                self.raced = True
                SandboxBackend(self).add_phone(contract_id(), {"phone": "3104445566"})
            return found

    crm = SandboxBackend(SameRace(dataset_items()))
    with pytest.raises(Conflict, match="already"):
        crm.add_phone(contract_id(), {"phone": "3104445566"})
    assert [p["phone"] for p in phones(crm)].count("3104445566") == 1


class Counting(MemoryItems):
    """Items that count the conditional writes lost to another writer."""

    lost = 0

    def write(self, *writes):
        try:
            super().write(*writes)
        except ConditionFailed:
            self.lost += 1
            raise


@pytest.mark.parametrize("same", [False, True], ids=["distinct", "identical"])
def test_threads_racing_lose_no_change_and_add_no_duplicate(same):
    """Each racer's first read of the contacts waits for every racer's: they all hold the
    same version, so all but one lose their first write, however the threads are run."""
    numbers = ["3201110000" if same else f"320111000{n}" for n in range(8)]
    seeded = [p["phone"] for p in phones(SandboxBackend(MemoryItems(dataset_items())))]
    items = Counting(dataset_items())

    def add(n: int, barrier):
        crm = SandboxBackend(
            MeetAtFirstRead(items, barrier, key=lambda _, sk: sk == layout.CONTACT)
        )
        return crm.add_phone(contract_id(), {"phone": numbers[n]})

    outcomes = race(len(numbers), add)
    assert failures(outcomes, Conflict) == []
    added = [numbers[o.racer] for o in outcomes if o.error is None]
    stored = [p["phone"] for p in phones(SandboxBackend(items))]
    assert items.lost >= len(numbers) - 1  # they did race: all but one lost a write
    assert stored[: len(seeded)] == seeded
    assert sorted(stored[len(seeded) :]) == sorted(added)  # every success kept, once
    for o in outcomes:  # each answer is about its own request
        assert o.error or o.value == {"phone": numbers[o.racer], "validated": False}
    if same:  # one added it, every other one was told it exists
        _, losers = one_winner(outcomes)
        assert all("already" in str(o.error) for o in losers)
    else:  # racing writers retry; one that keeps losing is told to retry, not "exists"
        assert added and all("retry" in str(o.error) for o in outcomes if o.error is not None)


def test_versions_hold_on_dynamodb_from_items_that_never_had_one(embedded_aws):
    table = pk_sk_table("contacts")
    pk = layout.contract_pk(contract_id())
    items = DynamoItems(table)
    items.put_all(i for i in dataset_items() if i["pk"] == pk)
    crm = SandboxBackend(items)
    crm.add_email(contract_id(), {"email": "one@example.com"})
    crm.remove_phone(contract_id(), phones(crm)[0]["phone"])
    assert version(items) == 2
    assert {"email": "one@example.com", "validated": False} in emails(crm)
