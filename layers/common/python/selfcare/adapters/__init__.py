"""Adapters: implementations of `selfcare.ports`, and the only code that calls AWS, a
payment gateway or the back office (BSS): boto3 and outbound HTTP live here; stores reach
DynamoDB through its modules (aws, items, receipts, attributes, boto). The one other
outbound call is the authorizer's fetch of the issuer's JWKS (PyJWT)."""

from __future__ import annotations

# One package across layers: the sandbox layer (layers/sandbox) adds its modules here. In
# Lambda both layers unpack into /opt/python; locally and in tests each is its own path.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)
