"""Code flows one way (README, "Layout"): routes -> logic -> ports <- adapters and stores.

Read from the source files (ast, nothing imported), every import counted: at the top of a
module, inside a function (the lazy ones) or under TYPE_CHECKING.

- logic (functions/<function>/<group>/) imports no store, no adapter and not the
  composition root: it gets them as ports from its routes;
- stores (selfcare/stores/) import no adapter of a port (the sandbox back end, the payment
  gateways, the back-end factory) and not the composition root; they are built on the
  DynamoDB access modules, which only stores and adapters use (DYNAMODB_ACCESS);
- ports (selfcare/ports.py) import neither stores nor adapters.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = Path("layers/common/python")

STORES, ADAPTERS, WIRING = "selfcare.stores", "selfcare.adapters", "selfcare.wiring"
# How stores and adapters reach DynamoDB (and Secrets Manager): not an adapter of a port.
DYNAMODB_ACCESS = tuple(
    f"{ADAPTERS}.{name}" for name in ("aws", "items", "receipts", "attributes", "boto")
)


def imports(path: Path) -> set[str]:
    """Every name `path` imports, fully qualified: `from a import b` is a.b (a module or a
    name of one: either way it is a's)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def logic_files(root: Path) -> list[Path]:
    """functions/<function>/<group>/**.py: each function's logic package (beside app.py)."""
    return sorted(
        path
        for function in (root / "functions").iterdir()
        if function.is_dir()
        for package in function.iterdir()
        if (package / "__init__.py").is_file()
        for path in package.rglob("*.py")
    )


def violations(root: Path) -> list[str]:
    """What imports against the direction, as `file: module` lines."""
    found: list[str] = []

    def check(paths: list[Path], refused: tuple[str, ...], allowed: tuple[str, ...] = ()) -> None:
        for path in paths:
            for module in sorted(imports(path)):
                if any(within(module, r) for r in refused) and not any(
                    within(module, a) for a in allowed
                ):
                    found.append(f"{path.relative_to(root)}: {module}")

    layer = root / LAYER / "selfcare"
    check(logic_files(root), (STORES, ADAPTERS, WIRING))
    check(sorted((layer / "stores").rglob("*.py")), (ADAPTERS, WIRING), DYNAMODB_ACCESS)
    check([layer / "ports.py"], (STORES, ADAPTERS, WIRING))
    return sorted(set(found))


def test_logic_imports_ports_only_and_stores_import_no_adapter() -> None:
    assert violations(ROOT) == []


def test_the_check_sees_logic_and_stores() -> None:
    """It reads the files it means: every function's logic, and the stores."""
    logic = {path.relative_to(ROOT).parts[1] for path in logic_files(ROOT)}
    assert {"billing", "tokenization", "portfolio", "customer", "cases"} <= logic
    assert (ROOT / LAYER / "selfcare" / "stores" / "checkout.py").is_file()


@pytest.mark.parametrize(
    ("where", "source", "refused"),
    [
        ("functions/billing/billing/x.py", "from selfcare.stores.checkout import status_of", 1),
        ("functions/billing/billing/x.py", "def f():\n    import selfcare.adapters.boto", 1),
        ("functions/billing/billing/x.py", "from selfcare.adapters import build_backend", 1),
        ("functions/billing/billing/x.py", "from selfcare.ports import Backend", 0),
        ("layers/common/python/selfcare/stores/x.py", "from selfcare.adapters import receipts", 0),
        (
            "layers/common/python/selfcare/stores/x.py",
            "from selfcare.adapters import build_backend",
            1,
        ),
        (
            "layers/common/python/selfcare/stores/x.py",
            "from selfcare.adapters.sandbox.layout import storable",
            1,
        ),
    ],
)
def test_what_it_refuses(tmp_path: Path, where: str, source: str, refused: int) -> None:
    for package in ("functions/billing/billing", "layers/common/python/selfcare/stores"):
        (tmp_path / package).mkdir(parents=True)
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "layers/common/python/selfcare/ports.py").write_text("")
    (tmp_path / where).write_text(source + "\n")
    assert len(violations(tmp_path)) == refused, violations(tmp_path)
