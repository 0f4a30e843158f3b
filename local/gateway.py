"""API Gateway (REST, Lambda proxy) in process: a WSGI app that routes like the stage
template.yaml declares, builds REST proxy events, calls each function's handler with its
own environment, and answers the way API Gateway would (gateway responses, binary bodies,
CORS preflights from the Api's `Cors`).

Served on 127.0.0.1:3000 by `python -m local` and called in process by the tests.
"""

from __future__ import annotations

import base64
import contextvars
import ctypes
import fnmatch
import importlib.util
import itertools
import json
import os
import queue
import re
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, unquote

from local.stack import ACCOUNT, REGION, Authorizer, Function, Route, Stack

BASE = ("v1", "tigo", "home")
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")  # what ANY stands for
StartResponse = Callable[..., Any]
Answer = tuple[int, list[tuple[str, str]], bytes]
Decision = dict[str, Any]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
_env_lock = threading.RLock()
# Powertools keeps the current event on a class attribute shared by every resolver in the
# process: in-process invocations run one at a time (Lambda gives each its own container).
_invoking = threading.Lock()


_HOSTS = itertools.count(1)


class FunctionTimeout(Exception):
    """An invocation ran past its function's Timeout: Lambda stops it ("Task timed out after
    N seconds") and reports a function error to API Gateway."""


class _Frozen(BaseException):
    """Raised inside a timed-out invocation's thread, so that none of its code runs on (Lambda
    freezes and resets the execution environment at the deadline). A BaseException: handlers'
    `except Exception` cannot swallow it; `finally` blocks still run."""


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    timeout_s: float
    aws_request_id: str
    deadline: float = 0.0  # time.monotonic() at which Lambda stops the invocation (0: from now)

    def __post_init__(self) -> None:
        if not self.deadline:
            self.deadline = time.monotonic() + self.timeout_s

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
        """What is left of the invocation's Timeout, counted from its start (as Lambda's)."""
        return max(0, int((self.deadline - time.monotonic()) * 1000))


class _Invocation:
    def __init__(self, handler: Handler, event: dict[str, Any], context: LambdaContext) -> None:
        self.handler, self.event, self.context = handler, event, context
        self.variables = contextvars.copy_context()  # the caller's, as if it ran in its thread
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.variables.run(self.handler, self.event, self.context)
        except _Frozen:
            raise
        except BaseException as error:  # the function's error, raised to the caller
            self.error = error
        finally:
            self.done.set()


class _Container:
    """A function's execution environment: one thread that runs its invocations one after
    another, so what a container keeps per thread (the DynamoDB connection) lives as long
    as the container, as in Lambda."""

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[_Invocation | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=f"lambda {name}", daemon=True)
        self._thread.start()

    def run(self, invocation: _Invocation, until: float) -> bool:
        """Run it; False when it is still running at `until` (time.monotonic())."""
        self._queue.put(invocation)
        return invocation.done.wait(max(0.0, until - time.monotonic()))

    def stop(self) -> None:
        self._queue.put(None)

    def freeze(self) -> None:
        """Stop a timed-out invocation. A thread cannot be killed: an asynchronous exception
        raised in it stops it at its next Python instruction (a call blocked in C, such as a
        socket read, ends first; a request already sent to DynamoDB is applied, as it would
        be if Lambda had stopped the function)."""
        if self._thread.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._thread.ident), ctypes.py_object(_Frozen)
            )
        self.stop()

    def _serve(self) -> None:
        try:
            while (invocation := self._queue.get()) is not None:
                invocation.run()
        except _Frozen:
            pass


class FunctionHost:
    """One function's container: its handler module imported once (the cold start) under
    the function's own environment, then invoked warm, one request at a time, in the
    container's own thread and within the function's Timeout.

    An invocation still running at its deadline is answered as Lambda answers it (a
    FunctionTimeout, which API Gateway turns into a 502) and the container is thrown away,
    as Lambda resets the execution environment after a timeout (docs.aws.amazon.com/lambda/
    latest/dg/lambda-runtime-environment.html, "Failures during the invoke phase"): the
    invocation is stopped at its next Python instruction (none of its later writes happen)
    and the next one imports the module again, a cold start with fresh module state.
    Waiting for the late invocation instead would hold every later request behind a hung
    one, and letting it run on would let it read and write under the next request's
    Powertools event (a class attribute every resolver shares).

    `timeout_s` is the Timeout the context counts down and the runner stops the invocation
    at (the template's, scaled by LOCAL_TIMEOUT_SCALE; tests may set it)."""

    def __init__(self, country: str, function: Function, timeout_s: float | None = None) -> None:
        self.function = function
        self.name = f"{function.name}-{country}"
        module_name, _, self.attribute = function.handler.rpartition(".")
        self.module_path = function.code_dir / f"{module_name}.py"
        # one module per host: stacks of two stages (two backends) may run side by side
        self.module_key = f"_local_{country}_{function.name}_{module_name}_{next(_HOSTS)}"
        self.environment = function.environment
        self.timeout_s = float(function.timeout_s if timeout_s is None else timeout_s)
        self._handler: Handler | None = None
        self._container: _Container | None = None

    def handler(self) -> Handler:
        with _env_lock:
            if self._handler is None:
                self._handler = self._import()
            return self._handler

    def _import(self) -> Handler:
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
        handler: Handler = getattr(module, self.attribute)
        return handler

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        with _invoking:
            handler = self.handler()  # here: never the handler of a container thrown away
            if self._container is None:
                self._container = _Container(self.name)
                weakref.finalize(self, self._container.stop)  # a host dropped ends its thread
            container = self._container
            # The deadline starts with the invocation (Lambda's Init is not counted in it).
            context = LambdaContext(
                self.name, self.function.memory_mb, self.timeout_s, str(uuid.uuid4())
            )
            invocation = _Invocation(handler, event, context)
            if not container.run(invocation, context.deadline):
                container.freeze()
                self._container = None
                with _env_lock:
                    self._handler = None
                raise FunctionTimeout(f"Task timed out after {self.timeout_s:.2f} seconds")
            if invocation.error is not None:
                raise invocation.error
            result: dict[str, Any] = invocation.result
            return result

    def stop(self) -> None:
        """Let the container's thread end (the host imports and starts anew if invoked)."""
        with _invoking:
            if self._container is not None:
                self._container.stop()
                self._container = None


class Gateway:
    """The WSGI app. `stacks` maps country code to its Stack (provisioned)."""

    def __init__(
        self,
        stacks: dict[str, Stack],
        default_country: str,
        extra_env: dict[str, str] | None = None,
        timeouts: Mapping[str, float] | None = None,
    ) -> None:
        """`timeouts` overrides functions' Timeout (seconds, by logical id), for tests; the
        others run within their template's Timeout times LOCAL_TIMEOUT_SCALE (1 unless set:
        a loaded machine runs invocations several times slower than Lambda, and the test
        suite sets more, so that slowness never reads as a dependency's timeout)."""
        # Switches every function shares (read by Powertools at call time, not only at import)
        os.environ.update(extra_env or {})
        scale = max(1.0, float(os.environ.get("LOCAL_TIMEOUT_SCALE") or 1))
        self.stacks = stacks
        self.default_country = default_country
        self.hosts: dict[tuple[str, str], FunctionHost] = {}
        self.routes: dict[str, list[Route]] = {}
        self.api: dict[str, dict[str, Any]] = {}
        self.authorizers: dict[str, dict[str, Authorizer]] = {}
        self._decisions: dict[tuple[str, str, str], tuple[float, Decision]] = {}
        for country, stack in stacks.items():
            for function in stack.functions().values():
                timeout = (timeouts or {}).get(function.name, function.timeout_s * scale)
                self.hosts[(country, function.name)] = FunctionHost(country, function, timeout)
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
        preflight = matched is None or matched[0].method == "ANY"  # SAM's OPTIONS beats ANY
        if method == "OPTIONS" and preflight and self.api[country].get("Cors"):
            return self._preflight(environ, country, segments)
        if matched is None:
            return self._gateway_response(country, "MISSING_AUTHENTICATION_TOKEN")
        route, path_parameters = matched
        if route.method == "ANY":  # the event, and the authorizer's methodArn, name the method
            route = replace(route, method=method)
        event = self._event(environ, country, route, segments, path_parameters)
        if route.authorizer is not None:
            decision = self._authorize(country, route, event)
            if isinstance(decision, tuple):
                return decision
            event["requestContext"]["authorizer"] = decision
        host = self.hosts[(country, route.function)]
        try:
            result = host.invoke(event)
        except FunctionTimeout as timeout:
            # A Lambda timeout (within API Gateway's 29 s integration timeout, which would be
            # a 504 INTEGRATION_TIMEOUT) is a function error: API Gateway answers 502 "Internal
            # server error" (docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html)
            # with response type INTEGRATION_FAILURE, as its access logs record function errors
            # (github.com/DataBiosphere/azul/pull/6624): that gateway response, if defined.
            print(f"{event['requestContext']['requestId']} {timeout}", file=sys.stderr)
            return self._gateway_response(
                country, "INTEGRATION_FAILURE", status=502, message="Internal server error"
            )
        except Exception:  # a crashed function: a function error too, the same 502
            import traceback

            traceback.print_exc()
            return self._gateway_response(
                country, "INTEGRATION_FAILURE", status=502, message="Internal server error"
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
        # Without AllowMethods, SAM lists the resource's own methods and OPTIONS (all, for ANY).
        own = {r.method for r in routes if r.path == resource} | {"OPTIONS"}
        own = set(ALL_METHODS) if "ANY" in own else own
        methods = cors.get("AllowMethods") or ",".join(sorted(own))
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
    """API Gateway's resource tree: at each level a static part wins over a {variable}. On
    the resource it picks, the request's method, else the resource's ANY method."""
    resources = _resources(routes, segments)
    if not resources:
        return None
    chosen = min(resources, key=lambda path: resources[path][0])
    on = {route.method: route for route in routes if route.path == chosen}
    route = on.get(method) or on.get("ANY")
    return (route, resources[chosen][1]) if route is not None else None


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
