"""The `SnapStart` parameter: off by default; on, every function snapshots the versions its
`live` alias serves, in a configuration Lambda accepts for SnapStart."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from local.cfn import Resolver
from tests.infrastructure.transform import (
    CONFIG_ENVS,
    config_env,
    parameters,
    transform,
    transformed,
)

FUNCTIONS = {
    "BillingFunction",
    "PortfolioFunction",
    "TokenizationFunction",
    "CasesFunction",
    "CustomerFunction",
    "AuthorizerFunction",
}
ON_PUBLISHED_VERSIONS = {"ApplyOn": "PublishedVersions"}


@pytest.fixture(params=CONFIG_ENVS)
def env(request: pytest.FixtureRequest) -> str:
    return request.param


@cache
def with_snapstart(env: str) -> dict[str, Any]:
    return transform(env, SnapStart="true")


def deployed(env: str, template: dict[str, Any], **extra: str) -> dict[str, dict[str, Any]]:
    """The template's resources as CloudFormation creates them with these parameters
    (conditions decided, AWS::NoValue dropped; other resources read `<LogicalId>`)."""
    pseudo = {
        "AWS::Region": "us-east-1",
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
        "AWS::StackName": config_env(env)["stack_name"],
    }
    cfn = Resolver(
        parameters(env, **extra) | pseudo,
        template.get("Conditions", {}),
        lambda name: f"<{name}>",
        lambda name, attribute: f"<{name}.{attribute}>",
    )
    return {
        logical_id: {**resource, "Properties": cfn.resolve(resource.get("Properties", {}))}
        for logical_id, resource in template["Resources"].items()
        if "Condition" not in resource or cfn.condition(resource["Condition"])
    }


def functions(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function"
    }


def test_by_default_no_function_uses_snapstart(env):
    found = functions(deployed(env, transformed(env)))

    assert set(found) == FUNCTIONS
    for logical_id, properties in found.items():
        assert "SnapStart" not in properties, logical_id


def test_with_snapstart_every_function_snapshots_its_published_versions(env):
    found = functions(deployed(env, with_snapstart(env), SnapStart="true"))

    assert set(found) == FUNCTIONS
    for logical_id, properties in found.items():
        assert properties["SnapStart"] == ON_PUBLISHED_VERSIONS, logical_id


def test_with_snapstart_the_live_aliases_still_serve_published_versions(env):
    """SnapStart applies to published versions only: an alias on $LATEST would never use a
    snapshot."""
    resources = deployed(env, with_snapstart(env), SnapStart="true")

    for function in FUNCTIONS:
        alias = resources[f"{function}Aliaslive"]
        assert alias["Type"] == "AWS::Lambda::Alias"
        version_id, _, attribute = alias["Properties"]["FunctionVersion"].strip("<>").partition(".")
        assert attribute == "Version", function
        version = resources[version_id]
        assert version["Type"] == "AWS::Lambda::Version"
        assert version["Properties"]["FunctionName"] == f"<{function}>"


def test_with_snapstart_functions_use_nothing_snapstart_refuses(env):
    """Lambda rejects SnapStart with provisioned concurrency, EFS, more than 512 MB of /tmp,
    or a Python older than 3.12: the deployment would fail."""
    resources = deployed(env, with_snapstart(env), SnapStart="true")

    for logical_id, properties in functions(resources).items():
        runtime = properties["Runtime"]
        assert runtime.startswith("python3.")
        assert int(runtime.removeprefix("python3.")) >= 12, logical_id
        assert not properties.get("FileSystemConfigs"), logical_id
        assert properties.get("EphemeralStorage", {}).get("Size", 512) <= 512, logical_id
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Alias":
            assert "ProvisionedConcurrencyConfig" not in resource["Properties"], logical_id
