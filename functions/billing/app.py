"""Billing routes: invoices, balance, payments, paperless, spool documents, calls, customers."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.event_handler.api_gateway import Response

from billing import calls, customers, invoices, paperless, spool
from selfcare import params
from selfcare.api import JSON, Api, public_base_url
from selfcare.errors import Conflict, InvalidParameter, NotFound
from selfcare.stores import checkout
from selfcare.stores.paperless import PaperlessStore, Target

api = Api("billing")
app = api.app
INVOICE_LIMIT = (1, 5)  # default, maximum


@cache
def paperless_store() -> PaperlessStore:
    from selfcare.adapters.items import DynamoItems

    return PaperlessStore(
        DynamoItems(api.settings.require("paperless_table"), "The paperless store")
    )


@cache
def checkout_store() -> checkout.CheckoutStore:
    from selfcare.adapters.items import DynamoItems

    return checkout.CheckoutStore(
        DynamoItems(api.settings.require("checkout_table"), "The checkout store")
    )


def spool_key() -> bytes:
    from selfcare.adapters import boto

    try:
        return boto.secret(api.settings.require("spool_secret")).encode()
    except Exception as error:
        raise boto.failure(error, "The spool signing key") from None


# Invoices -----------------------------------------------------------------------------------
@app.get("/billing/contracts/<contractId>/invoices")
def get_invoices_by_contract_id(contractId: str) -> Any:
    limit = params.limit(api.query, *INVOICE_LIMIT)
    return invoices.by_contract(api.backend, api.scope.need_contract(), limit)


@app.get("/billing/contracts/<contractId>/invoices/<invoiceId>")
def get_invoice_by_contract_id_and_invoice_id(contractId: str, invoiceId: str) -> Any:
    return invoices.one(api.backend, api.scope.need_contract(), invoiceId)


@app.get("/billing/contracts/<contractId>/invoices/<invoiceId>/paymentInfo")
def get_invoice_payment_info(contractId: str, invoiceId: str) -> Any:
    return invoices.payment(api.backend, api.scope.need_contract(), invoiceId)


@app.get("/billing/doc-type/<docTypeId>/customers/<customerId>/invoices")
def get_invoices_by_customer_id(docTypeId: str, customerId: str) -> Any:
    limit = params.limit(api.query, *INVOICE_LIMIT)
    return invoices.by_customer(api.backend, api.scope.need_customer(), limit)


@app.get("/billing/doc-type/<docTypeId>/customers/<customerId>/invoices/<invoiceId>")
def get_invoice_by_customer_id_and_invoice_id(
    docTypeId: str, customerId: str, invoiceId: str
) -> Any:
    params.check_path({"invoiceId": invoiceId})
    return invoices.one_of_customer(api.backend, api.scope.need_customer(), invoiceId)


@app.get("/billing/contracts/<contractId>/balance")
def get_balance_by_contract_id(contractId: str) -> Any:
    return invoices.balance(api.backend, api.scope.need_contract(), api.country)


@app.get("/billing/contracts/<contractId>/financing")
def get_financing_by_contract_id(contractId: str) -> Any:
    return invoices.financing(api.backend, api.scope.need_contract())


@app.get("/billing/contracts/<contractId>/recurringBillingInfo")
def get_recurring_billing_info_by_contract_id(contractId: str) -> Any:
    return invoices.recurring(api.backend, api.scope.need_contract())


# Customers and contracts --------------------------------------------------------------------
@app.get("/billing/doc-type/<docTypeId>/customers/<customerId>/contracts")
def get_contracts_by_customer_id(docTypeId: str, customerId: str) -> Any:
    return customers.contracts(api.backend, api.scope.need_customer())


@app.get("/billing/doc-type/<docTypeId>/customers/<customerId>")
def get_customer_by_customer_id(docTypeId: str, customerId: str) -> Any:
    owner = api.scope.need_customer()
    return customers.customer(api.backend, owner.document_type, owner.customer_id)


@app.get("/billing/contracts/<contractId>/customers")
def get_customer_by_contract_id(contractId: str) -> Any:
    return customers.of_contract(api.backend, api.scope.need_contract())


def today() -> date:
    """Today where the country is (invoices and enrolments are dated locally)."""
    return datetime.now(ZoneInfo(api.country.timezone)).date()


@app.post("/billing/contracts/<contractId>/invoices")
def create_invoice_by_contract_id(contractId: str) -> Any:
    from selfcare.body import parse
    from selfcare.models.billing import CreateInvoiceRequest

    request = parse(api.event, CreateInvoiceRequest)
    contract = api.scope.need_contract()
    return api.once(
        lambda: (invoices.create(api.backend, contract, request.amount, api.country, today()), 201)
    )


# Recurring billing --------------------------------------------------------------------------
def _recurring_request() -> Any:
    from selfcare.body import parse
    from selfcare.models.billing import RecurringBillingInfoRequest

    return parse(api.event, RecurringBillingInfoRequest)


@app.post("/billing/contracts/<contractId>/recurringBillingInfo")
def create_recurring_billing_info(contractId: str) -> Any:
    from billing import recurring

    request, contract = _recurring_request(), api.scope.need_contract()

    def produce() -> tuple[Any, int]:
        info, token = recurring.describe(api.backend, contract, api.country, request, today())
        return recurring.enrol(api.backend, contract, info, token), 201

    return api.once(produce)


@app.put("/billing/contracts/<contractId>/recurringBillingInfo")
def update_recurring_billing_info(contractId: str) -> Any:
    from billing import recurring

    request, contract = _recurring_request(), api.scope.need_contract()
    info, token = recurring.describe(api.backend, contract, api.country, request, today())
    return api.once(lambda: (recurring.update(api.backend, contract, info, token), 200))


@app.delete("/billing/contracts/<contractId>/recurringBillingInfo")
def delete_recurring_billing_info(contractId: str) -> Any:
    from billing import recurring
    from selfcare.body import parse
    from selfcare.models.tokenization import cardTokenizationRequest

    request, contract = parse(api.event, cardTokenizationRequest), api.scope.need_contract()
    return api.once(lambda: (recurring.end(api.backend, contract, request.cardToken), 200))


# Paperless ----------------------------------------------------------------------------------
@app.get("/billing/contracts/<contractId>/paperlessInvoiceInfo")
def get_paperless_invoice_info_by_contract_id(contractId: str) -> Any:
    return _paperless_read()


@app.get("/billing/contracts/<contractId>/<idType>/<id>/paperlessInvoiceInfo")
def get_paperless_invoice_info_by_id_type(contractId: str, idType: str, id: str) -> Any:
    return _paperless_read(idType, id)


@app.post("/billing/contracts/<contractId>/paperlessInvoiceInfo")
def create_paperless_invoice_info_by_contract_id(contractId: str) -> Any:
    return _paperless_change("create")


@app.post("/billing/contracts/<contractId>/<idType>/<id>/paperlessInvoiceInfo")
def create_paperless_invoice_info_by_id_type(contractId: str, idType: str, id: str) -> Any:
    return _paperless_change("create", idType, id)


@app.put("/billing/contracts/<contractId>/paperlessInvoiceInfo")
def update_paperless_invoice_info_by_contract_id(contractId: str) -> Any:
    return _paperless_change("update")


@app.put("/billing/contracts/<contractId>/<idType>/<id>/paperlessInvoiceInfo")
def update_paperless_invoice_info_by_id_type(contractId: str, idType: str, id: str) -> Any:
    return _paperless_change("update", idType, id)


@app.delete("/billing/contracts/<contractId>/paperlessInvoiceInfo")
def delete_paperless_invoice_info_by_contract_id(contractId: str) -> Any:
    return _paperless_change("delete")


@app.delete("/billing/contracts/<contractId>/<idType>/<id>/paperlessInvoiceInfo")
def delete_paperless_invoice_info_by_id_type(contractId: str, idType: str, id: str) -> Any:
    return _paperless_change("delete", idType, id)


def _paperless_read(id_type: str | None = None, id_: str | None = None) -> Response:
    contract = api.scope.need_contract()
    if id_type is not None:
        paperless.check_id_type(api.country, contract, id_type, id_ or "", api.backend)
    found = paperless_store().read(Target(contract.contract_id, id_type, id_))
    if found is None:
        inner = f"{id_type}/{id_} of " if id_type else ""
        raise NotFound(
            f"{inner}contract {contract.contract_id} is not subscribed to paperless invoices"
        )
    info, version = found
    return Response(200, JSON, info, headers={"ETag": paperless.etag(version)})


def _paperless_change(action: str, id_type: str | None = None, id_: str | None = None) -> Any:
    from selfcare.body import parse
    from selfcare.models.billing import paperlessInvoiceInfoRequest

    contract = api.scope.need_contract()
    if id_type is not None:
        paperless.check_id_type(api.country, contract, id_type, id_ or "", api.backend)
    request = parse(api.event, paperlessInvoiceInfoRequest)
    expected = paperless.if_match(app.current_event.headers.get("If-Match"))
    store = paperless_store()
    found = paperless.targets(
        api.scope, api.directory, id_type, id_, bool(request.affectRelatedContracts)
    )
    details = paperless.audit_details(api.scope.caller, request)

    def change() -> tuple[Any, int, dict[str, str]]:
        version: int | None = None
        if action == "delete":
            answer = paperless.delete(store, found, details, expected)
            api.count("PaperlessCancellations", len(found))
        else:
            info = paperless.subscription(request, contract, api.country)
            if action == "create":
                answer, version = paperless.create(store, found, info, details)
                api.count("PaperlessSubscriptions", len(found))
            else:
                answer, version = paperless.update(store, found, info, details, expected)
        paperless.reflect_on_invoices(store, api.backend.set_invoice_flags, found, api.logger)
        headers = {"ETag": paperless.etag(version)} if version is not None else {}
        return answer, 201 if action == "create" else 200, headers

    return api.once(change)


# Checkout -----------------------------------------------------------------------------------
@cache
def _gateway_for(credentials: Any) -> Any:
    import os

    from selfcare.adapters.items import DynamoItems
    from selfcare.adapters.payments import build_gateway

    items = DynamoItems(api.settings.require("sandbox_table"), "The sandbox gateway")
    return build_gateway(credentials, items, dict(os.environ))


def gateway() -> Any:
    """The stack's payment gateway, as its secret (cached 5 minutes) configures it."""
    from selfcare.adapters.payments import load_credentials

    return _gateway_for(load_credentials(api.settings.require("gateway_secret")))


@app.post("/billing/contracts/<contractId>/invoices/<invoiceId>/checkOut")
def create_checkout_for_contract_id_and_invoice_id(contractId: str, invoiceId: str) -> Any:
    from billing import checkout as pay
    from selfcare.body import parse
    from selfcare.models.billing import CheckOutInfo

    request = parse(api.event, CheckOutInfo)
    if request.invoiceId != invoiceId:
        raise InvalidParameter("invoiceId", "must be the invoice of the path")
    for name in ("returnUrl", "cancelUrl"):
        pay.check_url(name, getattr(request, name), api.settings.allowed_return_hosts)
    contract = api.scope.need_contract()
    invoice = invoices.one(api.backend, contract, invoiceId)
    base = public_base_url(api.event)

    def produce() -> tuple[Any, int]:
        found = gateway()
        urls = (f"{base}/payments/notifications/{found.name}", base)
        created = pay.create(
            checkout_store(), found, api.backend, contract, invoice, request, api.country, urls,
            api.settings.checkout_minutes, api.count,
        )  # fmt: skip
        return created, 201

    return api.once(produce)


def _checkout_answer(attempt: dict[str, Any] | None, what: str) -> Any:
    from billing import checkout as pay

    found = gateway() if attempt is not None and attempt.get("checkOutId") else None
    answer, status = pay.answer(checkout_store(), found, api.backend, attempt, what, api.count)
    return Response(status, JSON, answer)


@app.get("/billing/contracts/<contractId>/invoices/<invoiceId>/checkOut")
def get_checkout_by_contract_id_and_invoice_id(contractId: str, invoiceId: str) -> Any:
    contract = api.scope.need_contract()
    attempt = checkout_store().latest(contractId, invoiceId)
    if attempt is None:  # attempts exist only for the contract's invoices: else ask which 404
        invoices.one(api.backend, contract, invoiceId)
    return _checkout_answer(attempt, f"No payment attempt for invoice {invoiceId}")


@app.get("/billing/contracts/<contractId>/invoices/<invoiceId>/checkOut/<paymentToken>")
def get_checkout_by_payment_token(contractId: str, invoiceId: str, paymentToken: str) -> Any:
    contract = api.scope.need_contract()
    attempt = checkout_store().get(contractId, invoiceId, paymentToken)
    if attempt is None:
        invoices.one(api.backend, contract, invoiceId)
    return _checkout_answer(attempt, f"No payment attempt {paymentToken} for invoice {invoiceId}")


# The gateways' side (outside the contract, no bearer token) -----------------------------------
@app.post("/payments/notifications/<name>")
def payment_notification(name: str) -> Any:
    from billing import checkout as pay
    from selfcare.body import text

    found = gateway()
    if name != found.name:
        raise NotFound(f"This stack's gateway is not '{name}'")
    headers = dict(app.current_event.headers)
    return pay.receive(
        checkout_store(), found, api.backend, headers, text(api.event), api.logger, api.count
    )


@app.get("/payments/sandbox/checkout/<checkOutId>")
def sandbox_gateway_page(checkOutId: str) -> Response:
    from billing import pages
    from selfcare.adapters.payments import sandbox_page

    session = _sandbox().session(checkOutId)
    page = sandbox_page.page(session, api.country)
    redirects = (session.get("returnUrl"), session.get("cancelUrl"))
    return Response(200, "text/html; charset=utf-8", page, headers=pages.headers(page, redirects))


@app.post("/payments/sandbox/checkout/<checkOutId>")
def sandbox_gateway_decision(checkOutId: str) -> Response:
    from urllib.parse import parse_qs

    from billing import checkout as pay
    from billing import pages
    from selfcare.adapters.payments import sandbox_page
    from selfcare.body import text

    form = {k: v[0] for k, v in parse_qs(text(api.event)).items()}
    sandbox = _sandbox()
    decision = sandbox.decide(checkOutId, form.get("action", ""), form.get("cardNumber", ""))
    # The gateway's notification, signed and verified like any other (delivered in process:
    # the sandbox gateway lives in this function).
    pay.receive(
        checkout_store(),
        sandbox,
        api.backend,
        decision.headers,
        decision.body,
        api.logger,
        api.count,
    )
    if decision.redirect:
        target = sandbox_page.back_to(decision.redirect, decision.outcome)
        return Response(303, "text/html; charset=utf-8", "", headers={"Location": target})
    page = sandbox_page.result(decision.outcome)
    return Response(200, "text/html; charset=utf-8", page, headers=pages.headers(page))


def _sandbox() -> Any:
    found = gateway()
    if found.name != "sandbox":
        raise NotFound("This stack does not use the sandbox gateway")
    return found


@app.get("/payments/payu/checkout/<paymentToken>")
def payu_checkout_page(paymentToken: str) -> Response:
    from billing import checkout as pay
    from billing import pages

    found = gateway()
    if found.name != "payu":
        raise NotFound("This stack does not use PayU")
    attempt = checkout_store().by_token(paymentToken)
    if attempt is None or checkout.status_of(attempt) != "pending":
        raise NotFound("No payment in process with that token")
    invoice = api.backend.invoice(attempt["contractId"], attempt["invoiceId"])
    if invoice is None or pay.cannot_take(invoice, attempt):  # paid meanwhile (a PayU retry)
        raise Conflict("This invoice was paid meanwhile: there is nothing left to pay")
    base = public_base_url(api.event)
    urls = (f"{base}/payments/notifications/{attempt.get('gateway', 'payu')}", base)
    page = found.checkout_page(pay.start_of(attempt, urls, api.country))
    return Response(200, "text/html; charset=utf-8", page, headers=pages.headers(page))


# Spool documents ----------------------------------------------------------------------------
@app.get("/billing/contracts/<contractId>/invoices/spool/billingDates")
def get_available_spool_billing_dates(contractId: str) -> Any:
    return spool.billing_dates(api.backend, api.scope.need_contract())


@app.get("/billing/contracts/<contractId>/invoices/spool/billingDates/<billingDate>/url")
def get_spool_url_by_billing_date(contractId: str, billingDate: str) -> Any:
    contract = api.scope.need_contract()
    invoice = spool.invoice_on(api.backend, contract, params.parse_date(billingDate, "billingDate"))
    return _link(contract, invoice["invoiceId"])


@app.get("/billing/contracts/<contractId>/invoices/spool/<invoiceId>/url")
def get_spool_url_by_invoice_id(contractId: str, invoiceId: str) -> Any:
    contract = api.scope.need_contract()
    invoices.one(api.backend, contract, invoiceId)
    return _link(contract, invoiceId)


def _link(contract: Any, invoice_id: str) -> Any:
    base = public_base_url(api.event)
    return spool.link(base, spool_key(), contract, invoice_id, api.settings.spool_url_ttl)


@app.get("/billing/contracts/<contractId>/invoices/spool/<invoiceId>/pdf")
def get_invoice_pdf_by_contract_id(contractId: str, invoiceId: str) -> Response:
    return _pdf(api.scope.need_contract().contract_id, invoiceId)


@app.get("/billing/billingaccounts/<billingAccountId>/invoices/spool/<invoiceId>/pdf")
def get_invoice_pdf_by_billing_account_id(billingAccountId: str, invoiceId: str) -> Response:
    return _pdf(api.scope.need_contract().contract_id, invoiceId)


@app.get("/billing/spool/documents/<token>")
def get_spool_document(token: str) -> Response:
    spool.check_token_shape(token)
    contract_id, invoice_id = spool.verify(spool_key(), token)
    return _pdf(contract_id, invoice_id)


def _pdf(contract_id: str, invoice_id: str) -> Response:
    from billing import pdf

    contract = api.directory.find_contract(contract_id)
    if contract is None:
        raise NotFound(f"No contract {contract_id}")
    found = api.backend.invoice_with_payment(contract_id, invoice_id)  # the one read
    if found is None:
        raise NotFound(f"No invoice {invoice_id} in contract {contract_id}")
    document = pdf.render(api.country, contract, *found)
    return Response(
        status_code=200,
        content_type="application/pdf",
        body=document,
        headers={"Content-Disposition": f'inline; filename="factura-{invoice_id}.pdf"'},
    )


# Calls --------------------------------------------------------------------------------------
@app.get("/billing/contracts/<contractId>/measuringElement/<measuringElement>/calls")
def get_calls(contractId: str, measuringElement: str) -> Any:
    contract = api.scope.need_contract()
    return calls.calls(api.backend, contract, measuringElement, api.query, country=api.country)


@app.get("/billing/contracts/<contractId>/measuringElement/<measuringElement>/localcalls")
def get_local_calls(contractId: str, measuringElement: str) -> Any:
    contract = api.scope.need_contract()
    return calls.calls(
        api.backend, contract, measuringElement, api.query, local_only=True, country=api.country
    )


handler = api.handler
