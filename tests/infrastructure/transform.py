"""template.yaml as CloudFormation receives it: transformed by the SAM translator with one
config-env's parameters from samconfig.toml, like `sam deploy --config-env <env>` does.

    cfn = transformed("gt")                  # the CloudFormation template (a dict), cached
    params = parameters("gt")                # every parameter's value: overrides + defaults
"""

from __future__ import annotations

import copy
import os
import shlex
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAMCONFIG = ROOT / "samconfig.toml"
CONFIG_ENVS = ("co", "gt", "sv")
GROUP_FUNCTION = {  # each API group's function, as template.yaml routes it
    "billing": "BillingFunction",
    "portfolio": "PortfolioFunction",
    "tokenization": "TokenizationFunction",
    "cases": "CasesFunction",
    "customer": "CustomerFunction",
}

# The translator adds AWS::Region and friends from the boto3 session's region.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


class _NoManagedPolicies:
    """The translator's IAM look-up of managed policy names: the template names none."""

    def load(self) -> dict[str, str]:
        return {}


@cache
def source() -> dict[str, Any]:
    """template.yaml parsed like the SAM CLI does (short-form intrinsics as dicts)."""
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(TEMPLATE.read_text(encoding="utf-8"))


@cache
def config_env(env: str) -> dict[str, Any]:
    """The merged `global` and `deploy` parameters of one config-env."""
    config = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))
    section = config[env]
    return {**section.get("global", {}).get("parameters", {}), **section["deploy"]["parameters"]}


def overrides(env: str) -> dict[str, str]:
    """The config-env's parameter_overrides (`Key=Value ...`, values possibly quoted)."""
    pairs = (token.split("=", 1) for token in shlex.split(config_env(env)["parameter_overrides"]))
    return {key: value for key, value in pairs}


def parameters(env: str, **extra: str) -> dict[str, str]:
    """Every parameter's value for a deployment: the template's defaults, then overrides."""
    values = {
        name: str(spec["Default"])
        for name, spec in source()["Parameters"].items()
        if "Default" in spec
    }
    return values | overrides(env) | extra


def sam_template() -> dict[str, Any]:
    """The template with local code paths replaced by S3 locations, as `sam validate` does."""
    template = copy.deepcopy(source())
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://placeholder-bucket/{logical_id}.zip"
    return template


def transform(env: str, **extra: str) -> dict[str, Any]:
    """Transform for a config-env; `extra` overrides parameters (uncached)."""
    from samtranslator.translator.transform import transform as sam_transform

    return sam_transform(sam_template(), parameters(env, **extra), _NoManagedPolicies())


@cache
def transformed(env: str) -> dict[str, Any]:
    """The CloudFormation template one config-env deploys (treat it as read-only)."""
    return transform(env)
