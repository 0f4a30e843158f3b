"""The TMF schema validator lives in local/tmf_schema.py (tools use it too); re-exported here."""

from local.tmf_schema import (
    COLLECTIONS,
    ROOT,
    ROOT_DEFINITIONS,
    TMF_DIR,
    excerpt_path,
    load,
    validate,
    validator,
)

__all__ = [
    "COLLECTIONS",
    "ROOT",
    "ROOT_DEFINITIONS",
    "TMF_DIR",
    "excerpt_path",
    "load",
    "validate",
    "validator",
]
