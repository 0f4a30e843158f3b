"""Paperless invoice subscriptions: which (idType, id) routes a country uses."""

from __future__ import annotations

from selfcare.countries import Country
from selfcare.errors import InvalidParameter, NotFound
from selfcare.ports import ContractRef

ID_TYPES = ("subscriptions", "billingaccounts")


def check_id_type(country: Country, contract: ContractRef, id_type: str, id_: str) -> None:
    """The idType route exists only where the country uses it, for the contract's own id."""
    if id_type not in ID_TYPES:
        raise InvalidParameter("idType", f"expected one of {', '.join(ID_TYPES)}")
    if country.paperless_id_type is None:
        raise NotFound(f"{country.name} subscribes paperless invoices by contractId only")
    if id_type != country.paperless_id_type:
        raise InvalidParameter("idType", f"{country.name} uses '{country.paperless_id_type}'")
    own = (
        contract.subscription_number if id_type == "subscriptions" else contract.billing_account_id
    )
    if id_ != own:
        raise NotFound(f"No {id_type}/{id_} in contract {contract.contract_id}")
