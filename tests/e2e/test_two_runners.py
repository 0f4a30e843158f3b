"""Two runner processes on one embedded AWS (`python -m local serve --aws-endpoint`): they
serve the same data, and requests sent to both at once really race, as requests reaching
two Lambda containers do."""

from __future__ import annotations

import json
import threading

import requests

from local import auth
from tests.support.claims import claim
from tests.support.runners import two_runners  # noqa: F401  (the fixture)

BASE = "/v1/tigo/home/co"


def headers() -> dict[str, str]:
    return {
        "Authorization": f"Bearer {auth.agent_token('call-centre')}",
        "Content-Type": "application/json",
    }


def paperless(customer) -> str:
    return f"{BASE}/billing/contracts/{customer['contracts'][0]['contractId']}/paperlessInvoiceInfo"


def unsubscribed():
    return claim("co", lambda c: not any(k.get("paperless") for k in c["contracts"]))


def body(email: str) -> str:
    return json.dumps({"email": email, "registeringAppName": "MiTigoWeb"})


def test_a_change_through_one_runner_is_read_through_the_other(two_runners):  # noqa: F811
    first, second = two_runners
    path = paperless(unsubscribed())
    assert requests.get(f"{second}{path}", headers=headers(), timeout=30).status_code == 404
    created = requests.post(
        f"{first}{path}", data=body("hogar@example.com"), headers=headers(), timeout=30
    )
    assert created.status_code == 201, created.text
    read = requests.get(f"{second}{path}", headers=headers(), timeout=30)
    assert read.status_code == 200 and read.json()["email"] == "hogar@example.com"
    changed = requests.put(
        f"{second}{path}", data=body("nuevo@example.com"), headers=headers(), timeout=30
    )
    assert changed.status_code == 200, changed.text
    assert requests.get(f"{first}{path}", headers=headers(), timeout=30).json()["email"] == (
        "nuevo@example.com"
    )


def test_the_same_subscription_posted_to_both_runners_at_once_is_created_once(
    two_runners,  # noqa: F811
):
    path = paperless(unsubscribed())
    barrier = threading.Barrier(len(two_runners), timeout=60)
    answers: dict[str, int] = {}

    def post(base: str) -> None:
        barrier.wait()
        answer = requests.post(
            f"{base}{path}", data=body("a@example.com"), headers=headers(), timeout=60
        )
        answers[base] = answer.status_code

    threads = [threading.Thread(target=post, args=(base,)) for base in two_runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(answers.values()) == [201, 409]
