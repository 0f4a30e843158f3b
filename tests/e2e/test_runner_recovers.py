"""An embedded AWS that comes back empty (moto restarted, or its state reset) is noticed:
the runner provisions and seeds its stacks again and serves, without being restarted."""

from __future__ import annotations

import requests

from local import auth, demo
from tests.conftest import AS_OF
from tests.support.runners import embedded_aws_process, runner_processes


def test_the_runner_rebuilds_its_stacks_when_the_embedded_aws_lost_them():
    customer = demo.demo_customers("co", AS_OF)[0]
    path = (
        f"/v1/tigo/home/co/billing/doc-type/{customer['documentType'].lower()}"
        f"/customers/{customer['customerId']}/contracts/"
    )
    token = {"Authorization": f"Bearer {auth.agent_token('call-centre')}"}
    with (
        embedded_aws_process(customers=8) as endpoint,
        runner_processes(endpoint, 1, customers=8) as (runner,),
    ):
        assert requests.get(f"{runner}{path}", headers=token, timeout=60).status_code == 200
        assert requests.post(f"{endpoint}/moto-api/reset", timeout=60).status_code == 200
        first = requests.get(f"{runner}{path}", headers=token, timeout=120)
        assert first.status_code in (200, 503), first.text  # the one that finds them gone
        again = requests.get(f"{runner}{path}", headers=token, timeout=60)
        assert again.status_code == 200, again.text
        assert [c["contractId"] for c in again.json()] == [
            c["contractId"] for c in customer["contracts"]
        ]
