"""Shared package of the Home Self Care API (the `common` Lambda layer)."""

# One package across layers: the sandbox layer (layers/sandbox) adds its modules here. In
# Lambda both layers unpack into /opt/python; locally and in tests each is its own path.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)
