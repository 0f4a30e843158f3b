"""Requests carrying card numbers, tokens and secrets leave none of them in anything the
service logs or answers: function and authorizer logs, metrics output, error messages."""

from __future__ import annotations

import io
import logging

import boto3

from local import auth, demo
from tests.conftest import AS_OF

PAN = "4111111111111111"
PAN_SPACED = "4111 1111 1111 1111"
MASKED = "411111XXXXXX1111"


def capture_every_log_stream() -> tuple[io.StringIO, list]:
    stream = io.StringIO()
    swapped = []
    for logger in [logging.getLogger(), *map(logging.getLogger, logging.root.manager.loggerDict)]:
        for handler in getattr(logger, "handlers", []):
            if type(handler) is logging.StreamHandler:  # Powertools' (not pytest's own capture)
                swapped.append((handler, handler.stream))
                handler.stream = stream  # no flush of a stream a finished test may have closed
    return stream, swapped


def test_card_numbers_tokens_and_secrets_never_reach_logs_or_answers(client, gateway, capsys):
    customer = demo.demo_customers("co", AS_OF)[0]
    contract = customer["contracts"][0]
    token = auth.customer_token(customer["documentType"], customer["customerId"])
    forged = token[:-8] + "AAAAAAAA"
    for host in gateway.hosts.values():  # every function's cold start happens before capture
        host.handler()
    stream, swapped = capture_every_log_stream()
    answers = []
    try:
        requests = [
            (f"/billing/contracts/{PAN}/invoices/", {}),
            (f"/billing/contracts/{contract['contractId']}/invoices/{PAN}", {}),
            (f"/portfolio/contracts/{contract['contractId']}/products/{PAN}", {}),
            (f"/billing/doc-type/cc/customers/{PAN}/contracts/", {}),
            (f"/billing/contracts/{contract['contractId']}/invoices/", {"limit": PAN_SPACED}),
            (f"/billing/contracts/{contract['contractId']}/invoices/x/checkOut/{PAN}", {}),
            (
                f"/billing/contracts/{contract['contractId']}/invoices/spool/{contract['invoices'][-1]['invoiceId']}/url",
                {},
            ),
        ]
        for path, query in requests:
            for headers in (
                {"Authorization": f"Bearer {token}"},
                {"Authorization": f"Bearer {forged}"},
            ):
                response = client.get(
                    f"/v1/tigo/home/co{path}", query_string=query, headers=headers
                )
                answers.append(response.get_data(as_text=True))
    finally:
        for handler, previous in swapped:
            handler.stream = previous
    logged = stream.getvalue() + capsys.readouterr().out
    secret = boto3.client("secretsmanager").get_secret_value(
        SecretId="home-self-care/co/local/spool-signing-key"
    )["SecretString"]
    everything = logged + "\n".join(answers)
    assert "Refused" in logged and '"status":404' in logged  # the requests were logged
    for raw in (PAN, PAN_SPACED, token, forged, token.split(".")[2], secret):
        assert raw not in everything
    assert MASKED in everything  # masked numbers may appear, to help support


SEPARATED = [  # every separator a person types between a card's groups of digits
    "4111.1111.1111.1111",
    "4111_1111_1111_1111",
    "4111-1111-1111-1111",
    "4111.1111-1111_1111",
]


def test_a_card_number_as_a_path_id_comes_back_masked_in_answers_and_logs(client, gateway, capsys):
    """An agent reaching an unknown id hears it back in the 404's message ("No contract
    ..."): a card number there, with whatever separators, is masked in the answer and in
    the log line of the refusal."""
    customer = demo.demo_customers("co", AS_OF)[0]
    contract = customer["contracts"][0]["contractId"]
    for host in gateway.hosts.values():
        host.handler()
    stream, swapped = capture_every_log_stream()
    answers = []
    try:
        for number in SEPARATED:
            for path in (
                f"/billing/contracts/{number}/balance",
                f"/billing/contracts/{contract}/invoices/{number}",
            ):
                response = client.get(f"/v1/tigo/home/co{path}")
                assert response.status_code == 404, (path, response.status_code)
                answers.append(response.get_json()["message"])
    finally:
        for handler, previous in swapped:
            handler.stream = previous
    logged = stream.getvalue() + capsys.readouterr().out
    # Booleans only: a failure must not print the numbers it found.
    assert [MASKED in message for message in answers] == [True] * 2 * len(SEPARATED)
    assert logged.count(MASKED) >= len(answers)  # each refusal was logged, masked
    assert sum(n[:9] in text for n in SEPARATED for text in (logged, *answers)) == 0
