"""Request bodies: parsed against their contract model, or a 400 naming the field.

Imported only by routes that take a body, so read-only cold starts never load pydantic.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from selfcare.errors import InvalidParameter
from selfcare.models.common import REQUEST, safe_errors

M = TypeVar("M", bound=BaseModel)


def text(event: Mapping[str, Any]) -> str:
    raw = event.get("body") or ""
    if event.get("isBase64Encoded") and raw:
        try:
            return base64.b64decode(raw).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise InvalidParameter("body", "not UTF-8 JSON") from None
    return str(raw)


def parse(event: Mapping[str, Any], model: type[M]) -> M:
    raw = text(event)
    if not raw.strip():
        raise InvalidParameter("body", f"required: a JSON {model.__name__} object")
    try:
        return model.model_validate_json(raw, context=REQUEST)
    except ValidationError as exc:
        problems = safe_errors(exc)
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidParameter(first["field"], first["problem"] + more) from None
