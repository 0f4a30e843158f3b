"""`python tools/layer_fingerprint.py <dir>`: one SHA-256 over every file under `dir` (paths
and bytes, caches aside). `make build` writes the sandbox layer's into the common layer
(selfcare/sandbox.fingerprint): SAM publishes new function versions when a layer they Ref
changes, but cannot see the sandbox layer behind its Fn::If, so a sandbox-only change would
leave the `live` aliases on the old code. Through the common layer it is seen."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


if __name__ == "__main__":
    print(fingerprint(Path(sys.argv[1])))
