"""Adapters: implementations of `selfcare.ports` (boto3 and HTTP live only here)."""

from __future__ import annotations

from typing import Any

from selfcare.settings import Settings


def build_backend(settings: Settings) -> Any:
    """The back-office adapter the stack's `Backend` parameter names."""
    if settings.backend == "sandbox":
        from selfcare.adapters.items import DynamoItems
        from selfcare.adapters.sandbox.backend import SandboxBackend

        return SandboxBackend(DynamoItems(settings.require("sandbox_table"), "The sandbox backend"))
    raise NotImplementedError(settings.backend)  # Settings.from_env admits only known backends
