"""What the OpenAPI document says besides the success of each route: the problem document every
error is, the error responses a route declares, the headers that come with them, and the two
bodies of the login.

Litestar's `ResponseSpec` carries no headers and a route's body has one media type, so the
operation classes here complete what Litestar generates, when the document is first asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

PROBLEM_MEDIA_TYPE = "application/problem+json"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


class FieldProblem(msgspec.Struct, frozen=True):
    """One broken rule of a request that did not pass validation."""

    field: Annotated[str, msgspec.Meta(description="The field, as a dotted path (`password`, `roles.0`)")]
    message: str


class Problem(msgspec.Struct, frozen=True):
    """An RFC 9457 problem document: the body of every error."""

    type: Annotated[str, msgspec.Meta(description="`urn:bastion:problem:<code>`, stable for clients to branch on")]
    title: str
    status: Annotated[int, msgspec.Meta(ge=400, le=599)]
    detail: str
    request_id: str | msgspec.UnsetType = msgspec.UNSET
    errors: Annotated[
        list[FieldProblem] | msgspec.UnsetType,
        msgspec.Meta(description="Validation errors (422): one entry per broken rule"),
    ] = msgspec.UNSET


_MEANINGS: dict[int, str] = {
    400: "Malformed request: a body that is not JSON, not UTF-8, empty, nested deeper than 32 levels or of "
    "another content type; where the route says so, a wrong password or an unusable one-time token.",
    401: "Missing, invalid, expired or revoked credentials.",
    403: "Authenticated, but not allowed to do this.",
    404: "Not found, also when it exists but belongs to someone else.",
    409: "Conflict with the current state (a taken email or username, an admin changing itself).",
    413: "The body is larger than BASTION_MAX_BODY_BYTES (64 KiB by default).",
    422: "Validation failed: `errors` names each field and broken rule.",
    429: "Throttled (per client IP, or a locked login identifier): try again after `Retry-After` seconds.",
    503: "A dependency (database, Redis, the password hashing pool) is unavailable: try again after `Retry-After`.",
}


def problem_responses(statuses: Iterable[int]) -> dict[int, ResponseSpec]:
    """The error responses of a route: each a problem document, with the meaning of its status."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_MEANINGS[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted(set(statuses))
    }


def _header(description: str, schema_type: OpenAPIType, minimum: int | None = None) -> OpenAPIHeader:
    return OpenAPIHeader(schema=Schema(type=schema_type, minimum=minimum), required=True, description=description)


_RETRY_AFTER = _header("Seconds to wait before trying again.", OpenAPIType.INTEGER, minimum=1)
_PROBLEM_HEADERS: dict[str, dict[str, OpenAPIHeader]] = {
    "401": {
        "WWW-Authenticate": _header(
            'The challenge (RFC 6750): `Bearer realm="bastion"`, with `error="invalid_token"` when a token '
            "was presented.",
            OpenAPIType.STRING,
        )
    },
    "429": {"Retry-After": _RETRY_AFTER},
    "503": {"Retry-After": _RETRY_AFTER},
}


def _is_problem(response: OpenAPIResponse | Reference) -> bool:
    return isinstance(response, OpenAPIResponse) and PROBLEM_MEDIA_TYPE in (response.content or {})


@dataclass
class ContractOperation(Operation):
    """An operation whose problem responses also name the headers that come with them, without the
    400 Litestar adds to a route with parameters (its validation errors are our 422 problems)."""

    def __post_init__(self) -> None:
        responses = self.responses or {}
        if "400" in responses and not _is_problem(responses["400"]):
            del responses["400"]
        if isinstance(no_content := responses.get("204"), OpenAPIResponse):
            no_content.content = None
        for status, response in responses.items():
            headers = _PROBLEM_HEADERS.get(status)
            if headers and isinstance(response, OpenAPIResponse) and _is_problem(response):
                response.headers = {**(response.headers or {}), **headers}


_CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NESTED_LISTS = frozenset({"anyOf", "oneOf", "allOf"})


def _litestar_schema(json_schema: Mapping[str, Any]) -> Schema:
    """A JSON Schema (as msgspec writes it) as Litestar's `Schema`, whose fields are in snake case;
    Litestar's `extra` keywords are merged in."""
    values: dict[str, Any] = {}
    for key, value in {**json_schema, **json_schema.get("extra", {})}.items():
        if key == "extra":
            continue
        if key == "properties":
            value = {name: _litestar_schema(item) for name, item in value.items()}
        elif key in _NESTED_LISTS:
            value = [_litestar_schema(item) for item in value]
        values[_CAMEL_HUMP.sub("_", key).lower()] = value
    return Schema(**values)


def body_schema(body_type: type[msgspec.Struct]) -> Schema:
    """The JSON Schema of a flat request body (no nested structs), inlined."""
    _, components = msgspec.json.schema_components([body_type])
    return _litestar_schema(components[body_type.__name__])


def _one_of_named(*names: str) -> list[Schema]:
    """`anyOf` alternatives: at least one of `names` is given, as a non-empty string."""
    return [Schema(required=[name], properties={name: Schema(type=OpenAPIType.STRING, min_length=1)}) for name in names]


def log_in_operation(
    json_body: type[msgspec.Struct], form_body: type[msgspec.Struct], *other_forms: type[msgspec.Struct]
) -> type[ContractOperation]:
    """The operation class of a login route, which reads its body itself: JSON (`json_body`, naming
    the account by `email` or `username`) or the OAuth2 password form (`form_body`), or else one of
    `other_forms` (the other grants of POST /token)."""

    @dataclass
    class LogInOperation(ContractOperation):
        def __post_init__(self) -> None:
            super().__post_init__()
            json_schema = body_schema(json_body)
            json_schema.any_of = _one_of_named("email", "username")
            content = {
                "application/json": OpenAPIMediaType(schema=json_schema),
                FORM_MEDIA_TYPE: OpenAPIMediaType(
                    schema=Schema(one_of=[body_schema(form) for form in (form_body, *other_forms)])
                    if other_forms
                    else body_schema(form_body)
                ),
            }
            self.request_body = RequestBody(content=content, required=True)

    return LogInOperation


class ClosedBodySchemaPlugin(OpenAPISchemaPlugin):
    """Says `additionalProperties: false` of the request bodies that refuse unknown fields (422),
    completing the schema Litestar's own plugin makes of a msgspec struct."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        struct = field_definition.annotation
        return (
            isinstance(struct, type)
            and issubclass(struct, msgspec.Struct)
            and struct.__struct_config__.forbid_unknown_fields
        )

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        struct_plugin = next(
            plugin
            for plugin in schema_creator.plugins
            if plugin is not self and schema_creator.plugin_supports_field(plugin, field_definition)
        )
        schema = struct_plugin.to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema
