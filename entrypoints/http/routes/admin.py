from collections.abc import Sequence
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, get, patch, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.handlers import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import ASGIApp, Receive, Scope, Send

from application.admin.get_user import GetUser, GetUserHandler
from application.admin.list_audit_events import ListAuditEvents, ListAuditEventsHandler
from application.admin.list_users import ListUsers, ListUsersHandler
from application.admin.reset_mfa import ResetMfa, ResetMfaHandler
from application.admin.revoke_user_sessions import RevokeUserSessions, RevokeUserSessionsHandler
from application.admin.unlock_user import UnlockUser, UnlockUserHandler
from application.admin.update_user import UpdateUser, UpdateUserHandler
from domain.audit import AuditEventType
from domain.errors import AdminIpNotAllowedError, MfaRequiredError
from domain.networks import Network, ip_allowed
from domain.paging import SEARCH_QUERY_MAX_LENGTH
from domain.sessions import Principal
from entrypoints.http.auth import BEARER
from entrypoints.http.client_ip import client_ip
from entrypoints.http.route_parts import (
    DEFAULT_PAGE_SIZE,
    BearerRequest,
    PageLimit,
    PageOffset,
    bearer_route,
    caller_and_context,
    caller_id,
)
from entrypoints.http.routes.service_accounts import SERVICE_ACCOUNT_ROUTES
from entrypoints.http.schemas import (
    AdminUpdateUserRequest,
    AdminUserListResponse,
    AdminUserResponse,
    AuditEventListResponse,
    AuditEventResponse,
)

SearchText = Annotated[
    str | None,
    QueryParameter(
        description=f"Text to look for in emails and usernames (the first {SEARCH_QUERY_MAX_LENGTH} characters "
        "count); control characters are refused (422)",
        schema_extra={"pattern": r"^[^\x00-\x1f\x7f]*$"},
    ),
]
EventType = Annotated[
    str | None,
    QueryParameter(
        description="Only events of this type",
        schema_extra={"enum": [event_type.value for event_type in AuditEventType]},
    ),
]
# A user the admin names by id: 404 when there is none; 403 for a caller without the admin role.
_ONE_USER = (403, 404)


@get("/users", **bearer_route(ListUsersHandler, errors=(403, 422)))
async def list_users(
    request: BearerRequest,
    list_users: NamedDependency[ListUsersHandler],
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    offset: PageOffset = 0,
    q: SearchText = None,
) -> AdminUserListResponse:
    page = await list_users.handle(ListUsers(actor_id=caller_id(request), query=q, limit=limit, offset=offset))
    items = [AdminUserResponse.of_user(user) for user in page.items]
    return AdminUserListResponse(items=items, total=page.total, limit=page.page.limit, offset=page.page.offset)


@get("/users/{user_id:str}", **bearer_route(GetUserHandler, errors=_ONE_USER))
async def get_user(
    user_id: FromPath[str], request: BearerRequest, get_user: NamedDependency[GetUserHandler]
) -> AdminUserResponse:
    return AdminUserResponse.of_user(await get_user.handle(GetUser(actor_id=caller_id(request), user_id=user_id)))


@patch("/users/{user_id:str}", **bearer_route(UpdateUserHandler, json_body=True, errors=(*_ONE_USER, 409)))
async def update_user(
    request: BearerRequest,
    user_id: FromPath[str],
    data: JSONBody[AdminUpdateUserRequest],
    update_user: NamedDependency[UpdateUserHandler],
) -> AdminUserResponse:
    principal, context = caller_and_context(request)
    user = await update_user.handle(
        UpdateUser(
            actor_id=principal.user_id,
            user_id=user_id,
            is_active=None if data.is_active is msgspec.UNSET else data.is_active,
            roles=None if data.roles is msgspec.UNSET else tuple(data.roles),
            email_verified=None if data.email_verified is msgspec.UNSET else data.email_verified,
            context=context,
        )
    )
    return AdminUserResponse.of_user(user)


@post(
    "/users/{user_id:str}/unlock", **bearer_route(UnlockUserHandler, status_code=HTTP_204_NO_CONTENT, errors=_ONE_USER)
)
async def unlock_user(
    request: BearerRequest, user_id: FromPath[str], unlock_user: NamedDependency[UnlockUserHandler]
) -> None:
    principal, context = caller_and_context(request)
    await unlock_user.handle(UnlockUser(actor_id=principal.user_id, user_id=user_id, context=context))


@post(
    "/users/{user_id:str}/revoke-sessions",
    **bearer_route(RevokeUserSessionsHandler, status_code=HTTP_204_NO_CONTENT, errors=_ONE_USER),
)
async def revoke_user_sessions(
    request: BearerRequest, user_id: FromPath[str], revoke_user_sessions: NamedDependency[RevokeUserSessionsHandler]
) -> None:
    principal, context = caller_and_context(request)
    await revoke_user_sessions.handle(RevokeUserSessions(actor_id=principal.user_id, user_id=user_id, context=context))


@get("/audit-events", **bearer_route(ListAuditEventsHandler, errors=(403, 422)))
async def list_audit_events(
    request: BearerRequest,
    list_audit_events: NamedDependency[ListAuditEventsHandler],
    user_id: FromQuery[str | None] = None,
    type: EventType = None,  # noqa: A002 - the query parameter of the API contract
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    offset: PageOffset = 0,
) -> AuditEventListResponse:
    page = await list_audit_events.handle(
        ListAuditEvents(actor_id=caller_id(request), user_id=user_id, type=type, limit=limit, offset=offset)
    )
    items = [AuditEventResponse.of(event) for event in page.items]
    return AuditEventListResponse(items=items, total=page.total, limit=page.page.limit, offset=page.page.offset)


@post(
    "/users/{user_id:str}/mfa/reset",
    **bearer_route(ResetMfaHandler, status_code=HTTP_204_NO_CONTENT, errors=_ONE_USER),
)
async def reset_mfa(
    request: BearerRequest, user_id: FromPath[str], reset_mfa: NamedDependency[ResetMfaHandler]
) -> None:
    principal, context = caller_and_context(request)
    await reset_mfa.handle(ResetMfa(actor_id=principal.user_id, user_id=user_id, context=context))


def require_mfa(connection: ASGIConnection[Any, Principal, Any, Any], _: BaseRouteHandler) -> None:
    """The guard of BASTION_MFA_REQUIRED_FOR_ADMINS: the caller's token must come from a login with a
    second factor (403 `mfa_required` otherwise)."""
    if not connection.user.used_mfa:
        raise MfaRequiredError


ADMIN_OPT = "admin"
"""Route `opt` key that marks the administration surface (every route of `admin_router`)."""


class AdminNetworkMiddleware(ASGIMiddleware):
    """The check of BASTION_ADMIN_ALLOWED_IPS: a route marked `ADMIN_OPT` answers 403
    (`admin_ip_not_allowed`) to a client IP, resolved as the trusted-proxy rules say, outside the
    allowed ranges. A middleware, not a guard like `require_mfa`: guards run after the bearer
    middleware, and a refused IP gets this 403 before anything else, token or not (no 401 to probe
    tokens with, no 429, no use case run). Installed first, and only when ranges are set."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, allowed: Sequence[Network]) -> None:
        self._allowed = tuple(allowed)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["route_handler"].opt.get(ADMIN_OPT) and not ip_allowed(client_ip(Request(scope)), self._allowed):
            raise AdminIpNotAllowedError
        await next_app(scope, receive, send)


def admin_router(*, mfa_required: bool) -> Router:
    """The administration routes, marked `ADMIN_OPT` (see `AdminNetworkMiddleware`); with
    `mfa_required`, only for tokens whose login proved a second factor."""
    return Router(
        path="/admin",
        route_handlers=[
            list_users,
            get_user,
            update_user,
            unlock_user,
            revoke_user_sessions,
            reset_mfa,
            list_audit_events,
            *SERVICE_ACCOUNT_ROUTES,
        ],
        opt={**BEARER, ADMIN_OPT: True},
        guards=[require_mfa] if mfa_required else [],
        tags=["admin"],
    )
