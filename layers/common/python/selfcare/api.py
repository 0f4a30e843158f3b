"""One resolver factory for every function: routing, the exception map to `errorBody`,
JSON that renders Decimal and dates, CORS, Logger, Metrics and Tracer, and the access check."""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler.api_gateway import (
    APIGatewayRestResolver,
    CORSConfig,
    Response,
)
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths

from selfcare import access, budget, change, snapstart, tracing
from selfcare.countries import Country, get_country
from selfcare.errors import MethodNotAllowed, PayloadTooLarge, ServiceError
from selfcare.identity import Caller
from selfcare.ports import Backend
from selfcare.redaction import RedactingFormatter, redact_text
from selfcare.settings import Settings
from selfcare.wiring import Wiring

JSON = "application/json"
MAX_BODY = 16 * 1024  # no contract body comes near; larger ones are refused unread (413)
BASE_PATH = re.compile(r"^/v1/tigo/home/[a-z]{2}(?=/|$)")  # the contract's basePath
BASE_RESOURCE = "/v1/tigo/home/{country}"  # the same, in API Gateway's resource paths
VARIABLE = re.compile(r"\{[^/}]*\}")
# CORS for web apps (the stack's AllowedOrigins). API Gateway answers the preflights itself
# (the Api's `Cors`); with the Lambda proxy integration each actual answer must carry its
# own Access-Control-* headers, so the functions add them.
CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match"]
CORS_EXPOSE_HEADERS = ["ETag", "Content-Disposition"]  # paperless versions, the PDF's name
CORS_MAX_AGE = 600  # seconds, as the template's preflight answers
# On every answer (API Gateway's own answers get them from the template's GatewayResponses):
# answers are personal (invoices, PDFs, payment pages, errors naming ids), so no cache keeps
# them, and no browser reads one as another type than the one it says.
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


# Read-only requests publish no business metric; Powertools would warn on every one.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


dumps = partial(json.dumps, separators=(",", ":"), ensure_ascii=False, default=_default)


def public_base_url(event: Mapping[str, Any]) -> str:
    """The API's public base URL as this request reached it, through
    /v1/tigo/home/<country> (the stage too, on an execute-api domain)."""
    context = event.get("requestContext") or {}
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    scheme = headers.get("x-forwarded-proto", "https")
    host = context.get("domainName") or headers.get("host", "localhost")
    path = str(context.get("path") or event.get("path") or "")
    at = path.find("/v1/tigo/home/")
    if at < 0:
        return f"{scheme}://{host}"
    base = BASE_PATH.match(path[at:])
    return f"{scheme}://{host}{path[:at]}{base.group(0) if base else ''}"


def allowed_origins(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The web origins allowed by CORS: `ALLOWED_ORIGINS`, comma-separated, as browsers
    send them in `Origin` (scheme://host[:port], lower case, no trailing slash)."""
    env = os.environ if env is None else env
    found = (o.strip().rstrip("/").lower() for o in env.get("ALLOWED_ORIGINS", "").split(","))
    return tuple(dict.fromkeys(o for o in found if o))


def cors_config(origins: tuple[str, ...]) -> CORSConfig | None:
    """Powertools' CORS: an answer carries `Access-Control-Allow-Origin: <the request's
    Origin>` only when that Origin is one of `origins` (nothing otherwise, nor without an
    Origin); None (no CORS at all) when no origin is allowed."""
    if not origins:
        return None
    return CORSConfig(
        allow_origin=origins[0],
        extra_origins=list(origins[1:]),
        allow_headers=CORS_ALLOW_HEADERS,
        expose_headers=CORS_EXPOSE_HEADERS,
        max_age=CORS_MAX_AGE,
        allow_credentials=False,  # bearer tokens, never cookies
    )


def vary_on_origin(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """`Vary: Origin` on every answer (with an Origin or not, allowed or not): whether it
    carries Access-Control-Allow-Origin depends on the Origin, so no cache (the browser's
    included) may give an answer to another Origin. Powertools does not add it."""

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        answer = handler(event, context)
        headers = answer.get("multiValueHeaders")
        if isinstance(headers, dict):
            headers.setdefault("Vary", []).append("Origin")
        return answer

    return handle


# A change's answer: (body, status) or (body, status, headers).
Answer = tuple[Any, int] | tuple[Any, int, dict[str, str]]


def _response(body: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=JSON, body=body, headers=headers or {})


def with_security_headers(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """SECURITY_HEADERS on every answer (successes, errorBodies, PDFs, pages), unless the
    route set that header itself."""

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        answer = handler(event, context)
        headers = answer.get("multiValueHeaders")
        if isinstance(headers, dict):
            present = {k.lower() for k in (*headers, *(answer.get("headers") or ()))}
            for name, value in SECURITY_HEADERS.items():
                if name.lower() not in present:
                    headers[name] = [value]
        return answer

    return handle


def body_size(event: Mapping[str, Any]) -> int:
    """The request body's size in bytes as the caller sent it: UTF-8 bytes of a text body,
    the decoded size of a base64 one (API Gateway encodes binary media types)."""
    body = event.get("body")
    if not isinstance(body, str) or not body:
        return 0
    if event.get("isBase64Encoded"):
        return len(body.rstrip("=")) * 3 // 4
    if body.isascii():  # the common case, known without a scan
        return len(body)
    return len(body.encode("utf-8", "surrogatepass"))  # a lone surrogate must not raise


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An errorBody. Messages may quote what the caller sent: card numbers, tokens and
    secrets in them are masked as in the logs."""
    body = {"code": status, "message": redact_text(message)}
    return Response(status_code=status, content_type=JSON, body=body, headers=headers)


class Api:
    """A function's resolver and everything it shares with the other functions.

    app.py files do: `api = Api("billing")`, declare routes on `api.app`, and export
    `handler = api.handler`.
    """

    def __init__(
        self, service: str, settings: Settings | None = None, gateway_name: str | None = None
    ) -> None:
        self.service = service
        self._allowed: dict[str, tuple[str, ...]] = {}
        self.settings = settings or Settings.from_env()
        # The function's composition root: every adapter and store, built on first use.
        self.wiring = Wiring(self.settings, gateway_name or "The payment gateway")
        self.country: Country = get_country(self.settings.country)
        self.logger = Logger(service=service, logger_formatter=RedactingFormatter())
        self.metrics = Metrics(service=service)
        # Read once per function, at cold start, like the settings (Api is built at import).
        self.allowed_origins = allowed_origins()
        self.app = APIGatewayRestResolver(
            serializer=dumps,
            strip_prefixes=[BASE_PATH],
            cors=cors_config(self.allowed_origins),  # before any route: each route takes it
        )
        scope = self._scope

        def scope_middleware(
            app: APIGatewayRestResolver, next_middleware: Callable[..., Response]
        ) -> Any:
            # A plain function, not the bound method: Powertools caches what it inspects of
            # a middleware on the function itself (a bound method would be re-inspected,
            # type hints evaluated, on every request: half the warm cost).
            return scope(app, next_middleware)

        self.app.use([scope_middleware])
        self.app.exception_handler(ServiceError)(self._service_error)
        self.app.not_found(self._not_found)
        self.app.exception_handler(Exception)(self._unexpected)
        self.handler = self._build_handler()
        if snapstart.install():
            snapstart.on_restore(self._forget)

    def _forget(self) -> None:
        """After a SnapStart restore: ownership looked up before the snapshot may be stale,
        and a BSS client's connections and token belong to the snapshot's moment."""
        self.__dict__.pop("directory", None)
        if self.settings.backend != "sandbox":
            self.wiring.__dict__.pop("backend", None)

    # Backends, created on first use and kept for the life of the container -------------------
    @property
    def backend(self) -> Backend:
        return self.wiring.backend

    @backend.setter
    def backend(self, backend: Backend) -> None:  # a fake, in tests
        self.wiring.backend = backend

    @cached_property
    def directory(self) -> access.CachedDirectory:
        return access.CachedDirectory(self.backend)

    @cached_property
    def methods(self) -> dict[str, tuple[str, ...]]:
        """API Gateway resource path (variables unnamed: `/x/{}`) -> the methods this function
        declares on it. The template sends every other method of its resources here too."""
        found: dict[str, set[str]] = {}
        # Powertools keeps its routes in these two lists (pinned version; tested).
        for route in (*self.app._static_routes, *self.app._dynamic_routes):
            resource = VARIABLE.sub("{}", BASE_RESOURCE + route.openapi_path.rstrip("/"))
            found.setdefault(resource, set()).add(route.method)
        return {resource: tuple(sorted(methods)) for resource, methods in found.items()}

    def allowed(self, resource: str) -> tuple[str, ...]:
        """The methods declared on an event's `resource` (none for a resource not ours)."""
        known = self._allowed.get(resource)
        if known is None:
            known = self._allowed[resource] = self.methods.get(VARIABLE.sub("{}", resource), ())
        return known

    # Request helpers ---------------------------------------------------------------------------
    @property
    def scope(self) -> access.Scope:
        scope: access.Scope = self.app.context["scope"]
        return scope

    @property
    def query(self) -> dict[str, str]:
        return self.app.current_event.query_string_parameters or {}

    def count(self, metric: str, value: int = 1) -> None:
        """A business metric (Powertools Metrics, EMF): checkouts, payments, subscriptions."""
        from aws_lambda_powertools.metrics import MetricUnit

        self.metrics.add_metric(name=metric, unit=MetricUnit.Count, value=value)

    @property
    def event(self) -> dict[str, Any]:
        event: dict[str, Any] = self.app.current_event.raw_event
        return event

    def once(self, produce: Callable[[], Answer], payload: str | None = None) -> Response:
        """Answer a change (`produce` gives body, status and optionally headers); with an
        `Idempotency-Key` header, once per key and body: a retry replays the first answer,
        and the change carries an id of the key's (`selfcare.change`), so a retry after an
        answer that never arrived finds its own earlier writes. `payload` replaces the body
        in the idempotency record (a keyed fingerprint for bodies that must not be kept,
        even hashed: card data)."""
        event = self.app.current_event
        key = event.headers.get("Idempotency-Key") or event.headers.get("idempotency-key")
        if key is None:
            return _response(*produce())
        from selfcare import body, idempotency

        caller = self.scope.caller
        scope = f"{caller.subject or caller.client_id}|{event.http_method} {event.path}"
        idempotency.check_key(key)
        change.begin(change.for_key(scope, key), keyed=True)
        text, status, headers = self.wiring.once(
            self.settings.require("idempotency_table"),
            scope,
            key,
            body.text(self.event) if payload is None else payload,
            produce,
            dumps,
            self.app.lambda_context,
        )
        return Response(status_code=status, content_type=JSON, body=text, headers=headers)

    # Middleware and exception map ------------------------------------------------------------
    def _scope(self, app: APIGatewayRestResolver, next_middleware: Callable[..., Response]) -> Any:
        event = app.current_event
        raw = event.raw_event
        allowed = self.allowed(raw.get("resource") or "")
        if allowed and event.http_method not in allowed:
            raise MethodNotAllowed(event.http_method, allowed)  # before any token or id check
        caller = Caller.from_request_context(raw.get("requestContext"))
        if body_size(raw) > MAX_BODY:
            raise PayloadTooLarge(f"Request bodies are limited to {MAX_BODY // 1024} KiB")
        path = event.path_parameters or {}
        scope = access.resolve(
            path, caller, self.country, self.directory, event.http_method, raw.get("resource", "")
        )
        app.append_context(scope=scope)
        return next_middleware(app)

    def _service_error(self, error: ServiceError) -> Response:
        if error.status >= 500:
            self.logger.warning(
                "Dependency failure", extra={"status": error.status, "error": error.message}
            )
        else:
            self.logger.info("Refused", extra={"status": error.status, "error": error.message})
        if isinstance(error, MethodNotAllowed):
            return error_response(error.status, error.message, {"Allow": ", ".join(error.allowed)})
        return error_response(error.status, error.message)

    def _not_found(self, _: NotFoundError) -> Response:
        return error_response(404, "No such route")

    def _unexpected(self, error: Exception) -> Response:
        self.logger.exception("Unexpected failure")
        return error_response(500, "Internal error; the failure was logged")

    # Entry point -------------------------------------------------------------------------------
    def _build_handler(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        resolve = self.app.resolve

        def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
            budget.start(context)  # every call to a dependency fits in what is left
            change.begin(getattr(context, "aws_request_id", None))  # what its writes carry
            try:
                return resolve(event, context)
            finally:
                budget.clear()  # the deadline and the change are this invocation's:
                change.clear()  # none outlives it

        handler = with_security_headers(invoke)
        if self.allowed_origins:
            handler = vary_on_origin(handler)
        handler = tracing.capture_handler(self.service, handler)
        handler = self.metrics.log_metrics(capture_cold_start_metric=True)(handler)
        return self.logger.inject_lambda_context(
            correlation_id_path=correlation_paths.API_GATEWAY_REST
        )(handler)
