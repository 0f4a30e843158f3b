"""The one place every request goes through before its route: which country, which customer
and contract the path names, whether they exist, and whether the caller may reach them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from selfcare import params
from selfcare.countries import Country
from selfcare.errors import Forbidden, NotFound
from selfcare.identity import Caller
from selfcare.ports import ContractRef, CustomerRef, Directory

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a request is about, resolved and authorized."""

    country: Country
    caller: Caller
    customer: CustomerRef | None = None
    contract: ContractRef | None = None

    def need_contract(self) -> ContractRef:
        """The contract of a route whose path names one ({contractId} or {billingAccountId})."""
        if self.contract is None:
            raise NotFound("This route names no contract")
        return self.contract

    def need_customer(self) -> CustomerRef:
        """The customer of a route whose path names one ({docTypeId}/{customerId})."""
        if self.customer is None:
            raise NotFound("This route names no customer")
        return self.customer


class CachedDirectory:
    """A Directory whose answers are kept per warm container (ids and owners do not change)."""

    def __init__(self, directory: Directory, ttl: float = 300.0, size: int = 4096) -> None:
        self._directory = directory
        self._ttl = ttl
        self._size = size
        self._cache: dict[tuple[str, ...], tuple[float, object]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple[str, ...], load: Callable[[], T | None]) -> T | None:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]  # type: ignore[return-value]
        value = load()
        if value is not None:  # misses are not cached: a new customer shows up at once
            with self._lock:
                if len(self._cache) >= self._size:
                    self._cache.clear()
                self._cache[key] = (now + self._ttl, value)
        return value

    def find_contract(self, contract_id: str) -> ContractRef | None:
        return self._cached(("c", contract_id), lambda: self._directory.find_contract(contract_id))

    def find_customer(self, document_type: str, customer_id: str) -> CustomerRef | None:
        return self._cached(
            ("u", document_type, customer_id),
            lambda: self._directory.find_customer(document_type, customer_id),
        )

    def find_billing_account(self, billing_account_id: str) -> ContractRef | None:
        return self._cached(
            ("b", billing_account_id),
            lambda: self._directory.find_billing_account(billing_account_id),
        )


def resolve(
    path: Mapping[str, str], caller: Caller, country: Country, directory: Directory
) -> Scope:
    """Validate the path's ids, load who owns them and check the caller may see them."""
    if path.get("country", country.code).lower() != country.code:
        raise NotFound(f"This API serves country '{country.code}'")
    params.check_path(path)
    customer = contract = None
    if "docTypeId" in path:
        document, number = country.parse_document(path["docTypeId"], path.get("customerId", ""))
        customer = directory.find_customer(document.code, number)
        if customer is None:
            raise NotFound(f"No customer with {document.code} {number}")
        authorize(caller, customer.document_type, customer.customer_id)
    if "contractId" in path:
        contract = directory.find_contract(path["contractId"])
        if contract is None:
            raise NotFound(f"No contract {path['contractId']}")
        authorize(caller, contract.document_type, contract.customer_id)
    elif "billingAccountId" in path:
        contract = directory.find_billing_account(path["billingAccountId"])
        if contract is None:
            raise NotFound(f"No billing account {path['billingAccountId']}")
        authorize(caller, contract.document_type, contract.customer_id)
    return Scope(country=country, caller=caller, customer=customer, contract=contract)


def authorize(caller: Caller, document_type: str, customer_id: str) -> None:
    """Ownership: customers reach only what their own document owns; agents reach their
    country. Requests without an authorizer context (`anonymous`) come only from stacks
    and local runs that have no authorizer yet."""
    if caller.kind == "customer" and not caller.owns(document_type, customer_id):
        raise Forbidden("This resource does not belong to the caller")
