"""tests/integration/test_offerings.py, run again on Backend tmf (the API fronting a TMF BSS)."""

from __future__ import annotations

from tests.integration.test_offerings import *  # noqa: F403 - the same tests, on the other backend


def test_the_next_monthly_invoice_bills_an_added_offering(client, tmf_standin):
    """The BSS's own monthly billing run issues later invoices from what the products cost
    then (the stand-in's run is the sandbox's, over its own store): an offering added
    through the API today is on the next invoice the API lists."""
    import json as _json
    from datetime import timedelta
    from decimal import Decimal

    from local import samples as _samples
    from selfcare.countries import get_country
    from tests.conftest import AS_OF
    from tests.support.claims import claim

    sample = _samples.BY_OPERATION["AddOfferingByContractIdAndProductId"]
    customer = claim("gt", sample.suits)
    values = sample.values("gt", customer)
    bss = tmf_standin.countries["gt"]
    before = bss.backend.monthly_charges(values["contractId"])
    added = client.post(
        f"/v1/tigo/home/gt/portfolio/contracts/{values['contractId']}/products/{values['productId']}",
        data=_json.dumps(sample.body("gt", customer)),
        content_type="application/json",
    )
    assert added.status_code == 201
    after = bss.backend.monthly_charges(values["contractId"])
    assert after > before
    with tmf_standin.lock:
        invoice = bss.backend.issue_monthly_invoice(
            values["contractId"], AS_OF + timedelta(days=31), get_country("gt")
        )
        bss.refresh(values["contractId"])
    newest = client.get(
        f"/v1/tigo/home/gt/billing/contracts/{values['contractId']}/invoices"
    ).get_json()[0]
    assert newest["invoiceId"] == invoice["invoiceId"]
    assert Decimal(str(newest["invoiceAmount"])) == after
