"""An Idempotency-Key compares the request's JSON, not its bytes: the same body sent again
with its keys in another order and other spacing replays the first answer, and the change
is made once; another value under the same key is still 409."""

from __future__ import annotations

from tests.support.claims import claim

BASE = "/v1/tigo/home"


def test_a_reserialized_body_replays_and_another_value_is_409(client):
    country = "gt"
    contract = claim(country)["contracts"][0]
    url = f"{BASE}/{country}/customer/contracts/{contract['contractId']}/contactinformation/phones/"
    key = {"Idempotency-Key": f"canonical-phone-{contract['contractId']}"}
    seeded = client.get(url).get_json()

    def post(text: str):
        answer = client.post(url, data=text, content_type="application/json", headers=key)
        return answer.status_code, answer.get_json()

    first = post('{"phone": "22101010", "phoneType": "Casa"}')
    again = post('{\n  "phoneType" : "Casa",\n  "phone":"22101010"\n}')
    assert first[0] == 200 and again == first
    assert client.get(url).get_json() == [*seeded, first[1]]  # one change
    status, answer = post('{"phoneType": "Casa", "phone": "22101011"}')
    assert status == 409 and "Idempotency-Key" in answer["message"]
    assert client.get(url).get_json() == [*seeded, first[1]]
