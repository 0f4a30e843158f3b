"""API Gateway (REST, Lambda proxy) in process: a WSGI app that routes like the stage
template.yaml declares, builds REST proxy events, calls each function's handler with its
own environment, and answers the way API Gateway would (gateway responses, binary bodies,
CORS preflights from the Api's `Cors`).

Served on 127.0.0.1:3000 by `python -m local` and called in process by the tests.
"""

from __future__ import annotations

import base64
import fnmatch
import importlib.util
import json
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from local.stack import ACCOUNT, REGION, Authorizer, Function, Route, Stack

BASE = ("v1", "tigo", "home")
StartResponse = Callable[..., Any]
Answer = tuple[int, list[tuple[str, str]], bytes]
Decision = dict[str, Any]
_env_lock = threading.RLock()
# Powertools keeps the current event on a class attribute shared by every resolver in the
# process: in-process invocations run one at a time (Lambda gives each its own container).
_invoking = threading.Lock()


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_s * 1000


class FunctionHost:
    """One function's container: its handler module imported once (the cold start) under
    the function's own environment, then invoked warm, one request at a time."""

    def __init__(self, country: str, function: Function) -> None:
        self.function = function
        self.name = f"{function.name}-{country}"
        module_name, _, self.attribute = function.handler.rpartition(".")
        self.module_path = function.code_dir / f"{module_name}.py"
        self.module_key = f"_local_{country}_{function.name}_{module_name}"
        self.environment = function.environment
        self._handler: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None

    def handler(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        with _env_lock:
            if self._handler is None:
                self._handler = self._import()
            return self._handler

    def _import(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        code_dir = str(self.function.code_dir)
        if code_dir not in sys.path:
            sys.path.insert(0, code_dir)
        saved = dict(os.environ)
        os.environ.update(self.environment)
        try:
            spec = importlib.util.spec_from_file_location(self.module_key, self.module_path)
            if spec is None or spec.loader is None:
                raise ImportError(self.module_path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[self.module_key] = module
            spec.loader.exec_module(module)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        handler: Callable[[dict[str, Any], Any], dict[str, Any]] = getattr(module, self.attribute)
        return handler

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        context = LambdaContext(
            self.name, self.function.memory_mb, self.function.timeout_s, str(uuid.uuid4())
        )
        handler = self.handler()
        with _invoking:
            return handler(event, context)


class Gateway:
    """The WSGI app. `stacks` maps country code to its Stack (provisioned)."""

    def __init__(
        self,
        stacks: dict[str, Stack],
        default_country: str,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        # Switches every function shares (read by Powertools at call time, not only at import)
        os.environ.update(extra_env or {})
        self.stacks = stacks
        self.default_country = default_country
        self.hosts: dict[tuple[str, str], FunctionHost] = {}
        self.routes: dict[str, list[Route]] = {}
        self.api: dict[str, dict[str, Any]] = {}
        self.authorizers: dict[str, dict[str, Authorizer]] = {}
        self._decisions: dict[tuple[str, str, str], tuple[float, Decision]] = {}
        for country, stack in stacks.items():
            for function in stack.functions().values():
                self.hosts[(country, function.name)] = FunctionHost(country, function)
            self.routes[country] = stack.routes()
            self.api[country] = stack.api()
            self.authorizers[country] = stack.authorizers()

    # WSGI --------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        status, headers, body = self.handle(environ)
        start_response(f"{status} {_reason(status)}", headers)
        return [body]

    def handle(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
        path = environ.get("PATH_INFO") or "/"
        segments = tuple(s for s in path.split("/") if s)
        country = self.default_country
        if segments[:3] == BASE and len(segments) > 3:
            country = segments[3]
            segments = segments[4:]
        if country not in self.stacks:
            return self._gateway_response(self.default_country, "MISSING_AUTHENTICATION_TOKEN")
        method = environ["REQUEST_METHOD"].upper()
        matched = _match(self.routes[country], (*BASE, country, *segments), method)
        if matched is None:
            if method == "OPTIONS" and self.api[country].get("Cors"):
                return self._preflight(environ, country, segments)
            return self._gateway_response(country, "MISSING_AUTHENTICATION_TOKEN")
        route, path_parameters = matched
        event = self._event(environ, country, route, segments, path_parameters)
        if route.authorizer is not None:
            decision = self._authorize(country, route, event)
            if isinstance(decision, tuple):
                return decision
            event["requestContext"]["authorizer"] = decision
        host = self.hosts[(country, route.function)]
        try:
            result = host.invoke(event)
        except Exception:  # a crashed function: API Gateway answers 502
            import traceback

            traceback.print_exc()
            return self._gateway_response(
                country, "DEFAULT_5XX", status=502, message="Internal server error"
            )
        return self._proxy_response(country, result, event["headers"])

    # CORS preflights, as SAM's `Cors` sets them up ---------------------------------------------
    def _preflight(
        self, environ: dict[str, Any], country: str, segments: tuple[str, ...]
    ) -> Answer:
        """SAM gives every resource of the API an OPTIONS method with a mock integration (no
        function behind it): 200 with the configured Access-Control-* headers, whatever the
        request's Origin. The default authorizer guards it unless the Api's Auth sets
        AddDefaultAuthorizerToCorsPreflight to false (SAM's default is true)."""
        routes = self.routes[country]
        resource = _resource(routes, (*BASE, country, *segments))
        if resource is None:
            return self._gateway_response(country, "MISSING_AUTHENTICATION_TOKEN")
        api = self.api[country]
        auth = api.get("Auth", {})
        authorizer = auth.get("DefaultAuthorizer")
        if authorizer and auth.get("AddDefaultAuthorizerToCorsPreflight", True) is not False:
            route = Route("OPTIONS", resource, "", authorizer)
            decision = self._authorize(
                country, route, self._event(environ, country, route, segments, {})
            )
            if isinstance(decision, tuple):
                return decision
        if _is_binary(environ.get("CONTENT_TYPE", ""), api):
            # The mock integration cannot transform a binary request: API Gateway's 500.
            return self._gateway_response(
                country, "API_CONFIGURATION_ERROR", status=500, message="Internal server error"
            )
        cors = api["Cors"]
        cors = {"AllowOrigin": cors} if isinstance(cors, str) else cors
        # Without AllowMethods, SAM lists the resource's own methods and OPTIONS.
        methods = cors.get("AllowMethods") or ",".join(
            sorted({r.method for r in routes if r.path == resource} | {"OPTIONS"})
        )
        headers = [
            ("Content-Type", "application/json"),
            ("Access-Control-Allow-Origin", _literal(cors.get("AllowOrigin", "'*'"))),
            ("Access-Control-Allow-Methods", _literal(methods)),
        ]
        if cors.get("AllowHeaders"):
            headers.append(("Access-Control-Allow-Headers", _literal(cors["AllowHeaders"])))
        if cors.get("MaxAge") is not None:
            headers.append(("Access-Control-Max-Age", _literal(cors["MaxAge"])))
        if cors.get("AllowCredentials") is True:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        data = b"{}"  # the mock's response template
        return 200, [*headers, ("Content-Length", str(len(data)))], data

    # The Lambda authorizer, as API Gateway runs it --------------------------------------------
    def _authorize(self, country: str, route: Route, event: dict[str, Any]) -> Decision | Answer:
        """TOKEN authorizer semantics: no header or one failing the validation expression is
        401 without calling it; its result (allow or deny) is cached per token for the TTL and
        applies to every route; "Unauthorized" is 401; any other failure AUTHORIZER_FAILURE."""
        authorizer = self.authorizers[country][route.authorizer or ""]
        token = _header(event["headers"], authorizer.header)
        if not token or (authorizer.validation and not re.fullmatch(authorizer.validation, token)):
            return self._gateway_response(country, "UNAUTHORIZED")
        context = event["requestContext"]
        method_arn = (
            f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{context['apiId']}/{context['stage']}"
            f"/{route.method}{event['path']}"
        )
        key = (country, route.authorizer or "", token)
        cached = self._decisions.get(key)
        if cached is not None and cached[0] > time.monotonic():
            decision = cached[1]
        else:
            host = self.hosts[(country, authorizer.function)]
            try:
                result = host.invoke(
                    {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
                )
            except Exception as exc:
                if str(exc) == "Unauthorized":
                    return self._gateway_response(country, "UNAUTHORIZED")
                return self._gateway_response(country, "AUTHORIZER_FAILURE", status=500)
            decision = {
                "principalId": result.get("principalId"),
                "policy": result.get("policyDocument", {}),
                **{k: v for k, v in (result.get("context") or {}).items()},
            }
            if authorizer.ttl > 0:
                self._decisions[key] = (time.monotonic() + authorizer.ttl, decision)
        if not _allows(decision["policy"], method_arn):
            return self._gateway_response(
                country, "ACCESS_DENIED", message="User is not authorized to access this resource"
            )
        return {k: v for k, v in decision.items() if k != "policy"}

    # Events and responses -----------------------------------------------------------------------
    def _event(
        self,
        environ: dict[str, Any],
        country: str,
        route: Route,
        segments: tuple[str, ...],
        path_parameters: dict[str, str],
    ) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                headers[key[5:].replace("_", "-").title()] = value
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        host = (
            headers.get("Host")
            or f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '3000')}"
        )
        headers.setdefault("X-Forwarded-Proto", environ.get("wsgi.url_scheme", "http"))
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for key, value in query:
            single[key] = value
            multi.setdefault(key, []).append(value)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        binary = _is_binary(headers.get("Content-Type", ""), self.api[country])
        body: str | None
        if not raw:
            body = None
        elif binary:
            body = base64.b64encode(raw).decode()
        else:
            body = raw.decode("utf-8", errors="replace")
        stage = self.stacks[country].stage
        path = "/" + "/".join((*BASE, country, *segments))
        request_id = str(uuid.uuid4())
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": route.method,
            "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": single or None,
            "multiValueQueryStringParameters": multi or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": ACCOUNT,
                "apiId": "local",
                "domainName": host,
                "httpMethod": route.method,
                "identity": {
                    "sourceIp": environ.get("REMOTE_ADDR", "127.0.0.1"),
                    "userAgent": headers.get("User-Agent", ""),
                },
                "path": path,  # like `sam local`: served without the stage in the URL
                "protocol": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "requestId": request_id,
                "extendedRequestId": request_id,
                "requestTimeEpoch": int(time.time() * 1000),
                "resourcePath": route.path,
                "stage": stage,
            },
            "body": body,
            "isBase64Encoded": binary and bool(raw),
        }

    def _proxy_response(
        self, country: str, result: dict[str, Any], request_headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if not isinstance(result, dict) or "statusCode" not in result:
            return self._gateway_response(
                country, "DEFAULT_5XX", status=502, message="Malformed Lambda proxy response"
            )
        headers: dict[str, str] = {k: str(v) for k, v in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            headers[key] = ", ".join(str(v) for v in values)
        body = result.get("body") or ""
        data = body.encode() if isinstance(body, str) else bytes(body)
        if result.get("isBase64Encoded"):
            accept = request_headers.get("Accept", "").split(",")[0].strip()
            if _is_binary(accept, self.api[country]):
                data = base64.b64decode(data)  # as API Gateway: when the first Accept is binary
        headers["Content-Length"] = str(len(data))
        return int(result["statusCode"]), list(headers.items()), data

    def _gateway_response(
        self, country: str, kind: str, status: int | None = None, message: str = ""
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        responses = self.api[country].get("GatewayResponses", {})
        spec = (
            responses.get(kind)
            or responses.get("DEFAULT_5XX" if (status or 0) >= 500 else "DEFAULT_4XX")
            or {}
        )
        template = spec.get("ResponseTemplates", {}).get("application/json")
        code = int(spec.get("StatusCode") or status or 403)
        if template:
            body = template.replace(
                "$context.error.messageString", json.dumps(message or _reason(code))
            )
        else:
            body = json.dumps({"message": message or "Missing Authentication Token"})
        data = body.encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        for name, value in spec.get("ResponseParameters", {}).get("Headers", {}).items():
            headers.append((name, _literal(value)))
        return code, headers, data


def _resources(
    routes: list[Route], segments: tuple[str, ...]
) -> dict[str, tuple[tuple[int, ...], dict[str, str]]]:
    """The resources a request path matches: each one's rank (per level, 0 for a static
    part and 1 for a {variable}) and path parameters."""
    resources: dict[str, tuple[tuple[int, ...], dict[str, str]]] = {}
    for route in routes:
        if len(route.segments) != len(segments) or route.path in resources:
            continue
        rank: list[int] = []
        params: dict[str, str] = {}
        for template, actual in zip(route.segments, segments, strict=True):
            if template.startswith("{") and template.endswith("}"):
                params[template[1:-1]] = unquote(actual)
                rank.append(1)
            elif template == actual:
                rank.append(0)
            else:
                break
        else:
            resources[route.path] = (tuple(rank), params)
    return resources


def _match(
    routes: list[Route], segments: tuple[str, ...], method: str
) -> tuple[Route, dict[str, str]] | None:
    """API Gateway's resource tree: at each level a static part wins over a {variable}."""
    resources = _resources(routes, segments)
    best: tuple[tuple[int, ...], Route, dict[str, str]] | None = None
    for route in routes:
        found = resources.get(route.path)
        if found is not None and route.method == method and (best is None or found[0] < best[0]):
            best = (found[0], route, found[1])
    if best is None:
        return None
    # The resource API Gateway picks is the most static one; the method must exist on it.
    chosen = min(rank for rank, _ in resources.values())
    return (best[1], best[2]) if best[0] == chosen else None


def _resource(routes: list[Route], segments: tuple[str, ...]) -> str | None:
    """The resource API Gateway picks for a request path (whatever the method), if any."""
    resources = _resources(routes, segments)
    return min(resources, key=lambda path: resources[path][0]) if resources else None


def _literal(value: Any) -> str:
    """A static header value in API Gateway's mapping syntax is a quoted literal: "'600'"."""
    return str(value).strip("'")


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


def _allows(policy: dict[str, Any], arn: str) -> bool:
    """IAM evaluation of an execute-api policy: an explicit Deny wins, then any Allow."""
    allowed = False
    for statement in policy.get("Statement", []):
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if any(fnmatch.fnmatchcase(arn, pattern) for pattern in resources):
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _is_binary(content_type: str, api: dict[str, Any]) -> bool:
    media = content_type.split(";")[0].strip().lower()
    types = [t.replace("~1", "/").lower() for t in api.get("BinaryMediaTypes", [])]
    return "*/*" in types or (bool(media) and media in types)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
