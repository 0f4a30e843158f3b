"""The composition root: which adapter and store implements each port, built on first use
and kept for the life of the container (Lambda's warm reuse).

Every function has one (`Api.wiring`); routes ask it for what their logic needs, typed by
its port. Importing this module imports no adapter, store, boto3 or pydantic: each
dependency is imported and built by the first request that needs it, so a cold start pays
only for what its request uses.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from functools import cached_property
from typing import TYPE_CHECKING

from selfcare.settings import Settings

if TYPE_CHECKING:
    from selfcare.payments import Credentials, PaymentGateway
    from selfcare.ports import Backend, Once, PaperlessSubscriptions, PaymentAttempts

GATEWAYS_KEPT = 4  # one per credentials seen: a rotation adds one, the old one ages out
BSS_PAGE_SIZE = 500  # a line's six months of calls in one page: one round trip per read


class Wiring:
    def __init__(self, settings: Settings, gateway_name: str = "The payment gateway") -> None:
        self.settings = settings
        # What errors of the sandbox gateway's own table call it ("The sandbox gateway is busy;
        # retry shortly"): each function keeps the name its answers always gave.
        self.gateway_name = gateway_name
        self._gateways: OrderedDict[Credentials, PaymentGateway] = OrderedDict()

    # Back-office systems (selfcare.adapters) ---------------------------------------------------
    @cached_property
    def backend(self) -> Backend:
        """The back office the stack's `Backend` parameter names (Settings admits no other)."""
        if self.settings.backend == "tmf":
            return self._tmf_backend()
        from selfcare.adapters.items import DynamoItems
        from selfcare.adapters.sandbox.backend import SandboxBackend

        table = self.settings.require("sandbox_table")
        return SandboxBackend(DynamoItems(table, "The sandbox backend"))

    def _tmf_backend(self) -> Backend:
        """The country's BSS through the TM Forum APIs; card tokens in the checkout table.
        Its client credentials come through our own Secrets Manager call (selfcare.adapters
        .aws.secret), not boto3: reads stay clear of boto3's cold start."""
        from selfcare.adapters import aws
        from selfcare.adapters.items import DynamoItems
        from selfcare.adapters.tmf.backend import TmfBackend
        from selfcare.adapters.tmf.client import ClientCredentials, TmfClient
        from selfcare.countries import get_country
        from selfcare.stores.cards import CardStore

        arn = self.settings.require("bss_secret")

        def credentials() -> ClientCredentials:
            with aws.translate_errors("The back office credentials"):
                return ClientCredentials.from_secret(aws.secret(arn))

        client = TmfClient(
            self.settings.require("bss_base_url"),
            credentials,
            what="The back office",
            page_size=BSS_PAGE_SIZE,
        )

        def vault() -> CardStore:
            return CardStore(DynamoItems(self.settings.require("checkout_table"), "The card vault"))

        backend: Backend = TmfBackend(client, get_country(self.settings.country).utc_offset, vault)
        return backend

    # The data this service owns (selfcare.stores) -----------------------------------------------
    @cached_property
    def paperless(self) -> PaperlessSubscriptions:
        from selfcare.adapters.items import DynamoItems
        from selfcare.stores.paperless import PaperlessStore

        table = self.settings.require("paperless_table")
        return PaperlessStore(DynamoItems(table, "The paperless store"))

    @cached_property
    def checkout(self) -> PaymentAttempts:
        from selfcare.adapters.items import DynamoItems
        from selfcare.stores.checkout import CheckoutStore

        table = self.settings.require("checkout_table")
        return CheckoutStore(DynamoItems(table, "The checkout store"))

    @property
    def once(self) -> Once:
        """Idempotency (looked up on each use: its module loads boto3 and Powertools
        idempotency, which only keyed changes need)."""
        from selfcare import idempotency

        return idempotency.once

    # The payment gateway -----------------------------------------------------------------------
    def credentials(self) -> Credentials:
        """The gateway secret (Powertools parameters keep it 5 minutes; 503 when missing or
        malformed; its value is never logged)."""
        from selfcare.adapters.payments import load_credentials

        return load_credentials(self.settings.require("gateway_secret"))

    def gateway(self) -> PaymentGateway:
        """The gateway the secret names now: the secret is read on each call, so a rotated
        key is used from its next read on, not the next cold start."""
        credentials = self.credentials()
        found = self._gateways.get(credentials)
        if found is None:
            found = self._gateways[credentials] = self._build_gateway(credentials)
            while len(self._gateways) > GATEWAYS_KEPT:
                self._gateways.popitem(last=False)
        else:
            self._gateways.move_to_end(credentials)
        return found

    def _build_gateway(self, credentials: Credentials) -> PaymentGateway:
        from selfcare.adapters.items import DynamoItems
        from selfcare.adapters.payments import build_gateway
        from selfcare.errors import Unavailable

        items = None  # PayU keeps its own state
        if credentials.gateway != "payu":  # the sandbox gateway keeps its sessions and cards
            if not self.settings.sandbox_table:  # nor its layer (SandboxGateway false)
                raise Unavailable(
                    "The payment gateway secret names the sandbox gateway, which this stack "
                    "does not ship"
                )
            items = DynamoItems(self.settings.sandbox_table, self.gateway_name)
        return build_gateway(credentials, items, dict(os.environ))

    # Secrets -------------------------------------------------------------------------------------
    def spool_key(self) -> bytes:
        """The key that signs spool document links (Secrets Manager through our own call,
        cached, as the BSS credentials: the spool reads stay clear of boto3's cold start)."""
        from selfcare.adapters import aws

        with aws.translate_errors("The spool signing key"):
            return aws.secret(self.settings.require("spool_secret")).encode()
