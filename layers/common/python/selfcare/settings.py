"""Settings, read from the environment once per function (at cold start) into one object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from selfcare.errors import Unavailable

BACKENDS = ("sandbox", "tmf")


class SettingsError(Unavailable):
    """The function is misconfigured: a deployment problem, never the caller's."""


@dataclass(frozen=True, slots=True)
class Settings:
    country: str
    stage: str
    backend: str
    sandbox_table: str | None
    checkout_table: str | None
    paperless_table: str | None
    idempotency_table: str | None
    gateway_secret: str | None
    spool_secret: str | None
    spool_url_ttl: int
    allowed_return_hosts: tuple[str, ...] = ()
    checkout_minutes: int = 30
    bss_base_url: str | None = None  # Backend tmf: the BSS's TM Forum API root
    bss_secret: str | None = None  # Backend tmf: its OAuth2 client credentials

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        country = env.get("COUNTRY", "").lower()
        from selfcare.countries import COUNTRIES

        if country not in COUNTRIES:
            raise SettingsError(f"COUNTRY must be one of {', '.join(COUNTRIES)}, not {country!r}")
        backend = env.get("BACKEND", "sandbox")
        if backend not in BACKENDS:
            raise SettingsError(f"BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
        try:
            ttl = int(env.get("SPOOL_URL_TTL_SECONDS", "900"))
            minutes = int(env.get("CHECKOUT_MINUTES", "30"))
        except ValueError as exc:
            raise SettingsError("SPOOL_URL_TTL_SECONDS and CHECKOUT_MINUTES are integers") from exc
        hosts = tuple(
            h.strip().lower() for h in env.get("ALLOWED_RETURN_HOSTS", "").split(",") if h.strip()
        )
        return cls(
            country=country,
            stage=env.get("STAGE", "local"),
            backend=backend,
            sandbox_table=env.get("SANDBOX_TABLE") or None,
            checkout_table=env.get("CHECKOUT_TABLE") or None,
            paperless_table=env.get("PAPERLESS_TABLE") or None,
            idempotency_table=env.get("IDEMPOTENCY_TABLE") or None,
            gateway_secret=env.get("GATEWAY_SECRET_ARN") or None,
            spool_secret=env.get("SPOOL_SECRET_ARN") or None,
            spool_url_ttl=ttl,
            allowed_return_hosts=hosts,
            checkout_minutes=minutes,
            bss_base_url=env.get("BSS_BASE_URL") or None,
            bss_secret=env.get("BSS_SECRET_ARN") or None,
        )

    def require(self, name: str) -> str:
        """A setting this code path cannot work without (503 to the caller)."""
        value = getattr(self, name)
        if not value:
            raise SettingsError(f"{name} is not configured for this function")
        return str(value)
