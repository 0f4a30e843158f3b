"""Billing routes: invoices, balance, payments, paperless, spool documents, calls, customers."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from billing import calls, customers, invoices, paperless, spool
from billing.events import Events
from selfcare import params
from selfcare.api import JSON, Api, public_base_url
from selfcare.errors import NotFound

# Its errors name the sandbox gateway's table "The sandbox gateway" (as they always did).
api = Api("billing", gateway_name="The sandbox gateway")
app = api.app
wiring = api.wiring  # the paperless and checkout stores, the gateway, the spool key
INVOICE_LIMIT = (1, 5)  # default, maximum


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


@app.post("/billing/contracts/<contractId>/invoices")
def create_invoice_by_contract_id(contractId: str) -> Any:
    from selfcare.body import parse
    from selfcare.models.billing import CreateInvoiceRequest

    request = parse(api.event, CreateInvoiceRequest)
    contract = api.scope.need_contract()
    return api.once(
        lambda: (invoices.create(api.backend, contract, request.amount, api.country), 201)
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
    events = Events(api.count, api.logger)
    return api.once(
        lambda: (recurring.enrol_as_asked(api.backend, contract, api.country, request, events), 201)
    )


@app.put("/billing/contracts/<contractId>/recurringBillingInfo")
def update_recurring_billing_info(contractId: str) -> Any:
    from billing import recurring

    request, contract = _recurring_request(), api.scope.need_contract()
    info, token = recurring.describe(api.backend, contract, api.country, request)
    return api.once(lambda: (recurring.update(api.backend, contract, info, token), 200))


@app.delete("/billing/contracts/<contractId>/recurringBillingInfo")
def delete_recurring_billing_info(contractId: str) -> Any:
    from billing import recurring
    from selfcare.body import parse
    from selfcare.models.tokenization import cardTokenizationRequest

    request, contract = parse(api.event, cardTokenizationRequest), api.scope.need_contract()
    events = Events(api.count, api.logger)
    return api.once(lambda: (recurring.end(api.backend, contract, request.cardToken, events), 200))


# Paperless ----------------------------------------------------------------------------------
# Every paperless operation, by contract or by idType/id: GET reads, POST/PUT/DELETE change
# (billing.paperless.ACTIONS). One handler; the logic says what each method does.
@app.route("/billing/contracts/<contractId>/paperlessInvoiceInfo", ["GET", "POST", "PUT", "DELETE"])
@app.route(
    "/billing/contracts/<contractId>/<idType>/<id>/paperlessInvoiceInfo",
    ["GET", "POST", "PUT", "DELETE"],
)
def paperless_invoice_info(
    contractId: str, idType: str | None = None, id: str | None = None
) -> Response:
    contract = api.scope.need_contract()
    if idType is not None:
        paperless.check_id_type(api.country, contract, idType, id or "", api.backend)
    method = app.current_event.http_method
    if method == "GET":
        info, version = paperless.read(wiring.paperless, contract, idType, id)
        return Response(200, JSON, info, headers={"ETag": paperless.etag(version)})
    from selfcare.body import parse
    from selfcare.models.billing import paperlessInvoiceInfoRequest

    request = parse(api.event, paperlessInvoiceInfoRequest)
    if_match = app.current_event.headers.get("If-Match")
    store, events = wiring.paperless, Events(api.count, api.logger)
    change = paperless.asked(method, request, if_match, api.scope, api.directory, idType, id)
    return api.once(
        lambda: paperless.apply(change, request, contract, api.country, store, api.backend, events)
    )


# Checkout -----------------------------------------------------------------------------------
@app.post("/billing/contracts/<contractId>/invoices/<invoiceId>/checkOut")
def create_checkout_for_contract_id_and_invoice_id(contractId: str, invoiceId: str) -> Any:
    from billing import checkout as pay
    from selfcare.body import parse
    from selfcare.models.billing import CheckOutInfo

    request = parse(api.event, CheckOutInfo)
    pay.check_request(request, invoiceId, api.settings.allowed_return_hosts)
    contract = api.scope.need_contract()
    invoice = invoices.one(api.backend, contract, invoiceId)
    base = public_base_url(api.event)

    def produce() -> tuple[Any, int]:
        found = wiring.gateway()
        urls = (f"{base}/payments/notifications/{found.name}", base)
        checkout = pay.Checkout(
            contract, invoice, request, api.country, urls, api.settings.checkout_minutes
        )
        return pay.create(wiring.checkout, found, api.backend, checkout, Events(api.count)), 201

    return api.once(produce)


def _checkout_answer(attempt: dict[str, Any] | None, what: str) -> Any:
    from billing import checkout as pay

    found = wiring.gateway() if attempt is not None and attempt.get("checkOutId") else None
    events = Events(api.count)
    answer, status = pay.answer(wiring.checkout, found, api.backend, attempt, what, events)
    return Response(status, JSON, answer)


@app.get("/billing/contracts/<contractId>/invoices/<invoiceId>/checkOut")
def get_checkout_by_contract_id_and_invoice_id(contractId: str, invoiceId: str) -> Any:
    contract = api.scope.need_contract()
    attempt = wiring.checkout.latest(contractId, invoiceId)
    if attempt is None:  # attempts exist only for the contract's invoices: else ask which 404
        invoices.one(api.backend, contract, invoiceId)
    return _checkout_answer(attempt, f"No payment attempt for invoice {invoiceId}")


@app.get("/billing/contracts/<contractId>/invoices/<invoiceId>/checkOut/<paymentToken>")
def get_checkout_by_payment_token(contractId: str, invoiceId: str, paymentToken: str) -> Any:
    contract = api.scope.need_contract()
    attempt = wiring.checkout.get(contractId, invoiceId, paymentToken)
    if attempt is None:
        invoices.one(api.backend, contract, invoiceId)
    return _checkout_answer(attempt, f"No payment attempt {paymentToken} for invoice {invoiceId}")


# The gateways' side (outside the contract, no bearer token) -----------------------------------
@app.post("/payments/notifications/<name>")
def payment_notification(name: str) -> Any:
    from billing import checkout as pay
    from selfcare.body import text

    found = wiring.gateway()
    if name != found.name:
        raise NotFound(f"This stack's gateway is not '{name}'")
    headers = dict(app.current_event.headers)
    events = Events(api.count, api.logger)
    return pay.receive(wiring.checkout, found, api.backend, headers, text(api.event), events)


@app.get("/payments/sandbox/checkout/<checkOutId>")
def sandbox_gateway_page(checkOutId: str) -> Response:
    from billing import pages

    session = _sandbox().session(checkOutId)
    from selfcare.adapters.payments import sandbox_page  # after _sandbox(): its layer is there

    page = sandbox_page.page(session, api.country)
    redirects = (session.get("returnUrl"), session.get("cancelUrl"))
    return Response(200, "text/html; charset=utf-8", page, headers=pages.headers(page, redirects))


@app.post("/payments/sandbox/checkout/<checkOutId>")
def sandbox_gateway_decision(checkOutId: str) -> Response:
    from urllib.parse import parse_qs

    from billing import checkout as pay
    from billing import pages
    from selfcare.body import text

    form = {k: v[0] for k, v in parse_qs(text(api.event)).items()}
    sandbox = _sandbox()
    from selfcare.adapters.payments import sandbox_page  # after _sandbox(): its layer is there

    decision = sandbox.decide(checkOutId, form.get("action", ""), form.get("cardNumber", ""))
    # The gateway's notification, signed and verified like any other (delivered in process:
    # the sandbox gateway lives in this function).
    events = Events(api.count, api.logger)
    pay.receive(wiring.checkout, sandbox, api.backend, decision.headers, decision.body, events)
    if decision.redirect:
        target = sandbox_page.back_to(decision.redirect, decision.outcome)
        return Response(303, "text/html; charset=utf-8", "", headers={"Location": target})
    page = sandbox_page.result(decision.outcome)
    return Response(200, "text/html; charset=utf-8", page, headers=pages.headers(page))


def _sandbox() -> Any:
    found = wiring.gateway()
    if found.name != "sandbox":
        raise NotFound("This stack does not use the sandbox gateway")
    return found


@app.get("/payments/payu/checkout/<paymentToken>")
def payu_checkout_page(paymentToken: str) -> Response:
    from billing import checkout as pay
    from billing import pages

    found = wiring.gateway()
    checkout_page = getattr(found, "checkout_page", None)  # PayU's own: a form it posts
    if found.name != "payu" or checkout_page is None:
        raise NotFound("This stack does not use PayU")
    start = pay.resume(
        wiring.checkout, api.backend, paymentToken, public_base_url(api.event), api.country
    )
    page = checkout_page(start)
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
    return spool.link(base, wiring.spool_key(), contract, invoice_id, api.settings.spool_url_ttl)


@app.get("/billing/contracts/<contractId>/invoices/spool/<invoiceId>/pdf")
def get_invoice_pdf_by_contract_id(contractId: str, invoiceId: str) -> Response:
    return _pdf(api.scope.need_contract().contract_id, invoiceId)


@app.get("/billing/billingaccounts/<billingAccountId>/invoices/spool/<invoiceId>/pdf")
def get_invoice_pdf_by_billing_account_id(billingAccountId: str, invoiceId: str) -> Response:
    return _pdf(api.scope.need_contract().contract_id, invoiceId)


@app.get("/billing/spool/documents/<token>")
def get_spool_document(token: str) -> Response:
    spool.check_token_shape(token)
    contract_id, invoice_id = spool.verify(wiring.spool_key(), token)
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
