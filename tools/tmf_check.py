"""A read-only conformance check of an operator's TM Forum endpoint, with one identity.

    python -m tools.tmf_check --base-url https://bss.example/tmf-api --secret-file creds.json \\
        --country co --document CC:10307011 [--contract 84257928] [--schemas]

Builds the adapter Backend tmf runs (`TmfClient` + `TmfReads`, selfcare.adapters.tmf) and
calls every read port for the customer and its contracts (or `--contract` only): the
customer, its contracts, invoices and each invoice with its payment, recurring billing,
financing, products (each product, by subscription too, and its available offers), service
requests, scheduled visits, contact information, and the calls of each line over the last
`--days` days. Each answer must validate against the contract's response model
(selfcare.models); with `--schemas`, every resource the BSS answered in full must also
validate against its TMF v4 schema and the schema of its extension `@type`
(api/reference/tmf/, local/tmf_schema.py); a violation is shown by its JSON path and what
the schema expects there, never by the value the BSS sent.

It never writes: the client's post, patch and delete raise before anything is sent. The
secret file is the BssSecret's JSON (clientId, clientSecret, tokenUrl, scope?, clientCert?,
clientKey?); neither it nor a token is printed. Prints one line per check (OK/FAIL, the TMF
calls it made, why it failed: an answer the adapter cannot read is named by its error's
type only) and a summary. Exit 0 when every check passed, 1 when one failed, 2 on a usage
error.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ValidationError

from local.tmf_schema import COLLECTIONS, validate, validate_extension
from selfcare.adapters.tmf import apis
from selfcare.adapters.tmf.client import ClientCredentials, TmfClient
from selfcare.adapters.tmf.reads import TmfReads
from selfcare.countries import Country, get_country
from selfcare.errors import ServiceError
from selfcare.models.billing import (
    CallDetailList,
    Contract,
    ContractList,
    FinancingInfo,
    Invoice,
    InvoiceList,
    RecurringBillingInfo,
    paymentInfo,
)
from selfcare.models.cases import ScheduledVisitInfo, ServiceRequestList
from selfcare.models.customer import CustomerDetailInfo, CustomerExtendedInfo
from selfcare.models.portfolio import CommercialOfferingList, Product, ProductList
from selfcare.ports import ContractRef
from selfcare.wiring import BSS_PAGE_SIZE

DAYS = 180
WRITES = ("post", "patch", "delete")


class WriteRefused(AssertionError):
    """The check tried to change something at the BSS (it never may)."""


def read_only(client: TmfClient) -> TmfClient:
    """`client` with post, patch and delete refused before anything is sent."""

    def refuse(*_: Any, **__: Any) -> Any:
        raise WriteRefused("the conformance check never writes")

    for name in WRITES:
        setattr(client, name, refuse)
    return client


@dataclass
class Captured:
    """The resources the BSS answered in full (no `fields`), by collection and id."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, path: str, found: Any) -> None:
        collection = next((c for c in COLLECTIONS if path.startswith(c)), None)
        items = found if isinstance(found, list) else [found]
        with self.lock:
            for item in items:
                if collection and isinstance(item, dict):
                    kept = self.resources.setdefault(collection, {})
                    kept[str(item.get("id", len(kept)))] = item


def capturing(client: TmfClient, captured: Captured) -> None:
    """Keep every resource `client` reads in full."""
    get, list_ = client.get, client.list

    def get_kept(path: str, params: Any = None, fields: Any = None) -> Any:
        found = get(path, params, fields)
        if fields is None and found is not None:
            captured.keep(path, found)
        return found

    def list_kept(path: str, params: Any = None, fields: Any = None, limit: Any = None) -> Any:
        found = list_(path, params, fields, limit)
        if fields is None:
            captured.keep(path, found)
        return found

    setattr(client, "get", get_kept)  # noqa: B010 - instance attributes over the methods
    setattr(client, "list", list_kept)  # noqa: B010


@dataclass
class Report:
    client: TmfClient
    out: TextIO
    passed: int = 0
    failed: int = 0

    def check(
        self,
        name: str,
        read: Callable[[], Any],
        model: type[BaseModel] | None = None,
        *,
        required: bool = True,
        verify: Callable[[Any], str | None] | None = None,
    ) -> Any:
        """Run one read port: OK when it answers (None only when not `required`), validates
        as `model` and `verify` finds nothing wrong; the answer, or None when it failed."""
        before = self.client.calls
        problem, detail, found = None, "", None
        try:
            found = read()
            if found is None:
                problem = "not found" if required else None
                detail = "none"
            else:
                problem = _invalid(found, model) or (verify(found) if verify else None)
                detail = _size(found)
        except ServiceError as error:
            problem = f"{error.status} {type(error).__name__}: {error.message}"
        except WriteRefused as error:
            problem = str(error)
        except Exception as error:  # a malformed answer fails this check only, and its
            problem = f"unreadable answer ({type(error).__name__})"  # text may hold values
        self._line(name, self.client.calls - before, problem, detail)
        return None if problem else found

    def outcome(self, name: str, problem: str | None, detail: str = "") -> None:
        """A check that calls nothing."""
        self._line(name, None, problem, detail)

    def _line(self, name: str, calls: int | None, problem: str | None, detail: str) -> None:
        if problem:
            self.failed += 1
        else:
            self.passed += 1
        status = "FAIL" if problem else "OK"
        counted = "" if calls is None else f"{calls} call" + ("" if calls == 1 else "s")
        line = f"{status:<5} {name:<56} {counted:>8}  {problem or detail}"
        print(line.rstrip(), file=self.out)


def _invalid(found: Any, model: type[BaseModel] | None) -> str | None:
    if model is None:
        return None
    try:
        model.model_validate(found)
    except ValidationError as error:
        shown = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()[:3]]
        more = f" (+{error.error_count() - 3} more)" if error.error_count() > 3 else ""
        return f"not a valid {model.__name__}: " + "; ".join(shown) + more
    return None


def _size(found: Any) -> str:
    if isinstance(found, list):
        return f"{len(found)} item{'' if len(found) == 1 else 's'}"
    return ""


def _owned_by(document_type: str, number: str) -> Callable[[ContractRef], str | None]:
    def verify(ref: ContractRef) -> str | None:
        if (ref.document_type.upper(), ref.customer_id) != (document_type, number):
            return "its relatedParty[role=Customer] is another customer"
        if not ref.billing_account_id or ref.billing_account_id == "None":
            return "no billingAccount.id"
        return None

    return verify


def check_contract(
    report: Report,
    reads: TmfReads,
    owner: tuple[str, str],
    contract_id: str,
    today: date,
    days: int,
    schemas: bool = False,
) -> None:
    ref = report.check(
        f"find_contract {contract_id}",
        lambda: reads.find_contract(contract_id),
        verify=_owned_by(*owner),
    )
    if ref is None:
        return
    report.check(
        f"find_billing_account {ref.billing_account_id}",
        lambda: reads.find_billing_account(ref.billing_account_id),
        verify=lambda r: None if r.contract_id == contract_id else "another contract's",
    )
    report.check(f"contract {contract_id}", lambda: reads.contract(contract_id), Contract)
    if schemas:  # the ports read it partially (fields=contact): once in full, for its schema
        path = f"{apis.BILLING_ACCOUNT}/{ref.billing_account_id}"
        report.check(f"billing account {ref.billing_account_id}", lambda: reads.client.get(path))
    invoices = report.check(
        f"invoices {contract_id}", lambda: reads.invoices(contract_id), InvoiceList
    )
    for invoice in invoices or []:
        invoice_id = str(invoice["invoiceId"])
        report.check(
            f"invoice {contract_id}/{invoice_id}",
            lambda i=invoice_id: reads.invoice(contract_id, i),  # type: ignore[misc]
            Invoice,
        )
        report.check(
            f"invoice+payment {contract_id}/{invoice_id}",
            lambda i=invoice_id: reads.invoice_with_payment(contract_id, i),  # type: ignore[misc]
            verify=_invoice_and_payment,
        )
    report.check(
        f"recurring billing {contract_id}",
        lambda: reads.recurring_billing(contract_id),
        RecurringBillingInfo,
        required=False,
    )
    report.check(
        f"recurring card token {contract_id}",
        lambda: reads.recurring_card_token(contract_id),
        required=False,
        verify=lambda token: None if isinstance(token, str) and token else "not a token",
    )  # the token itself is never printed
    report.check(
        f"financing {contract_id}",
        lambda: reads.financing(contract_id),
        FinancingInfo,
        required=False,
    )
    products = report.check(
        f"products {contract_id}", lambda: reads.products(contract_id), ProductList
    )
    for product in products or []:
        check_product(report, reads, contract_id, product)
    report.check(
        f"service requests {contract_id}",
        lambda: reads.service_requests(contract_id),
        ServiceRequestList,
    )
    report.check(
        f"contact information {contract_id}",
        lambda: reads.contact_information(contract_id),
        CustomerDetailInfo,
        required=False,
    )
    start = today - timedelta(days=days)
    for line in ref.lines:
        report.check(
            f"calls {contract_id} line {line} ({days} days)",
            lambda n=line: reads.calls(contract_id, n, start, today),  # type: ignore[misc]
            CallDetailList,
        )


def check_product(report: Report, reads: TmfReads, contract_id: str, product: Any) -> None:
    product_id = int(product["productId"])
    name = f"{contract_id}/{product_id}"
    report.check(f"product {name}", lambda: reads.product(contract_id, product_id), Product)
    offerings = product.get("offeringList") or []
    subscription = next(
        (str(o["subscriptionNumber"]) for o in offerings if o.get("subscriptionNumber")), None
    )
    if subscription is not None:
        report.check(
            f"product {name} subscription {subscription}",
            lambda: reads.product(contract_id, product_id, subscription),
            Product,
        )
    report.check(
        f"available offers {name}",
        lambda: reads.available_offers(contract_id, product_id),
        CommercialOfferingList,
    )


def _invoice_and_payment(found: Any) -> str | None:
    invoice, payment = found
    return _invalid(invoice, Invoice) or (_invalid(payment, paymentInfo) if payment else None)


def check_schemas(report: Report, captured: Captured) -> None:
    """Every resource read in full against its TMF schema and its extension @type's."""
    for collection, resources in sorted(
        captured.resources.items(), key=lambda item: COLLECTIONS[item[0]]
    ):
        api, definition = COLLECTIONS[collection]
        problem, extended = None, 0
        for resource in resources.values():
            try:
                validate(resource, api, definition)
                extended += validate_extension(resource)
            except AssertionError as error:  # paths and keywords, never a value (tmf_schema)
                problem = f"{resource.get('id')}: {str(error).splitlines()[0]}"
                lines = str(error).splitlines()[1:3]
                problem += "; " + "; ".join(line.strip() for line in lines)
                break
            except Exception as error:  # fails this collection's check only
                problem = f"{resource.get('id')}: unreadable ({type(error).__name__})"
                break
        detail = f"{len(resources)} resources, {extended} of our @types"
        report.outcome(f"schema {api} {definition}", problem, detail)


def run(
    client: TmfClient,
    country: Country,
    document: tuple[str, str],
    contract: str | None,
    today: date,
    days: int,
    schemas: bool,
    out: TextIO,
) -> int:
    read_only(client)
    captured = Captured()
    if schemas:
        capturing(client, captured)
    reads = TmfReads(client, country.utc_offset)
    report = Report(client, out)
    document_type, number = document
    customer = report.check(
        f"find_customer {document_type} {number}",
        lambda: reads.find_customer(document_type, number),
    )
    if customer is not None:
        report.check(
            f"customer {document_type} {number}",
            lambda: reads.customer(document_type, number),
            CustomerExtendedInfo,
        )
        report.check(
            f"contracts of {document_type} {number}",
            lambda: reads.contracts(customer.contract_ids),
            ContractList,
            verify=lambda found: (
                None
                if [c["contractId"] for c in found] == list(customer.contract_ids)
                else "not every agreement of the customer is a TigoContract"
            ),
        )
        report.check(
            f"scheduled visits {document_type} {number}",
            lambda: reads.scheduled_visits(document_type, number),
            ScheduledVisitInfo,
            required=False,
        )
        chosen = list(customer.contract_ids) if contract is None else [contract]
        if contract is not None and contract not in customer.contract_ids:
            report.outcome(f"contract {contract}", "not one of the customer's agreements")
            chosen = []
        for contract_id in chosen:
            check_contract(report, reads, document, contract_id, today, days, schemas)
    if schemas:
        check_schemas(report, captured)
    print(
        f"{report.passed} passed, {report.failed} failed; {client.calls} TMF calls"
        " (token requests included); nothing written",
        file=out,
    )
    return 1 if report.failed else 0


def _document(text: str) -> tuple[str, str]:
    kind, _, number = text.partition(":")
    if not kind or not number:
        raise argparse.ArgumentTypeError("expected TYPE:NUMBER, e.g. CC:10307011")
    return kind, number


class UnreadableSecret(Exception):
    """The secret file is not text (naming none of its bytes)."""


def _secret(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except ValueError:  # UnicodeDecodeError: its message quotes the file's bytes
        raise UnreadableSecret("cannot read the secret file: it is not UTF-8 text") from None


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, not {text!r}")
    return seconds


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m tools.tmf_check",
        description="Read-only conformance check of a TM Forum (v4) endpoint, one identity.",
    )
    parser.add_argument("--base-url", required=True, help="the BSS's root, ending in /tmf-api")
    parser.add_argument("--secret-file", required=True, type=Path, help="the BssSecret's JSON")
    parser.add_argument("--country", required=True, help="co, gt or sv")
    parser.add_argument("--document", required=True, type=_document, help="TYPE:NUMBER")
    parser.add_argument("--contract", help="check this contract of the customer only")
    parser.add_argument("--days", type=int, default=DAYS, help="calls of the last DAYS days")
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--schemas", action="store_true", help="validate the raw resources too")
    parser.add_argument(
        "--attempt-timeout", type=_seconds, default=5.0, help="seconds per call (> 0)"
    )
    args = parser.parse_args(argv)
    try:
        country = get_country(args.country)
    except KeyError:
        parser.error(f"unknown country {args.country!r}")
    try:
        document_type, number = country.parse_document(*args.document)
        credentials = ClientCredentials.from_secret(_secret(args.secret_file))
        client = TmfClient(  # as the stacks build it (selfcare.wiring)
            args.base_url,
            lambda: credentials,
            attempt_timeout=args.attempt_timeout,
            page_size=BSS_PAGE_SIZE,
        )
    except OSError as error:
        parser.error(f"cannot read the secret file: {error.strerror or type(error).__name__}")
    except UnreadableSecret as error:
        parser.error(str(error))
    except ServiceError as error:  # the document, the secret or the URL: naming no value
        parser.error(error.message)
    today = args.today or country.today()
    return run(
        client,
        country,
        (document_type.code, number),
        args.contract,
        today,
        args.days,
        args.schemas,
        out,
    )


if __name__ == "__main__":
    raise SystemExit(main())
