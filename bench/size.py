"""Package size: each function and the shared layer as deployment zips.

From `sam build`'s output (.aws-sam/build) when it is there (`make build`). Otherwise built
here the way sam builds them, from the distributions installed in this virtual environment
(the same pinned wheels): the layer is layers/common/requirements.txt's closure plus the
selfcare package under python/; a function is its code directory plus its requirements.
Bytecode caches and hidden files are left out, as the layer's Makefile and sam leave them
out. Zipped with deflate, in memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from bench.common import GROUPS, ROOT, Row, table

BUILD = ROOT / ".aws-sam" / "build"
UNZIPPED_LIMIT_MB = 250  # Lambda: function and all its layers, unzipped
MB = 1024 * 1024
Files = list[tuple[str, Path]]  # (name in the zip, file on disk)


def _tree(root: Path, prefix: str = "") -> Files:
    """Files under `root` but bytecode and hidden ones (.mypy_cache: sam leaves them out)."""
    found = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        hidden = any(part.startswith(".") or part == "__pycache__" for part in parts)
        if path.is_file() and path.suffix != ".pyc" and not hidden:
            found.append((prefix + "/".join(parts), path))
    return found


def _requirements(file: Path) -> Iterator[str]:
    for line in file.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield re.split(r"[\[=<>~! ;]", line, maxsplit=1)[0]


def _installed(names: Iterator[str], prefix: str = "") -> Files:
    files: Files = []
    for name in names:
        dist = metadata.distribution(name)
        for entry in dist.files or []:
            path = Path(str(dist.locate_file(entry)))
            text = str(entry)
            if text.startswith("..") or "__pycache__" in text or not path.is_file():
                continue  # scripts outside site-packages; bytecode
            files.append((prefix + text, path))
    return files


def artifacts() -> tuple[str, dict[str, Files]]:
    """(where they come from, {artifact: files})."""
    if BUILD.is_dir():
        found = {"layer": _tree(BUILD / "CommonLayer")}
        for group in GROUPS:
            found[group] = _tree(BUILD / f"{group.capitalize()}Function")
        return "sam build output (.aws-sam/build)", found
    layer_dir = ROOT / "layers" / "common"
    found = {
        "layer": _tree(layer_dir / "python" / "selfcare", "python/selfcare/")
        + _installed(_requirements(layer_dir / "requirements.txt"), "python/")
    }
    for group in GROUPS:
        code = ROOT / "functions" / group
        found[group] = _tree(code) + _installed(_requirements(code / "requirements.txt"))
    return "no .aws-sam/build (run make build first): built here from .venv's wheels", found


def _zip(files: Files) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            archive.write(path, name)
    return len(buffer.getvalue())


def _top(files: Files) -> str:
    sizes: Counter[str] = Counter()
    for name, path in files:
        parts = name.split("/")
        top = parts[1] if parts[0] == "python" and len(parts) > 2 else parts[0]
        sizes[top.split(".dist-info")[0]] += path.stat().st_size
    return ", ".join(f"{name} {size / MB:.1f}" for name, size in sizes.most_common(5))


def run() -> tuple[list[Row], str, str]:
    source, found = artifacts()
    rows: list[Row] = []
    layer_unzipped = sum(p.stat().st_size for _, p in found["layer"]) / MB
    for name, files in found.items():
        unzipped = sum(p.stat().st_size for _, p in files) / MB
        total = unzipped if name == "layer" else unzipped + layer_unzipped
        rows.append(
            {
                "artifact": name,
                "files": len(files),
                "unzipped_mb": unzipped,
                "zipped_mb": _zip(files) / MB,
                "with_layer_unzipped_mb": total,
                "vs_limit": total / UNZIPPED_LIMIT_MB,
                "largest": _top(files),
            }
        )
    text = table(
        f"Package size (MB; {source})",
        [
            "artifact",
            "files",
            "zipped",
            "unzipped",
            "+ layer, unzipped",
            "÷ 250 MB",
            "largest (MB unzipped)",
        ],
        [
            (
                r["artifact"],
                r["files"],
                f"{r['zipped_mb']:.2f}",
                f"{r['unzipped_mb']:.2f}",
                f"{r['with_layer_unzipped_mb']:.1f}",
                f"{r['vs_limit']:.0%}",
                r["largest"],
            )
            for r in rows
        ],
    )
    return rows, source, text
