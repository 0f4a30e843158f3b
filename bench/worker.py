"""Work that runs in a fresh interpreter of its own, started by the suite:

    python -m bench.worker warm CONFIG OUT    one function's warm cost per request
    python -m bench.worker calls CONFIG OUT   AWS calls per operation, cold and warm
    python -m bench.worker tmf CONFIG OUT     Backend tmf: BSS calls, latency, CPU, cold

CONFIG and OUT are JSON files. The environment is the function's (warm) or the embedded
AWS's (calls, tmf), set by the parent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.common import LAYER, ROOT, SANDBOX_LAYER


def main() -> None:
    task, config_file, out_file = sys.argv[1:4]
    config = json.loads(Path(config_file).read_text(encoding="utf-8"))
    if task == "warm":
        from bench.warm import measure

        result: Any = measure(config)
    elif task == "calls":
        from bench.calls import count

        result = count(config)
    elif task == "tmf":
        from bench.tmf import measure

        result = measure(config)
    else:
        raise SystemExit(f"unknown task {task!r}")
    Path(out_file).write_text(json.dumps(result), encoding="utf-8")


def import_function(group: str) -> Any:
    """functions/<group>/app.py imported as Lambda imports it (its code, then the layer)."""
    import importlib

    sys.path[0:0] = [str(ROOT / "functions" / group), str(LAYER), str(SANDBOX_LAYER)]
    return importlib.import_module("app")


if __name__ == "__main__":
    main()
