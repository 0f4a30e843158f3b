"""Hold real responses to api/openapi.yaml.

    spec = ContractSpec.load()
    spec.validate_response("GET", "/billing/contracts/123/invoices/", 200, body, "application/json")

Paths are concrete and start after `/v1/tigo/home/{country}` (a full path is tolerated too);
trailing slashes and query strings are ignored. A status counts as declared only when the
operation lists it explicitly: the catch-all `default` response does not make any status valid.
An `errorBody` answering a 4xx/5xx must carry `code` equal to the status. Schemas are checked
with the OAS 3.0 read validator (formats included; writeOnly properties may not appear).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import yaml
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "api" / "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PREFIX = re.compile(r"^/v1/tigo/home/[^/]+(?=/)")
NO_BODY = object()


def _segments(path: str) -> list[str]:
    return [s for s in path.split("?", 1)[0].strip("/").split("/") if s]


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


class ContractSpec:
    _cache: ClassVar[dict[Path, ContractSpec]] = {}

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._routes = [(_segments(p), p) for p in document["paths"]]

    @classmethod
    def load(cls) -> ContractSpec:
        if SPEC_PATH not in cls._cache:
            with SPEC_PATH.open(encoding="utf-8") as f:
                cls._cache[SPEC_PATH] = cls(yaml.safe_load(f))
        return cls._cache[SPEC_PATH]

    def operations(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(METHOD, path template, operation) for every operation, non-contract ones included."""
        return [
            (method.upper(), path, item[method])
            for path, item in self.document["paths"].items()
            for method in METHODS
            if method in item
        ]

    def match(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        """The (template, operation) serving `method path`, resolved like API Gateway does.

        The resource is chosen first, preferring a static segment over a `{param}` at the first
        place where candidates differ; then the method must exist on it. KeyError otherwise.
        """
        concrete = _segments(_PREFIX.sub("", path))
        candidates = [
            (tuple(_is_param(t) for t in template), raw)
            for template, raw in self._routes
            if len(template) == len(concrete)
            and all(_is_param(t) or t == c for t, c in zip(template, concrete, strict=True))
        ]
        if not candidates:
            raise KeyError(f"no path in the contract matches {path!r}")
        template = min(candidates)[1]
        operation = self.document["paths"][template].get(method.lower())
        if operation is None:
            raise KeyError(f"{method.upper()} is not declared on {template} (matched {path!r})")
        return template, operation

    def validate_response(
        self, method: str, path: str, status: int, body: bytes | str | object, content_type: str
    ) -> None:
        """AssertionError unless `status` is declared and `body` fits its schema."""
        template, operation = self.match(method, path)
        where = f"{method.upper()} {template} ({operation.get('operationId')})"
        responses = operation["responses"]
        declared = sorted(code for code in responses if code != "default")
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if response is None:
            raise AssertionError(f"{where}: status {status} not declared; declared: {declared}")
        response = self.resolve(response)
        content = response.get("content") or {}
        media = content_type.split(";", 1)[0].strip().lower()
        if media not in content:
            raise AssertionError(
                f"{where} {status}: content type {content_type!r} not declared; "
                f"declared: {sorted(content)}"
            )
        if media == "application/pdf":
            raw = body.encode("latin-1") if isinstance(body, str) else body
            if not isinstance(raw, bytes) or not raw.startswith(b"%PDF-"):
                raise AssertionError(f"{where} {status}: body is not a PDF (no %PDF- header)")
            return
        instance = body
        if isinstance(body, bytes | str):
            try:
                instance = json.loads(body)
            except ValueError as exc:
                raise AssertionError(f"{where} {status}: body is not JSON: {exc}") from None
        schema = content[media].get("schema", {})
        self._validate(where, status, schema, instance)
        if (
            status >= 400
            and schema.get("$ref") == "#/components/schemas/errorBody"
            and instance.get("code") != status
        ):
            raise AssertionError(
                f"{where} {status}: errorBody.code is {instance.get('code')!r}, "
                f"expected the HTTP status {status}"
            )

    def request_errors(
        self,
        method: str,
        path: str,
        query: dict[str, str] | None = None,
        body: Any = NO_BODY,
    ) -> list[str]:
        """What a client generated from the contract would refuse to send: path and query
        values (as their strings read: "5" is an integer, "" is not) and the JSON body,
        checked against the operation's parameters and request schema, formats included."""
        template, operation = self.match(method, path)
        values = {
            t[1:-1]: unquote(c)
            for t, c in zip(_segments(template), _segments(_PREFIX.sub("", path)), strict=True)
            if _is_param(t)
        }
        errors: list[str] = []
        query = query or {}
        for parameter in (self.resolve(p) for p in operation.get("parameters", [])):
            name, where = parameter["name"], parameter["in"]
            sent = values if where == "path" else query if where == "query" else None
            if sent is None:
                continue
            if name not in sent:
                errors += [f"{name}: required"] if parameter.get("required") else []
                continue
            value = _typed(sent[name], parameter["schema"])
            errors += [f"{name}: {e}" for e in self._errors(parameter["schema"], value)]
        if body is not NO_BODY:
            content = (operation.get("requestBody") or {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                errors.append("body: the operation takes no JSON body")
            else:
                errors += [f"body: {e}" for e in self._errors(schema, body)]
        return errors

    def _errors(self, schema: dict[str, Any], instance: Any) -> list[str]:
        root = {**schema, "components": self.document["components"]}
        validator = OAS30WriteValidator(root, format_checker=OAS30WriteValidator.FORMAT_CHECKER)
        return [
            f"{_json_path(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)
        ]

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow local `$ref`s (`#/components/...`) to the object they name."""
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _validate(self, where: str, status: int, schema: dict[str, Any], instance: Any) -> None:
        # The schema becomes the root of a document that also holds the components, so
        # `#/components/schemas/...` references resolve. Read validator: writeOnly
        # properties (card numbers, CVV) must never appear in a response.
        root = {**schema, "components": self.document["components"]}
        validator = OAS30ReadValidator(root, format_checker=OAS30ReadValidator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.path])
        if errors:
            lines = [f"  at {_json_path(e.absolute_path)}: {e.message}" for e in errors]
            lines.insert(0, f"{where} {status}: body does not match the schema")
            raise AssertionError("\n".join(lines))


def _typed(raw: str, schema: dict[str, Any]) -> Any:
    """A path or query string as the schema's type reads it (left a string when it cannot)."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", raw):
        return int(raw)
    if kind == "number" and re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", raw):
        return float(raw)
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _json_path(parts: Any) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
