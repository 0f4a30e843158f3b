"""Domain errors. One exception map (selfcare.api) turns each into an `errorBody`."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a caller may see; `status` is the HTTP status."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ServiceError):
    status = 400


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class MethodNotAllowed(ServiceError):
    """A method the path does not declare; `allowed` are those it does (the `Allow` header)."""

    status = 405

    def __init__(self, method: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"{method} is not allowed here; allowed: {', '.join(allowed)}")
        self.allowed = allowed


class Conflict(ServiceError):
    status = 409


class PayloadTooLarge(ServiceError):
    status = 413


class TooManyRequests(ServiceError):
    status = 429


class UpstreamError(ServiceError):
    """A system we depend on answered wrongly."""

    status = 502


class Unavailable(ServiceError):
    """A system we depend on (or our own configuration) is not usable right now."""

    status = 503


class UpstreamTimeout(ServiceError):
    status = 504


class InvalidParameter(BadRequest):
    """A path, query or body value is malformed; the message names it."""

    def __init__(self, name: str, problem: str) -> None:
        # no "name: value" shape, which log and answer redaction would take for a secret's value
        super().__init__(f"Invalid parameter '{name}', {problem}")
        self.parameter = name
