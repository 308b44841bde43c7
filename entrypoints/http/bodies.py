"""Decoding bodies that Litestar cannot type for us (the login accepts JSON or an OAuth2 form)."""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec
from litestar import Request

from entrypoints.http.problems import problem

T = TypeVar("T")
_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_FIELD_NAME = re.compile(r"field `(?P<name>[^`]+)`")


def _field(message: str) -> tuple[str, str]:
    match = _PATH.search(message)
    path = match.group("path") if match else ""
    text = message[: match.start()] if match else message
    field = re.sub(r"\[(\d+)\]", r".\1", path).lstrip(".")
    if not field and (named := _FIELD_NAME.search(text)):
        field = named.group("name")
    return field, text


def _shape_problem(exc: msgspec.ValidationError) -> Exception:
    field, message = _field(str(exc))
    errors = [{"field": field, "message": message}]
    return problem(422, "validation_failed", "The request did not pass validation.", extra={"errors": errors})


def decode_json(body: bytes, type_: type[T]) -> T:
    """Decode a JSON body: 400 when it is not JSON at all, 422 when it is JSON of the wrong shape."""
    if not body:
        raise problem(400, "bad_request", "A JSON body is required.")
    try:
        return msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError as exc:
        raise _shape_problem(exc) from None
    except msgspec.DecodeError:
        raise problem(400, "bad_request", "The body is not valid JSON.") from None


async def decode_form(request: Request[Any, Any, Any], type_: type[T]) -> T:
    """Decode an url-encoded form into `type_` (single values only), with the same errors as JSON."""
    form = await request.form()
    values = {key: form.get(key) for key in form}
    try:
        return msgspec.convert(values, type=type_)
    except msgspec.ValidationError as exc:
        raise _shape_problem(exc) from None
