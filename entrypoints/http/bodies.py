"""Decoding JSON bodies: the checks every JSON body passes (`JsonCheckedRequest`), and the bodies
Litestar cannot type for us (the login accepts JSON or an OAuth2 form)."""

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


MAX_JSON_DEPTH = 32
_OPENERS = frozenset(b"[{")
_CLOSERS = frozenset(b"]}")
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def _depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the common case, decided at C speed
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == _BACKSLASH, byte != _QUOTE)
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSERS:
            depth -= 1
    return False


def check_json_body(body: bytes) -> None:
    """Refuse, before decoding, what no JSON route accepts: an empty body and nesting deeper than
    `MAX_JSON_DEPTH` (which would also exhaust the decoder's recursion)."""
    if not body:
        raise problem(400, "bad_request", "A JSON body is required.")
    if _depth_exceeds(body, MAX_JSON_DEPTH):
        raise problem(400, "bad_request", f"The JSON is nested deeper than {MAX_JSON_DEPTH} levels.")


def not_utf8() -> Exception:
    return problem(400, "bad_request", "The body is not valid UTF-8.")


class JsonCheckedRequest(Request[Any, Any, Any]):
    """Litestar's request, whose JSON body passes `check_json_body` and is refused with 400 when it
    is not UTF-8 (Litestar's decoder lets `UnicodeDecodeError` through as a 500)."""

    async def json(self) -> Any:
        check_json_body(await self.body())
        try:
            return await super().json()
        except UnicodeDecodeError:
            raise not_utf8() from None


def _shape_problem(exc: msgspec.ValidationError) -> Exception:
    field, message = _field(str(exc))
    errors = [{"field": field, "message": message}]
    return problem(422, "validation_failed", "The request did not pass validation.", extra={"errors": errors})


def decode_json(body: bytes, type_: type[T]) -> T:
    """Decode a JSON body: 400 when it is not JSON at all, 422 when it is JSON of the wrong shape."""
    check_json_body(body)
    try:
        return msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError as exc:
        raise _shape_problem(exc) from None
    except UnicodeDecodeError:
        raise not_utf8() from None
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
