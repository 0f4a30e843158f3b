"""Card tokens through the API: tokenize a card, see it listed first, charge it by recurring
billing, delete it only once nothing charges it. Card numbers and CVVs never come back,
not even in error messages."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import uuid
from dataclasses import replace
from datetime import date
from functools import cache

import boto3
import pytest

from local import auth
from tests.conftest import TokenClient
from tests.support.claims import claim

BASE = "/v1/tigo/home"
PAN, CVV = "4532015112830366", "739"
EXPIRY = f"{date.today().year + 3}08"
CARD = {
    "cardNumber": PAN,
    "cardExpirationDate": EXPIRY,
    "cardVerificationValue": CVV,
    "cardBrand": "visa",
    "cardPrintedName": "MARIA PEREZ",
}
OTHER_CARDS = [  # (number, brand, cvv): one per brand
    ("5425233430109903", "MASTERCARD", "412"),
    ("374245455400126", "AMEX", "5821"),
    ("36006666333344", "DINERS", "318"),
    ("2223000048410010", "mastercard", "906"),
    ("4917484589897107", "VISA", "275"),
]


def cards_path(customer, country: str) -> str:
    doc = customer["documentType"].lower()
    return f"{BASE}/{country}/tokenization/doc-type/{doc}/customers/{customer['customerId']}/cardtokens"


def send(client, method: str, path: str, body, **headers):
    return client.open(
        path,
        method=method,
        data=json.dumps(body),
        content_type="application/json",
        headers=headers or None,
    )


def listed(client, path: str) -> list[str]:
    return [t["cardToken"] for t in client.get(path, query_string={"limit": 5}).get_json()]


def tokenize(client, path: str, **headers):
    """CARD tokenized: the 201 answer (asserted) and the token it names, masked as it must be."""
    created = send(client, "POST", path, {"cardDetails": CARD}, **headers)
    assert created.status_code == 201, created.get_json()
    token = created.get_json()
    assert token == {
        "cardToken": token["cardToken"],
        "cardInfo": "453201XXXXXX0366",
        "cardBrand": "VISA",
        "cardPrintedName": "MARIA PEREZ",
    }
    return created, token


def tokenize_others(client, path: str) -> list:
    """Each of OTHER_CARDS tokenized, every one answered 201: the answers."""
    answers = []
    for number, brand, cvv in OTHER_CARDS:
        card = {**CARD, "cardNumber": number, "cardBrand": brand, "cardVerificationValue": cvv}
        answer = send(client, "POST", path, {"cardDetails": card})
        assert answer.status_code == 201, (brand, answer.get_json())
        answers.append(answer)
    return answers


def without_recurring(country: str, most_cards: int = 3):
    """A customer with room for new cards and no recurring billing on any contract."""
    return claim(
        country,
        lambda c: (
            len(c.get("cardTokens", [])) <= most_cards
            and not any(k.get("recurringBilling") for k in c["contracts"])
        ),
    )


def leaks(text: str) -> bool:
    """Whether `text` holds the card number, or the CVV standing alone (not inside an id,
    or as the milliseconds of a log timestamp)."""
    return PAN in text or bool(re.search(rf"(?<![0-9A-Za-z,]){CVV}(?![0-9A-Za-z])", text))


def assert_no_card_data(*texts: str) -> None:
    for text in texts:
        assert not leaks(text), text


def vault_table(stack) -> str:
    """The table the stack's card vault keeps cards in: the sandbox table, or with a BSS
    (Backend tmf) the checkout table (selfcare.stores.cards)."""
    return stack.table_name("SandboxTable" if stack.bss is None else "CheckoutTable")


def vault_items(stack, customer=None) -> str:
    """The vault table's items: the customer's partition, or every page of a scan."""
    dynamodb, table = boto3.client("dynamodb"), vault_table(stack)
    if customer is None:
        pages = dynamodb.get_paginator("scan").paginate(TableName=table)
    else:
        pk = f"CUSTOMER#{customer['documentType'].upper()}#{customer['customerId']}"
        pages = dynamodb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
        )
    return json.dumps([item for page in pages for item in page["Items"]])


def assert_idempotency_records_hold_no_card(stack, body) -> None:
    """Records keep a hash of the request: an unkeyed one of a body with a card number
    could be reversed by trying the few digits the masked number hides."""
    records = boto3.client("dynamodb").scan(TableName=stack.table_name("IdempotencyTable"))
    assert records["Items"]
    unkeyed = hashlib.md5(json.dumps(json.dumps(body)).encode()).hexdigest()  # noqa: S324
    text = json.dumps(records["Items"])
    assert PAN not in text and unkeyed not in text


def test_a_card_lives_from_tokenization_to_deletion(client, stacks):
    customer = without_recurring("co")
    path = cards_path(customer, "co")
    contract = customer["contracts"][0]["contractId"]
    recurring = f"{BASE}/co/billing/contracts/{contract}/recurringBillingInfo"
    before = listed(client, path)

    created, token = tokenize(client, path, **{"Idempotency-Key": "card-1"})
    assert_no_card_data(created.get_data(as_text=True))
    assert client.get(path).get_json() == [token]  # newest first, limit 1 by default
    assert listed(client, path) == [token["cardToken"], *before]

    assert_idempotency_records_hold_no_card(stacks["co"], {"cardDetails": CARD})

    retry = send(client, "POST", path, {"cardDetails": CARD}, **{"Idempotency-Key": "card-1"})
    assert (retry.status_code, retry.get_json()) == (201, token)
    other = {"cardDetails": {**CARD, "cardPrintedName": "M PEREZ"}}
    reused = send(client, "POST", path, other, **{"Idempotency-Key": "card-1"})
    assert reused.status_code == 409
    assert len(listed(client, path)) == len(before) + 1

    enrolled = send(client, "POST", recurring, {"cardToken": token["cardToken"]})
    assert enrolled.status_code == 201, enrolled.get_json()
    assert client.get(recurring).get_json()["cardInfo"] == "453201XXXXXX0366"

    refused = send(client, "DELETE", path, {"cardToken": token["cardToken"]})
    assert refused.status_code == 409
    assert contract in refused.get_json()["message"]
    assert "end the recurring billing" in refused.get_json()["message"]
    assert token["cardToken"] in listed(client, path)

    ended = send(client, "DELETE", recurring, {"cardToken": token["cardToken"]})
    assert ended.status_code == 200
    deleted = send(client, "DELETE", path, {"cardToken": token["cardToken"]})
    assert deleted.status_code == 200 and deleted.get_json()["response"] == "OK"
    assert listed(client, path) == before
    again = send(client, "DELETE", path, {"cardToken": token["cardToken"]})
    assert again.status_code == 404


def test_the_same_card_twice_answers_the_token_it_has(client):
    customer = without_recurring("gt")
    path = cards_path(customer, "gt")
    first = send(client, "POST", path, {"cardDetails": CARD})
    second = send(client, "POST", path, {"cardDetails": {**CARD, "cardBrand": "VISA"}})
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    renewed = send(client, "POST", path, {"cardDetails": {**CARD, "cardExpirationDate": "209912"}})
    assert renewed.status_code == 400  # more than 20 years ahead
    later = f"{date.today().year + 4}01"
    reissued = send(client, "POST", path, {"cardDetails": {**CARD, "cardExpirationDate": later}})
    assert reissued.status_code == 201
    assert reissued.get_json()["cardToken"] != first.get_json()["cardToken"]
    assert listed(client, path)[:2] == [
        reissued.get_json()["cardToken"],
        first.get_json()["cardToken"],
    ]


def test_a_customer_keeps_at_most_five_cards(client):
    customer = claim("sv", lambda c: not c.get("cardTokens"))
    path = cards_path(customer, "sv")
    for (_, brand, _), answer in zip(OTHER_CARDS, tokenize_others(client, path), strict=True):
        assert answer.get_json()["cardBrand"] == brand.upper()
    assert len(listed(client, path)) == 5
    full = send(client, "POST", path, {"cardDetails": CARD})
    assert full.status_code == 409 and "at most 5" in full.get_json()["message"]
    assert len(listed(client, path)) == 5


BAD_CARDS = [
    ({"cardNumber": "4532015112830367"}, "cardDetails.cardNumber"),  # check digit
    ({"cardNumber": "45320151128"}, "cardDetails.cardNumber"),  # 11 digits
    ({"cardNumber": "45320151128303664532"}, "cardDetails.cardNumber"),  # 20 digits
    ({"cardNumber": "4532 0151 1283 0366"}, "cardDetails.cardNumber"),
    ({"cardNumber": 4532015112830366}, "cardDetails.cardNumber"),
    ({"cardNumber": None}, "cardDetails.cardNumber"),
    ({"cardExpirationDate": "202001"}, "cardDetails.cardExpirationDate"),
    ({"cardExpirationDate": "203013"}, "cardDetails.cardExpirationDate"),
    ({"cardExpirationDate": None}, "cardDetails.cardExpirationDate"),
    ({"cardVerificationValue": "7391"}, "cardDetails.cardVerificationValue"),
    ({"cardVerificationValue": "73"}, "cardDetails.cardVerificationValue"),
    ({"cardVerificationValue": None}, "cardDetails.cardVerificationValue"),
    ({"cardBrand": "MAESTRO"}, "cardDetails.cardBrand"),
    ({"cardBrand": "MASTERCARD"}, "cardDetails.cardBrand"),  # a VISA number
    ({"cardBrand": None}, "cardDetails.cardBrand"),
    # A card number in the name would be stored and echoed: refused with any separators.
    ({"cardPrintedName": "MARIA 4532015112830366"}, "cardDetails.cardPrintedName"),
    ({"cardPrintedName": "4532 0151 1283 0366"}, "cardDetails.cardPrintedName"),
    ({"cardPrintedName": "MARIA 4532-0151-1283-0366"}, "cardDetails.cardPrintedName"),
    ({"cardPrintedName": "4532.0151.1283.0366 PEREZ"}, "cardDetails.cardPrintedName"),
    ({"cardPrintedName": "4532_0151_1283_0366"}, "cardDetails.cardPrintedName"),
    ({"cardPrintedName": "4532/0151/1283/0366"}, "cardDetails.cardPrintedName"),
    ({"cardPrintedName": "MARIA 4532015112830367"}, "cardDetails.cardPrintedName"),  # mistyped
]


def test_every_bad_card_field_is_a_400_naming_it_and_nothing_is_stored(client):
    customer = without_recurring("sv")
    path = cards_path(customer, "sv")
    before = listed(client, path)
    for change, field in BAD_CARDS:
        card = {k: v for k, v in {**CARD, **change}.items() if v is not None}
        answer = send(client, "POST", path, {"cardDetails": card})
        text = answer.get_data(as_text=True)
        assert answer.status_code == 400 and field in answer.get_json()["message"], (change, text)
        assert_no_card_data(text)
        assert "4532015112830367" not in text and "45320151128" not in text
    empty = client.post(path, data="", content_type="application/json")
    assert empty.status_code == 400 and "body" in empty.get_json()["message"]
    for body, field in (
        ({}, "cardDetails"),
        ({"cardDetails": "4532015112830366"}, "cardDetails"),
        ({"cardDetails": CARD, "customerInfo": {"customerId": "1"}}, "customerInfo"),
    ):
        answer = send(client, "POST", path, body)
        assert answer.status_code == 400 and field in answer.get_json()["message"]
        assert_no_card_data(answer.get_data(as_text=True))
    assert listed(client, path) == before


def test_customerInfo_naming_the_path_customer_is_accepted(client):
    customer = without_recurring("sv")
    path = cards_path(customer, "sv")
    info = {"customerId": customer["customerId"], "documentType": customer["documentType"]}
    answer = send(client, "POST", path, {"cardDetails": CARD, "customerInfo": info})
    assert answer.status_code == 201, answer.get_json()


def test_only_the_owner_with_the_pay_scope_tokenizes_and_deletes(gateway):
    customer, other = without_recurring("gt"), without_recurring("gt")
    path, other_path = cards_path(customer, "gt"), cards_path(other, "gt")
    owner = TokenClient(
        gateway, auth.customer_token(customer["documentType"], customer["customerId"])
    )
    created = send(owner, "POST", path, {"cardDetails": CARD})
    assert created.status_code == 201
    assert send(owner, "POST", other_path, {"cardDetails": CARD}).status_code == 403
    reader = TokenClient(
        gateway,
        auth.customer_token(
            customer["documentType"],
            customer["customerId"],
            scopes=["selfcare.read", "selfcare.write"],
        ),
    )
    token = created.get_json()["cardToken"]
    assert send(reader, "POST", path, {"cardDetails": CARD}).status_code == 403
    assert send(reader, "DELETE", path, {"cardToken": token}).status_code == 403
    # listing them is paying too: a token that may read and change cannot see the cards
    refused = reader.get(path)
    assert refused.status_code == 403
    assert refused.get_json() == {"code": 403, "message": refused.get_json()["message"]}
    assert "selfcare.pay" in refused.get_json()["message"] and token not in refused.text
    payer = TokenClient(
        gateway,
        auth.customer_token(
            customer["documentType"], customer["customerId"], scopes=["selfcare.pay"]
        ),
    )
    assert token in listed(payer, path)

    theirs = TokenClient(gateway, auth.customer_token(other["documentType"], other["customerId"]))
    their_token = send(theirs, "POST", other_path, {"cardDetails": CARD}).get_json()["cardToken"]
    assert send(theirs, "DELETE", path, {"cardToken": token}).status_code == 403
    # another customer's token and an unknown one: the same 404, which tells nothing
    foreign = send(owner, "DELETE", path, {"cardToken": their_token})
    unknown = send(owner, "DELETE", path, {"cardToken": str(uuid.uuid4())})
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_json() == unknown.get_json()
    assert their_token in listed(theirs, other_path)
    assert send(owner, "DELETE", path, {"cardToken": token}).status_code == 200


def test_a_delete_needs_the_card_token_and_the_path_customer(client):
    customer = without_recurring("gt")
    path = cards_path(customer, "gt")
    token = send(client, "POST", path, {"cardDetails": CARD}).get_json()["cardToken"]
    for body, field in (
        ({}, "cardToken"),
        ({"transactionId": "t"}, "cardToken"),
        ({"cardToken": token, "customerId": "1234567890101"}, "customerId"),
    ):
        answer = send(client, "DELETE", path, body)
        assert answer.status_code == 400 and field in answer.get_json()["message"]
    assert token in listed(client, path)


# A misconfigured gateway secret ------------------------------------------------------------
def capture_logs() -> tuple[io.StringIO, list]:
    """Point Powertools' stream handlers at one buffer (pytest's capture never sees them)."""
    stream, swapped = io.StringIO(), []
    for logger in [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]:
        for handler in getattr(logger, "handlers", []):
            if type(handler) is logging.StreamHandler:
                swapped.append((handler, handler.stream))
                handler.stream = stream  # no flush of a stream a finished test may have closed
    return stream, swapped


@cache
def untouched():
    """A customer these requests would change if the gateway answered (it must not)."""
    return claim("co")


@pytest.mark.parametrize(
    "value",
    [
        "not json: hunter2-gateway-secret",
        '{"gateway": "sandbox", "apiKey": "hunter2-gateway-secret"}',  # no notificationSecret
        '{"gateway": "payu", "merchantId": "hunter2-gateway-secret"}',
        None,  # the secret does not exist
    ],
)
def test_a_misconfigured_gateway_secret_is_503_and_its_value_is_not_logged(
    stacks, agent_token, value
):
    from local.gateway import FunctionHost, Gateway
    from local.server import local_function_env

    name = f"home-self-care/co/test-{uuid.uuid4().hex[:8]}/payment-gateway"  # its own cache key
    if value is not None:
        boto3.client("secretsmanager").create_secret(Name=name, SecretString=value)
    misconfigured = Gateway({"co": stacks["co"]}, "co", local_function_env())
    function = stacks["co"].functions()["TokenizationFunction"]
    env = {**function.environment, "GATEWAY_SECRET_ARN": name}
    host = FunctionHost("co-misconfigured", replace(function, environment=env))
    misconfigured.hosts[("co", "TokenizationFunction")] = host
    (authorizer,) = {a.function for a in stacks["co"].authorizers().values()}
    for used in (host, misconfigured.hosts[("co", authorizer)]):  # cold starts before capture
        used.handler()
    path = cards_path(untouched(), "co")
    api = TokenClient(misconfigured, agent_token)
    stream, swapped = capture_logs()
    try:
        answers = [
            send(api, "POST", path, {"cardDetails": CARD}),
            send(api, "DELETE", path, {"cardToken": str(uuid.uuid4())}),
        ]
    finally:
        for handler, previous in swapped:
            handler.stream = previous
    for answer in answers:
        assert answer.status_code == 503, answer.get_json()
        assert answer.get_json() == {
            "code": 503,
            "message": "The payment gateway is not configured; retry later",
        }
    logged = stream.getvalue()
    assert "not configured" in logged  # the failure was logged...
    assert "hunter2" not in logged and not leaks(logged)  # ...not the secret, nor the card
    assert api.get(path).status_code == 200  # reads need no gateway


# With PayU: the vault keeps its tokens too -------------------------------------------------
@pytest.fixture(scope="module")
def payu(build_stacks):
    """A Colombian stack whose gateway secret names PayU (the local stand-in of it)."""
    import os
    from unittest import mock

    from local.gateway import Gateway
    from local.payu_standin import PayuStandIn
    from local.server import local_function_env

    standin = PayuStandIn().start()
    stack = build_stacks("payucards")["co"]
    secret = stack.secret_name("GatewaySecret")
    boto3.client("secretsmanager").put_secret_value(SecretId=secret, SecretString=standin.secret())
    with mock.patch.dict(os.environ, standin.env()):
        yield Gateway({"co": stack}, "co", local_function_env()), standin, stack, secret
    standin.stop()


@pytest.fixture
def payu_api(payu, agent_token):
    return TokenClient(payu[0], agent_token)


def created_at_payu(standin, customer) -> list[str]:
    """The card tokens PayU was asked to make for `customer`."""
    return [
        r.body["creditCardToken"]["payerId"]
        for r in standin.received
        if r.command == "CREATE_TOKEN"
        and r.body["creditCardToken"]["payerId"] == customer["customerId"]
    ]


def test_a_payu_card_is_kept_listed_charged_and_deleted(payu, payu_api):
    _, standin, stack, _ = payu
    api = payu_api
    customer = without_recurring("co")
    path = cards_path(customer, "co")
    contract = customer["contracts"][0]["contractId"]
    recurring = f"{BASE}/co/billing/contracts/{contract}/recurringBillingInfo"
    before = listed(api, path)

    _, token = tokenize(api, path)
    assert standin.tokens[token["cardToken"]]["payerId"] == customer["customerId"]
    kept = vault_items(stack, customer)
    assert token["cardToken"] in kept  # the vault's own table: the card is kept there...
    assert_no_card_data(kept)  # ...as its token and masked number only
    assert api.get(path).get_json() == [token]  # newest first, limit 1 by default
    assert listed(api, path) == [token["cardToken"], *before]

    again = send(api, "POST", path, {"cardDetails": {**CARD, "cardVerificationValue": "123"}})
    assert (again.status_code, again.get_json()) == (201, token)
    assert len(created_at_payu(standin, customer)) == 1  # PayU was not asked again

    enrolled = send(api, "POST", recurring, {"cardToken": token["cardToken"]})
    assert enrolled.status_code == 201, enrolled.get_json()
    assert api.get(recurring).get_json()["cardInfo"] == "453201XXXXXX0366"
    refused = send(api, "DELETE", path, {"cardToken": token["cardToken"]})
    assert refused.status_code == 409 and contract in refused.get_json()["message"]
    assert token["cardToken"] in listed(api, path) and token["cardToken"] in standin.tokens

    assert send(api, "DELETE", recurring, {"cardToken": token["cardToken"]}).status_code == 200
    deleted = send(api, "DELETE", path, {"cardToken": token["cardToken"]})
    assert deleted.status_code == 200, deleted.get_json()
    assert listed(api, path) == before and token["cardToken"] not in standin.tokens
    assert send(api, "DELETE", path, {"cardToken": token["cardToken"]}).status_code == 404

    assert_no_card_data(vault_items(stack))


def test_a_payu_customer_keeps_at_most_five_cards(payu, payu_api):
    _, standin, _, _ = payu
    customer = claim("co", lambda c: not c.get("cardTokens"))
    path = cards_path(customer, "co")
    tokenize_others(payu_api, path)
    assert len(listed(payu_api, path)) == 5
    full = send(payu_api, "POST", path, {"cardDetails": CARD})
    assert full.status_code == 409 and "at most 5" in full.get_json()["message"]
    assert len(listed(payu_api, path)) == 5
    assert len(created_at_payu(standin, customer)) == 5  # the sixth never reached PayU


def test_a_rotated_payu_key_is_used_once_the_cached_secret_expires(payu, payu_api):
    from selfcare.adapters import boto

    _, standin, _, secret = payu
    customer = without_recurring("co")
    path = cards_path(customer, "co")
    assert send(payu_api, "POST", path, {"cardDetails": CARD}).status_code == 201
    before = listed(payu_api, path)

    standin.api_key = f"rotated-{uuid.uuid4().hex[:8]}"  # PayU takes only the new key...
    boto3.client("secretsmanager").put_secret_value(SecretId=secret, SecretString=standin.secret())
    number, brand, cvv = OTHER_CARDS[0]
    other = {**CARD, "cardNumber": number, "cardBrand": brand, "cardVerificationValue": cvv}
    stale = send(payu_api, "POST", path, {"cardDetails": other})
    assert stale.status_code == 502  # ...and the secret we read is cached for 5 minutes
    assert listed(payu_api, path) == before

    boto.forget()  # the cache expires: the next request reads the rotated secret
    fresh = send(payu_api, "POST", path, {"cardDetails": other})
    assert fresh.status_code == 201, fresh.get_json()
    assert standin.received[-1].body["merchant"]["apiKey"] == standin.api_key
    assert listed(payu_api, path) == [fresh.get_json()["cardToken"], *before]
