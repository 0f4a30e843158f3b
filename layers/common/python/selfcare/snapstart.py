"""Lambda SnapStart: what to load before the snapshot and what to forget after a restore.

With SnapStart (template parameter `SnapStart`), Lambda runs a function's init once per
published version, snapshots the memory, and starts every new execution environment from
that snapshot. So imports that requests would otherwise make lazily are made before the
snapshot (they then cost nothing), and whatever must not be shared between restored copies
or outlive the snapshot's moment is dropped after each restore: connections, credentials,
cached ownership and secrets, the random generator's state.

Nothing happens outside a SnapStart init (`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`):
`snapshot_restore_py` exists only in the Lambda runtime.
"""

from __future__ import annotations

import importlib
import os
import random
import sys
from collections.abc import Callable

from selfcare import tracing

# Imported lazily by requests that change data, pay or render a PDF: free once snapshotted.
PRIME = (
    "selfcare.adapters.aws",
    "boto3",
    "aws_lambda_powertools.utilities.idempotency",
    "aws_lambda_powertools.utilities.parameters",
    *tracing.SDK_MODULES,
    "fpdf",
)
_resets: list[Callable[[], None]] = []


def on_restore(reset: Callable[[], None]) -> None:
    """Run `reset` after every restore from a snapshot (in the order registered)."""
    _resets.append(reset)


def before_snapshot() -> None:
    for name in PRIME:
        try:
            importlib.import_module(name)
        except ImportError:  # not in this function's bundle (fpdf is billing's only)
            continue


def after_restore() -> None:
    random.seed()  # every restored copy would otherwise draw the same jitter
    from selfcare.adapters import aws

    aws.reset_clients()
    if "selfcare.adapters.boto" in sys.modules:  # its cached secrets and client
        from selfcare.adapters import boto

        boto.forget()
    for reset in _resets:
        reset()


def install() -> bool:
    """Register the hooks when this init is SnapStart's; whether it was."""
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "snap-start":
        return False
    from snapshot_restore_py import (
        register_after_restore,
        register_before_snapshot,
    )

    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True
