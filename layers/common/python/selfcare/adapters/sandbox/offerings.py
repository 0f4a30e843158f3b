"""The sandbox catalogue's changes to a product's additional offerings."""

from __future__ import annotations

from selfcare.adapters.items import Items


class SandboxOfferings:
    """Mixin of SandboxBackend (selfcare.ports.CatalogChanges). To be written."""

    items: Items
