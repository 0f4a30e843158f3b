"""Each deployment moves the `live` aliases (what the API calls) to new versions whenever
what a function runs changed: its code, the shared layer (where most code lives) or its
settings in the template. Otherwise CloudFormation would update `$LATEST` only and the
API would go on serving the old code."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.infrastructure.transform import ROOT, _NoManagedPolicies, parameters, sam_template

FUNCTIONS = ("Billing", "Portfolio", "Tokenization", "Cases", "Customer", "Authorizer")
Change = Callable[[dict[str, Any]], None]


def versions(change: Change | None = None) -> dict[str, str]:
    """{function: its version's logical id} once Guatemala's template, changed, is transformed."""
    from samtranslator.translator.transform import transform

    template = copy.deepcopy(sam_template())
    if change:
        change(template["Resources"])
    resources = transform(template, parameters("gt"), _NoManagedPolicies())["Resources"]
    found = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Version":
            function = resource["Properties"]["FunctionName"]["Ref"].removesuffix("Function")
            found[function] = logical_id
    assert set(found) == set(FUNCTIONS)
    return found


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {function for function in FUNCTIONS if before[function] != after[function]}


def test_the_same_template_keeps_its_versions():
    assert versions() == versions()


def test_new_code_of_one_function_publishes_a_version_of_that_function_only():
    def new_code(resources: dict[str, Any]) -> None:
        resources["CasesFunction"]["Properties"]["CodeUri"] = "s3://bucket/cases-v2.zip"

    assert changed(versions(), versions(new_code)) == {"Cases"}


def test_a_new_shared_layer_publishes_a_version_of_every_function():
    def new_layer(resources: dict[str, Any]) -> None:
        resources["CommonLayer"]["Properties"]["ContentUri"] = "s3://bucket/common-v2.zip"

    assert changed(versions(), versions(new_layer)) == set(FUNCTIONS)


def test_a_sandbox_change_reaches_the_functions_through_the_common_layer(tmp_path):
    """SAM cannot see the sandbox layer behind its Fn::If (a change there alone would
    publish no version): `make build` writes the sandbox layer's fingerprint into the common
    layer, whose every change publishes a version of every function (above)."""
    from tools.layer_fingerprint import fingerprint

    layer = tmp_path / "python" / "selfcare" / "adapters" / "sandbox"
    layer.mkdir(parents=True)
    (layer / "backend.py").write_text("ANSWER = 1\n")
    before = fingerprint(tmp_path / "python")
    (layer / "__pycache__").mkdir()
    (layer / "__pycache__" / "backend.cpython-313.pyc").write_bytes(b"cache")
    assert fingerprint(tmp_path / "python") == before  # caches aside
    (layer / "backend.py").write_text("ANSWER = 2\n")
    assert fingerprint(tmp_path / "python") != before

    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nbuild:", 1)[1].split("\n\n", 1)[0]
    writes, builds = (
        recipe.index("layer_fingerprint.py layers/sandbox/python"),
        recipe.index("build --parallel"),
    )
    assert writes < builds
    assert "SANDBOX_FINGERPRINT := layers/common/python/selfcare/" in makefile
    common = (ROOT / "layers" / "common" / "Makefile").read_text()
    assert "cp -R python/selfcare" in common  # the fingerprint goes into the layer with it


def test_new_settings_in_the_template_publish_a_version():
    def more_memory(resources: dict[str, Any]) -> None:
        resources["BillingFunction"]["Properties"]["MemorySize"] = 512

    assert changed(versions(), versions(more_memory)) == {"Billing"}
