"""Shared package of the Home Self Care API (the `common` Lambda layer)."""
