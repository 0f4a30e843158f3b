"""The sandbox CRM's changes to a contract's contact phones and emails."""

from __future__ import annotations

from selfcare.adapters.items import Items


class SandboxContacts:
    """Mixin of SandboxBackend (selfcare.ports.CrmChanges). To be written."""

    items: Items
