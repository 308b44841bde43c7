"""Every error as an RFC 9457 problem document: one table from domain errors to HTTP."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException, ProblemDetailsPlugin
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from application.errors import DependencyUnavailableError
from domain.errors import (
    AccountDisabledError,
    ConflictError,
    DomainError,
    EmailNotVerifiedError,
    InvalidClientError,
    InvalidCredentialsError,
    InvalidScopeError,
    NotFoundError,
    OneTimeTokenInvalidError,
    PasskeyRefusedError,
    PermissionDeniedError,
    TokenInvalidError,
    TooManyAttemptsError,
    ValidationFailedError,
    WrongPasswordError,
)
from entrypoints.http.request_context import current_request_id

logger = logging.getLogger("bastion.http")

PROBLEM_BASE = "urn:bastion:problem:"

_STATUS: dict[type[DomainError], int] = {
    ValidationFailedError: 422,
    ConflictError: 409,
    InvalidCredentialsError: 401,
    TokenInvalidError: 401,
    AccountDisabledError: 403,
    EmailNotVerifiedError: 403,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    TooManyAttemptsError: 429,
    OneTimeTokenInvalidError: 400,
    WrongPasswordError: 400,
    PasskeyRefusedError: 400,
    InvalidClientError: 401,
    InvalidScopeError: 400,
}
# The token endpoint's errors that OAuth2 clients read by their `error` code (RFC 6749 section 5.2).
_OAUTH_ERRORS = (InvalidClientError, InvalidScopeError)

_HTTP_TITLES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is malformed."),
    401: ("unauthorized", "Authentication is required."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "The resource was not found."),
    405: ("method_not_allowed", "The method is not allowed on this resource."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "The content type is not supported."),
    422: ("validation_failed", "The request did not pass validation."),
    429: ("too_many_requests", "Too many requests. Try again later."),
}


def _status_of(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 400


def problem(
    status: int,
    code: str,
    title: str,
    *,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> ProblemDetailsException:
    request_id = current_request_id.get()
    if request_id is not None:
        extra = {**(extra or {}), "request_id": request_id}
    return ProblemDetailsException(
        status_code=status,
        type_=PROBLEM_BASE + code,
        title=title,
        detail=detail if detail is not None else title,
        headers=headers,
        extra=extra,
    )


def bearer_challenge(error: str | None = None) -> dict[str, str]:
    """`WWW-Authenticate` per RFC 6750: with `error="invalid_token"` only when a token was presented."""
    value = 'Bearer realm="bastion"' if error is None else f'Bearer realm="bastion", error="{error}"'
    return {"WWW-Authenticate": value}


def domain_problem(exc: DomainError) -> ProblemDetailsException:
    status = _status_of(exc)
    headers: dict[str, str] | None = None
    extra: dict[str, Any] | None = None
    if isinstance(exc, TooManyAttemptsError):
        headers = {"Retry-After": str(exc.retry_after_s)}
    elif isinstance(exc, TokenInvalidError):
        headers = bearer_challenge("invalid_token")
    elif isinstance(exc, InvalidCredentialsError):
        headers = bearer_challenge()
    elif isinstance(exc, InvalidClientError):
        # RFC 6749 section 5.2: the client authentication scheme it may use.
        headers = {"WWW-Authenticate": 'Basic realm="bastion"'}
    if isinstance(exc, _OAUTH_ERRORS):
        extra = {"error": exc.code}
    if isinstance(exc, ValidationFailedError):
        extra = {"errors": [{"field": error.field, "message": error.message} for error in exc.errors]}
    return problem(status, exc.code, exc.message, headers=headers, extra=extra)


def unavailable_problem(exc: DependencyUnavailableError) -> ProblemDetailsException:
    logger.warning("dependency unavailable: %s", exc.dependency)
    return problem(
        503,
        "service_unavailable",
        "A dependency is unavailable; try again shortly.",
        headers={"Retry-After": "5"},
    )


_MISSING_FIELD = re.compile(r"missing required field `(?P<name>[^`]+)`")


def _field_of(error: dict[str, Any]) -> str:
    """The dotted path of the field an error is about; for a missing field (which Litestar reports
    against the whole body), the field's own name."""
    key = str(error.get("key", ""))
    field = "" if key == "data" else key
    if not field and (missing := _MISSING_FIELD.search(str(error.get("message", "")))):
        return missing.group("name")
    return field


def validation_problem(exc: ValidationException) -> ProblemDetailsException:
    """Litestar's own validation of bodies and parameters, reported like ours: 422 with `errors`."""
    raw = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        {"field": _field_of(error), "message": str(error.get("message", "Invalid value."))}
        for error in raw
        if isinstance(error, dict)
    ]
    return problem(422, "validation_failed", "The request did not pass validation.", extra={"errors": errors})


def http_problem(exc: HTTPException) -> ProblemDetailsException:
    """Framework exceptions (routing, body size, malformed JSON) with a fixed, safe wording."""
    status = exc.status_code
    code, title = _HTTP_TITLES.get(status, ("error", "The request could not be served."))
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException) and "WWW-Authenticate" not in headers:
        headers.update(bearer_challenge())
    if status == 400 and exc.detail.startswith("JSON is malformed"):
        title = "The body is not valid JSON."
    if status >= 500:
        logger.error("internal error on a framework path: %s", exc.detail, exc_info=exc)
        return problem(status, "internal_error", "An unexpected error occurred.")
    return problem(status, code, title, headers=headers or None)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    body = {
        "type": PROBLEM_BASE + "internal_error",
        "title": "An unexpected error occurred.",
        "status": 500,
        "detail": "An unexpected error occurred.",
    }
    if (request_id := current_request_id.get()) is not None:
        body["request_id"] = request_id
    return Response(body, status_code=HTTP_500_INTERNAL_SERVER_ERROR, media_type="application/problem+json")


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                DomainError: domain_problem,
                DependencyUnavailableError: unavailable_problem,
                ValidationException: validation_problem,
                HTTPException: http_problem,
            }
        )
    )
