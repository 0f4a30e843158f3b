"""Pydantic models of the contract's schemas, one class per Swagger definition.

Import from the submodules (common, billing, customer, portfolio, tokenization, cases):
a function loads only the groups it validates.
"""
