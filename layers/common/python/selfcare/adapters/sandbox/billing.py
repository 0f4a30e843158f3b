"""The sandbox billing system's changes: recurring billing, partial invoices, flags."""

from __future__ import annotations

from selfcare.adapters.items import Items


class SandboxBilling:
    """Mixin of SandboxBackend (selfcare.ports.BillingChanges)."""

    items: Items
