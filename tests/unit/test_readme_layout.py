"""The README's Layout section matches the tree: every module and folder it names exists,
and it names every module of the shared layer, of each function's logic, of local/, tools/
and bench/, and every folder of tests/."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "common" / "python" / "selfcare"
SANDBOX = ROOT / "layers" / "sandbox" / "python" / "selfcare" / "adapters"
# A folder (lower-case, ending in "/") or a file of ours (.py .yaml .toml .json) it names.
NAMED = re.compile(r"(?<![\w./])(?:[a-z_][\w*-]*/)+|[\w*-]+(?:/[\w*-]+)*\.(?:py|yaml|toml|json)\b")


def layout(readme: str) -> str:
    """The fenced block of the README's "## Layout" section."""
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def paths(root: Path) -> set[str]:
    """Every file and folder below `root`, relative, folders ending in "/"."""
    return {
        p.relative_to(root).as_posix() + ("/" if p.is_dir() else "")
        for p in root.rglob("*")
        if not {".git", "__pycache__"} & set(p.parts) and ".venv" not in p.as_posix()
    }


def modules(folder: Path) -> list[str]:
    """The modules (x.py) and packages (x/) of `folder`."""
    files = [p.name for p in folder.glob("*.py") if p.name != "__init__.py"]
    packages = [f"{p.name}/" for p in folder.iterdir() if (p / "__init__.py").exists()]
    return sorted(files + packages)


def folders(folder: Path) -> list[str]:
    return sorted(f"{p.name}/" for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__")


def wanted() -> list[str]:
    """What the Layout must name: modules (x.py) and folders (x/)."""
    found = [*modules(LAYER), "adapters/sandbox/", "adapters/payments/"]  # + the sandbox layer
    found += sorted(p.name for p in (SANDBOX / "payments").glob("*.py"))
    for function in sorted((ROOT / "functions").iterdir()):
        logic = function / function.name
        if (logic / "__init__.py").exists():
            found += modules(logic)
    found += modules(ROOT / "local") + modules(ROOT / "tools") + modules(ROOT / "bench")
    found += folders(ROOT / "tests") + folders(ROOT / "bench" / "reference")
    return found


def test_the_layout_names_every_module_and_folder():
    text = layout((ROOT / "README.md").read_text(encoding="utf-8"))
    missing = [name for name in wanted() if not re.search(rf"(?<![\w.]){re.escape(name)}", text)]
    assert missing == [], f"README's Layout does not name {missing}"


def test_everything_the_layout_names_exists():
    text = layout((ROOT / "README.md").read_text(encoding="utf-8"))
    tree = paths(ROOT)
    named = {n for n in NAMED.findall(text) if "<" not in n}
    absent = [
        name
        for name in sorted(named)
        if not any(
            fnmatch.fnmatch(path, name) or fnmatch.fnmatch(path, f"*/{name}") for path in tree
        )
    ]
    assert absent == [], f"README's Layout names what is not in the tree: {absent}"
