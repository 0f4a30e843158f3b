"""The Docker-less local runner: template.yaml's API served in process, AWS from moto."""

import sys
from pathlib import Path

# The shared layer is on every function's path in Lambda (/opt/python); here, too.
LAYER = Path(__file__).resolve().parent.parent / "layers" / "common" / "python"
if str(LAYER) not in sys.path:
    sys.path.insert(0, str(LAYER))
