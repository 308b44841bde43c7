import inspect
from typing import Any

import msgspec
from litestar import Request, Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from application.admin.get_user import GetUser, GetUserHandler
from application.admin.list_audit_events import ListAuditEvents, ListAuditEventsHandler
from application.admin.list_users import ListUsers, ListUsersHandler
from application.admin.revoke_user_sessions import RevokeUserSessions, RevokeUserSessionsHandler
from application.admin.unlock_user import UnlockUser, UnlockUserHandler
from application.admin.update_user import UpdateUser, UpdateUserHandler
from domain.sessions import Principal
from entrypoints.http.auth import BEARER, principal_of
from entrypoints.http.client_ip import request_context
from entrypoints.http.schemas import (
    AdminUpdateUserRequest,
    AdminUserListResponse,
    AdminUserResponse,
    AuditEventListResponse,
    AuditEventResponse,
)
from entrypoints.http.security import require_json_body


@get("/users", description=inspect.getdoc(ListUsersHandler))
async def list_users(
    request: Request[Principal, Any, Any],
    list_users: NamedDependency[ListUsersHandler],
    limit: FromQuery[int] = 20,
    offset: FromQuery[int] = 0,
    q: FromQuery[str | None] = None,
) -> AdminUserListResponse:
    principal = principal_of(request)
    page = await list_users.handle(ListUsers(actor_id=principal.user_id, query=q, limit=limit, offset=offset))
    items = [AdminUserResponse.of_user(user) for user in page.items]
    return AdminUserListResponse(items=items, total=page.total, limit=page.page.limit, offset=page.page.offset)


@get("/users/{user_id:str}", description=inspect.getdoc(GetUserHandler))
async def get_user(
    user_id: FromPath[str], request: Request[Principal, Any, Any], get_user: NamedDependency[GetUserHandler]
) -> AdminUserResponse:
    principal = principal_of(request)
    return AdminUserResponse.of_user(await get_user.handle(GetUser(actor_id=principal.user_id, user_id=user_id)))


@patch("/users/{user_id:str}", guards=[require_json_body], description=inspect.getdoc(UpdateUserHandler))
async def update_user(
    request: Request[Principal, Any, Any],
    user_id: FromPath[str],
    data: JSONBody[AdminUpdateUserRequest],
    update_user: NamedDependency[UpdateUserHandler],
) -> AdminUserResponse:
    principal = principal_of(request)
    user = await update_user.handle(
        UpdateUser(
            actor_id=principal.user_id,
            user_id=user_id,
            is_active=None if data.is_active is msgspec.UNSET else data.is_active,
            roles=None if data.roles is msgspec.UNSET else tuple(data.roles),
            email_verified=None if data.email_verified is msgspec.UNSET else data.email_verified,
            context=request_context(request),
        )
    )
    return AdminUserResponse.of_user(user)


@post("/users/{user_id:str}/unlock", status_code=HTTP_204_NO_CONTENT, description=inspect.getdoc(UnlockUserHandler))
async def unlock_user(
    request: Request[Principal, Any, Any],
    user_id: FromPath[str],
    unlock_user: NamedDependency[UnlockUserHandler],
) -> None:
    principal = principal_of(request)
    await unlock_user.handle(UnlockUser(actor_id=principal.user_id, user_id=user_id, context=request_context(request)))


@post(
    "/users/{user_id:str}/revoke-sessions",
    status_code=HTTP_204_NO_CONTENT,
    description=inspect.getdoc(RevokeUserSessionsHandler),
)
async def revoke_user_sessions(
    request: Request[Principal, Any, Any],
    user_id: FromPath[str],
    revoke_user_sessions: NamedDependency[RevokeUserSessionsHandler],
) -> None:
    principal = principal_of(request)
    await revoke_user_sessions.handle(
        RevokeUserSessions(actor_id=principal.user_id, user_id=user_id, context=request_context(request))
    )


@get("/audit-events", description=inspect.getdoc(ListAuditEventsHandler))
async def list_audit_events(
    request: Request[Principal, Any, Any],
    list_audit_events: NamedDependency[ListAuditEventsHandler],
    user_id: FromQuery[str | None] = None,
    type: FromQuery[str | None] = None,  # noqa: A002 - the query parameter of the API contract
    limit: FromQuery[int] = 20,
    offset: FromQuery[int] = 0,
) -> AuditEventListResponse:
    principal = principal_of(request)
    page = await list_audit_events.handle(
        ListAuditEvents(actor_id=principal.user_id, user_id=user_id, type=type, limit=limit, offset=offset)
    )
    items = [AuditEventResponse.of(event) for event in page.items]
    return AuditEventListResponse(items=items, total=page.total, limit=page.page.limit, offset=page.page.offset)


admin_router = Router(
    path="/admin",
    route_handlers=[list_users, get_user, update_user, unlock_user, revoke_user_sessions, list_audit_events],
    opt=BEARER,
    tags=["admin"],
)
