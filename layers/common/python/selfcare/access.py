"""The one place every request goes through before its route: which country, which customer
and contract the path names, whether they exist, and whether the caller may reach them."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from selfcare import params, scopes
from selfcare.countries import Country
from selfcare.errors import Forbidden, NotFound, Unauthorized
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
    """A Directory whose answers are kept `ttl` seconds (5 minutes) per warm container, at most
    `size` of them (a full cache starts afresh); misses are not kept."""

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


NOT_YOURS = "This resource does not belong to the caller"


def resolve(
    path: Mapping[str, str],
    caller: Caller,
    country: Country,
    directory: Directory,
    method: str = "GET",
    resource: str = "",
) -> Scope:
    """Check the caller's scope for the operation, validate the path's ids, load who owns
    them and check the caller may reach them."""
    if path.get("country", country.code).lower() != country.code:
        raise NotFound(f"This API serves country '{country.code}'")
    needed = scopes.required(method, resource)
    if needed is not None:
        if caller.kind == "anonymous":
            raise Unauthorized("A bearer token is required")
        if needed not in caller.scopes:
            raise Forbidden(f"The token does not grant the '{needed}' scope")
    params.check_path(path)
    customer = contract = None
    if "docTypeId" in path:
        document, number = country.parse_document(path["docTypeId"], path.get("customerId", ""))
        if caller.kind == "customer" and not caller.owns(document.code, number):
            raise Forbidden(NOT_YOURS)  # before any lookup: whether it exists is not theirs to know
        customer = directory.find_customer(document.code, number)
        if customer is None:
            raise NotFound(f"No customer with {document.code} {number}")
    if "contractId" in path:
        contract = _owned(caller, directory.find_contract(path["contractId"]))
        if contract is None:
            raise NotFound(f"No contract {path['contractId']}")
    elif "billingAccountId" in path:
        contract = _owned(caller, directory.find_billing_account(path["billingAccountId"]))
        if contract is None:
            raise NotFound(f"No billing account {path['billingAccountId']}")
    return Scope(country=country, caller=caller, customer=customer, contract=contract)


def _owned(caller: Caller, contract: ContractRef | None) -> ContractRef | None:
    """Customers get the same 403 for someone else's contract and for one that does not
    exist, so that answers never reveal which ids exist; agents reach any contract of
    their country."""
    if caller.kind == "customer" and (
        contract is None or not caller.owns(contract.document_type, contract.customer_id)
    ):
        raise Forbidden(NOT_YOURS)
    return contract
