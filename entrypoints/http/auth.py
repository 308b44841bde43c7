"""The bearer guard: it only authenticates and hands the principal to the route."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from application.authenticate import Authenticate, AuthenticateHandler
from domain.errors import TokenInvalidError
from domain.model import Principal
from entrypoints.http.problems import bearer_challenge, problem


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when there is no such header."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise problem(401, "invalid_token", "The token is not valid.", headers=bearer_challenge("invalid_token"))
    return token.strip()


async def current_principal(
    request: Request[Any, Any, Any], authenticate: NamedDependency[AuthenticateHandler]
) -> Principal:
    """Dependency of protected routes: 401 with a Bearer challenge unless a valid access token is sent."""
    token = bearer_token(request)
    if token is None:
        raise problem(401, "unauthorized", "Authentication is required.", headers=bearer_challenge())
    return await authenticate.handle(Authenticate(access_token=token))


async def optional_principal(
    request: Request[Any, Any, Any], authenticate: NamedDependency[AuthenticateHandler]
) -> Principal | None:
    """Dependency of routes where a bearer token is optional (logout): an invalid one is ignored."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return await authenticate.handle(Authenticate(access_token=token.strip()))
    except TokenInvalidError:
        # An invalid optional token proves nothing; the request goes on without it.
        return None


PROTECTED = {"principal": Provide(current_principal)}
"""Route dependencies of every route that needs a valid bearer token."""
