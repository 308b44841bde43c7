"""Which routes need a bearer token: exactly the contract's, each answering 401 with a challenge."""

from __future__ import annotations

import pytest

from entrypoints.container.http import http_handlers
from entrypoints.container.lifecycle import in_memory
from entrypoints.http.app import create_app
from tests.http.conftest import Api, make_settings

BEARER_ROUTES = {
    ("POST", "/auth/logout-all"),
    ("GET", "/auth/sessions"),
    ("DELETE", "/auth/sessions/{session_id:str}"),
    ("POST", "/auth/change-password"),
    ("POST", "/auth/verify-email/resend"),
    ("GET", "/auth/me"),
    ("GET", "/auth/me/export"),
    ("PATCH", "/auth/me"),
    ("DELETE", "/auth/me"),
    ("GET", "/auth/mfa"),
    ("POST", "/auth/mfa/totp/setup"),
    ("POST", "/auth/mfa/totp/confirm"),
    ("DELETE", "/auth/mfa/totp"),
    ("POST", "/auth/mfa/recovery-codes"),
    ("POST", "/auth/api-keys"),
    ("GET", "/auth/api-keys"),
    ("DELETE", "/auth/api-keys/{key_id:str}"),
    ("POST", "/auth/passkeys/register/options"),
    ("POST", "/auth/passkeys/register"),
    ("GET", "/auth/passkeys"),
    ("PATCH", "/auth/passkeys/{passkey_id:str}"),
    ("DELETE", "/auth/passkeys/{passkey_id:str}"),
    ("GET", "/auth/identities"),
    ("POST", "/auth/identities/{provider:str}/link"),
    ("DELETE", "/auth/identities/{identity_id:str}"),
    ("GET", "/tasks"),
    ("POST", "/tasks"),
    ("GET", "/tasks/{task_id:str}"),
    ("PATCH", "/tasks/{task_id:str}"),
    ("DELETE", "/tasks/{task_id:str}"),
    ("GET", "/admin/users"),
    ("GET", "/admin/users/{user_id:str}"),
    ("PATCH", "/admin/users/{user_id:str}"),
    ("POST", "/admin/users/{user_id:str}/unlock"),
    ("POST", "/admin/users/{user_id:str}/revoke-sessions"),
    ("POST", "/admin/users/{user_id:str}/mfa/reset"),
    ("GET", "/admin/audit-events"),
    ("POST", "/admin/service-accounts"),
    ("GET", "/admin/service-accounts"),
    ("DELETE", "/admin/service-accounts/{account_id:str}"),
    ("POST", "/admin/service-accounts/{account_id:str}/rotate-secret"),
}


def test_the_routes_marked_for_a_bearer_token_are_exactly_the_contracts() -> None:
    use_cases, _ = in_memory(make_settings())
    app = create_app(http_handlers(use_cases), make_settings())
    marked = {
        (method, route.path)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("bearer") == "required"
        for method in handler.http_methods
        if method != "OPTIONS"
    }
    assert marked == BEARER_ROUTES


@pytest.mark.parametrize(("method", "template"), sorted(BEARER_ROUTES))
async def test_a_bearer_route_without_a_token_is_challenged(api: Api, method: str, template: str) -> None:
    path = template.replace("{session_id:str}", "s1").replace("{task_id:str}", "t1").replace("{user_id:str}", "u1")

    response = await api.client.request(method, path, json={})

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_options_of_a_bearer_route_needs_no_token(api: Api) -> None:
    # CORS preflights never carry credentials; the OPTIONS answer lists the methods only.
    response = await api.client.options("/admin/users")

    assert response.status_code == 204
    assert "GET" in response.headers["allow"]
