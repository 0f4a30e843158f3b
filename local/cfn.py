"""Read a CloudFormation/SAM template and resolve the intrinsic functions it uses."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml


class Intrinsic:
    """A `!Tag value` node, kept until resolved."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value

    def __repr__(self) -> str:
        return f"!{self.tag} {self.value!r}"


# libyaml's parser where PyYAML has it (10x faster: every runner and test reads the template)
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Intrinsic:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Intrinsic(suffix, value)


_Loader.add_multi_constructor("!", _construct)


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_Loader)  # noqa: S506 (SafeLoader subclass)
    return document


NO_VALUE = object()


class Resolver:
    """Resolves Ref, Sub, GetAtt, If, Equals, Join, Select against known values."""

    def __init__(
        self,
        parameters: Mapping[str, str],
        conditions: Mapping[str, Any],
        ref: Callable[[str], Any],
        get_att: Callable[[str, str], Any],
    ) -> None:
        self.parameters = dict(parameters)
        self._conditions_src = conditions
        self._conditions: dict[str, bool] = {}
        self._ref = ref
        self._get_att = get_att

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self.resolve(self._conditions_src[name]))
        return self._conditions[name]

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        return self._ref(name)

    def resolve(self, node: Any) -> Any:
        if isinstance(node, Intrinsic):
            return self._intrinsic(node.tag, node.value)
        if isinstance(node, dict):
            if len(node) == 1:
                key = next(iter(node))
                if key in ("Ref", "Condition") or key.startswith("Fn::"):
                    return self._intrinsic(key.removeprefix("Fn::"), node[key])
            resolved = {k: self.resolve(v) for k, v in node.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in (self.resolve(x) for x in node) if v is not NO_VALUE]
        return node

    def _intrinsic(self, tag: str, value: Any) -> Any:
        if tag == "Ref":
            return self.ref(value)
        if tag == "Sub":
            return self._sub(value)
        if tag == "GetAtt":
            name, _, attribute = (value if isinstance(value, str) else ".".join(value)).partition(
                "."
            )
            return self._get_att(name, attribute)
        if tag == "If":
            condition, then, otherwise = value
            return self.resolve(then if self.condition(condition) else otherwise)
        if tag == "Equals":
            left, right = (self.resolve(v) for v in value)
            return str(left) == str(right)
        if tag == "Join":
            separator, items = value
            return separator.join(str(self.resolve(v)) for v in self.resolve(items))
        if tag == "Split":
            separator, text = value
            return str(self.resolve(text)).split(separator)
        if tag == "Not":
            return not self.resolve(value[0])
        if tag == "Or":
            return any(self.resolve(v) for v in value)
        if tag == "And":
            return all(self.resolve(v) for v in value)
        if tag == "Condition":
            return self.condition(value)
        if tag == "Select":
            index, items = value
            return self.resolve(items)[int(self.resolve(index))]
        raise NotImplementedError(f"!{tag} is not supported by the local runner")

    def _sub(self, value: Any) -> str:
        template, variables = (value, {}) if isinstance(value, str) else value
        scope = {k: self.resolve(v) for k, v in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in scope:
                return str(scope[name])
            if "." in name:
                resource, _, attribute = name.partition(".")
                return str(self._get_att(resource, attribute))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, template)
