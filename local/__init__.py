"""The Docker-less local runner: template.yaml's API served in process, AWS from moto."""

import sys
from pathlib import Path

# The layers are on every function's path in Lambda (/opt/python); here, too: the shared
# one, and the sandbox's (its backend and gateway; only sandbox stacks ship it).
LAYERS = Path(__file__).resolve().parent.parent / "layers"
LAYER = LAYERS / "common" / "python"
for path in (LAYERS / "sandbox" / "python", LAYER):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
