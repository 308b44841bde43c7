"""BASTION_ADMIN_ALLOWED_IPS: every /admin/* route answers only client IPs inside the allowed ranges.

The socket peer is 127.0.0.1 (`memory_api(..., peer=PEER)`); other client IPs come in X-Forwarded-For,
believed only with 127.0.0.1 among BASTION_TRUSTED_PROXIES.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.routes import HTTPRoute

from application.auth.register_user import RegisterUser
from tests.http.conftest import PASSWORD, Api, bearer, make_settings, memory_api
from tests.http.test_admin import ADMIN_ROUTES

REFUSED = "urn:bastion:problem:admin_ip_not_allowed"
PEER = "127.0.0.1"
PROXY = {"trusted_proxies": PEER}


async def _admin(api: Api) -> dict[str, str]:
    """The bearer header of a freshly created administrator."""
    await api.use_cases.create_admin().handle(
        RegisterUser(email="root@example.org", username="root", password=PASSWORD)
    )
    return bearer(await api.log_in("root"))


def _from(ip: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    return {**(headers or {}), "X-Forwarded-For": ip}


def _refused(response: Any) -> bool:
    return response.status_code == 403 and response.json()["type"] == REFUSED


def _admin_requests(api: Api) -> list[tuple[str, str]]:
    """Every method of every route the app serves under /admin, path parameters filled in."""
    app = api.client.app
    return sorted(
        (method, re.sub(r"\{[^}]+\}", "someone", route.path))
        for route in app.routes
        if isinstance(route, HTTPRoute) and (route.path == "/admin" or route.path.startswith("/admin/"))
        for method in route.methods
    )


async def test_a_client_inside_an_allowed_ipv4_range_reaches_the_admin_routes() -> None:
    async with memory_api(make_settings(admin_allowed_ips="10.0.0.0/8, 127.0.0.0/8"), peer=PEER) as api:
        answer = await api.client.get("/admin/users", headers=await _admin(api))

    assert answer.status_code == 200


async def test_a_client_outside_the_ranges_gets_403_with_its_own_problem_type() -> None:
    async with memory_api(make_settings(admin_allowed_ips="10.0.0.0/8"), peer=PEER) as api:
        answer = await api.client.get("/admin/users", headers=await _admin(api))

    assert answer.status_code == 403
    body = answer.json()
    assert body["type"] == REFUSED
    assert body["status"] == 403
    assert body["request_id"] == answer.headers["x-request-id"]


async def test_a_refused_ip_gets_403_with_no_token_or_a_bad_one_not_401() -> None:
    async with memory_api(make_settings(admin_allowed_ips="10.0.0.0/8"), peer=PEER) as api:
        without = await api.client.get("/admin/users")
        garbage = await api.client.get("/admin/users", headers={"Authorization": "Bearer not-a-token"})
        malformed = await api.client.get("/admin/users", headers={"Authorization": "Basic eDp5"})

    assert [_refused(answer) for answer in (without, garbage, malformed)] == [True] * 3
    assert "www-authenticate" not in without.headers


async def _verdicts(allowed: str, clients: list[str | None], **overrides: str) -> list[str]:
    """What GET /admin/users answers an administrator from each client IP behind the trusted peer
    (sent in X-Forwarded-For; None: no header): `allowed`, `refused`, or another status."""
    async with memory_api(make_settings(admin_allowed_ips=allowed, **PROXY, **overrides), peer=PEER) as api:
        admin = await _admin(api)
        answers = [
            await api.client.get("/admin/users", headers=admin if ip is None else _from(ip, admin)) for ip in clients
        ]
    return ["allowed" if a.status_code == 200 else "refused" if _refused(a) else str(a.status_code) for a in answers]


async def test_ipv6_ranges_are_honoured() -> None:
    verdicts = await _verdicts("2001:db8:aa::/48", ["2001:db8:aa:1::5", "2001:db8:ab::5", "10.0.0.1"])

    assert verdicts == ["allowed", "refused", "refused"]


async def test_a_bare_address_is_a_range_of_one() -> None:
    assert await _verdicts("192.0.2.7", ["192.0.2.7", "192.0.2.8"]) == ["allowed", "refused"]


async def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    async with memory_api(make_settings(admin_allowed_ips="203.0.113.0/24"), peer=PEER) as api:
        # The peer 127.0.0.1 is no trusted proxy here: its header is a forgery.
        forged = await api.client.get("/admin/users", headers=_from("203.0.113.5", await _admin(api)))
    # Behind the trusted proxy, what the client prepends does not count, the right-most entry the
    # proxy wrote does; a request the proxy forwards with no header comes from the proxy itself.
    proxied = await _verdicts("203.0.113.0/24", ["203.0.113.5", "203.0.113.5, 198.51.100.7", None])

    assert _refused(forged)
    assert proxied == ["allowed", "refused", "refused"]


async def test_an_empty_setting_lets_any_ip_in() -> None:
    assert await _verdicts("", ["198.51.100.7", "2001:db8::1", "10.0.0.1", None]) == ["allowed"] * 4


async def test_routes_outside_admin_are_unaffected() -> None:
    async with memory_api(make_settings(admin_allowed_ips="10.0.0.0/8"), peer=PEER) as api:
        admin = await _admin(api)
        health = await api.client.get("/health")
        me = await api.client.get("/auth/me", headers=admin)
        no_token = await api.client.get("/auth/me")
        login = await api.client.post("/auth/login", json={"email": "root@example.org", "password": PASSWORD})

    assert (health.status_code, me.status_code, no_token.status_code, login.status_code) == (200, 200, 401, 200)


async def test_every_admin_route_refuses_an_ip_outside_the_ranges_token_or_not() -> None:
    async with memory_api(make_settings(admin_allowed_ips="10.0.0.0/8"), peer=PEER) as api:
        admin = await _admin(api)
        requests = _admin_requests(api)
        answers = {
            (method, path, with_token): await api.client.request(
                method, path, json={} if method in {"POST", "PATCH"} else None, headers=admin if with_token else {}
            )
            for method, path in requests
            for with_token in (True, False)
        }

    # The enumeration sees every route the admin tests know, so it cannot come back empty-handed.
    known = {(method, path.format(id="someone")) for method, path, _ in ADMIN_ROUTES}
    assert known <= set(requests)
    assert {(method, path) for method, path in requests if method == "OPTIONS"}
    assert [key for key, answer in answers.items() if not _refused(answer)] == []


async def test_no_use_case_runs_for_a_refused_ip() -> None:
    settings = make_settings(admin_allowed_ips="203.0.113.0/24", rate_limit_per_minute=2, **PROXY)
    async with memory_api(settings, peer=PEER) as api:
        admin = await _admin(api)
        user = await api.register()
        # Throttling is a use case too: a refused IP is never counted, so never answered 429.
        refused = [
            await api.client.patch(
                f"/admin/users/{user['id']}", json={"is_active": False}, headers=_from("198.51.100.7", admin)
            )
            for _ in range(4)
        ]
        after = await api.client.get(f"/admin/users/{user['id']}", headers=_from("203.0.113.9", admin))

    assert all(_refused(answer) for answer in refused)
    assert after.status_code == 200
    assert after.json()["is_active"] is True


async def test_an_ipv4_mapped_ipv6_client_is_judged_as_its_ipv4_address() -> None:
    assert await _verdicts("10.0.0.0/8", ["::ffff:10.1.2.3", "::ffff:11.1.2.3"]) == ["allowed", "refused"]


async def test_a_peer_that_is_no_ip_address_is_refused_even_by_catch_all_ranges() -> None:
    # The test client's own peer is `testclient`: an address nobody can judge is inside no range.
    async with memory_api(make_settings(admin_allowed_ips="0.0.0.0/0, ::/0")) as api:
        answer = await api.client.get("/admin/users", headers=await _admin(api))

    assert _refused(answer)
