"""Device tokens (OWASP "device cookies"): a stranger who locks an identifier cannot lock out the
owner's devices; only a checked wrong password counts; a login from a new device is mailed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from application.errors import DependencyUnavailableError
from domain.paging import Page
from tests.http.conftest import PASSWORD, Api, bearer, make_settings, memory_api

WRONG = "Wrong-pass-1!"
LIMIT = 3


@pytest.fixture
async def lockout_api() -> AsyncIterator[Api]:
    async with memory_api(make_settings(max_failed_logins=LIMIT, lockout_minutes=30)) as api:
        yield api


async def _login(api: Api, password: str = PASSWORD, device_token: str | None = None, **who: str) -> Any:
    body: dict[str, str] = {"password": password, **(who or {"email": "ada@example.org"})}
    if device_token is not None:
        body["device_token"] = device_token
    return await api.client.post("/auth/login", json=body)


async def _lock_identifier(api: Api, email: str = "ada@example.org") -> None:
    statuses = [(await _login(api, WRONG, email=email)).status_code for _ in range(LIMIT + 1)]
    assert statuses == [401] * LIMIT + [429]


async def test_a_login_returns_a_device_token_of_at_least_128_bits(lockout_api: Api) -> None:
    await lockout_api.register()
    pair = (await _login(lockout_api)).json()
    assert len(pair["device_token"]) >= 22
    assert pair["device_token"] not in (pair["access_token"], pair["refresh_token"])
    refreshed = await lockout_api.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert "device_token" not in refreshed.json()


async def test_the_owners_device_logs_in_while_a_stranger_keeps_the_identifier_locked(lockout_api: Api) -> None:
    await lockout_api.register()
    device_token = (await _login(lockout_api)).json()["device_token"]

    await _lock_identifier(lockout_api)

    owner = await _login(lockout_api, device_token=device_token)
    assert owner.status_code == 200, owner.text
    assert owner.json()["device_token"] == device_token
    assert (await _login(lockout_api)).status_code == 429, "the identifier stays locked for everyone else"


async def test_a_device_token_has_its_own_failure_count(lockout_api: Api) -> None:
    await lockout_api.register()
    device_token = (await _login(lockout_api)).json()["device_token"]

    statuses = [(await _login(lockout_api, WRONG, device_token)).status_code for _ in range(LIMIT + 1)]

    assert statuses == [401] * LIMIT + [429]
    assert (await _login(lockout_api, device_token=device_token)).status_code == 429
    assert (await _login(lockout_api)).status_code == 200, "the identifier's own count was not touched"


async def test_a_device_token_of_another_account_counts_for_nothing(lockout_api: Api) -> None:
    await lockout_api.register()
    await lockout_api.register("bob@example.org", "bob")
    bobs_token = (await _login(lockout_api, email="bob@example.org")).json()["device_token"]
    await _lock_identifier(lockout_api)

    assert (await _login(lockout_api, device_token=bobs_token)).status_code == 429


@pytest.mark.parametrize("token", ["made-up-token", "x" * 600, "ünïcode"])
async def test_an_unknown_or_malformed_device_token_counts_for_nothing(lockout_api: Api, token: str) -> None:
    await lockout_api.register()
    await _lock_identifier(lockout_api)

    response = await _login(lockout_api, device_token=token)

    assert response.status_code in (422, 429)
    assert response.status_code != 500


async def test_a_password_that_could_not_be_checked_never_counts(lockout_api: Api) -> None:
    await lockout_api.register()
    hasher = lockout_api.adapters.hasher()

    async def unavailable(password: str, password_hash: str) -> Any:
        raise DependencyUnavailableError("hasher")

    hasher.verify = unavailable
    statuses = [(await _login(lockout_api)).status_code for _ in range(LIMIT + 2)]
    del hasher.verify

    assert statuses == [503] * (LIMIT + 2)
    assert (await _login(lockout_api)).status_code == 200


async def _notices(api: Api) -> list[str]:
    return [message.text for message in await api.delivered_mail() if "New sign-in" in message.subject]


async def test_a_new_device_on_an_account_that_logged_in_before_is_mailed_to_the_owner(lockout_api: Api) -> None:
    await lockout_api.register()
    first = (await _login(lockout_api)).json()["device_token"]
    assert await _notices(lockout_api) == [], "the first login of an account is no news"

    await _login(lockout_api, device_token=first)
    assert await _notices(lockout_api) == [], "a known device is no news"

    await lockout_api.client.post(
        "/auth/login",
        json={"email": "ada@example.org", "password": PASSWORD},
        headers={"User-Agent": "Strange\nBrowser/1.0"},
    )
    [notice] = await _notices(lockout_api)
    assert "address: testclient" in notice  # the test client's peer address
    assert "Strange Browser/1.0" in notice


async def test_the_new_sign_in_notice_can_be_switched_off() -> None:
    async with memory_api(make_settings(new_device_notice=False)) as api:
        await api.register()
        await _login(api)
        await _login(api)
        assert await _notices(api) == []


async def _audit_types(api: Api) -> list[str]:
    async with api.adapters.reader() as view:
        events, _ = await view.audit.search(user_id=None, type_=None, page=Page(limit=100, offset=0))
    return [event.type.value for event in events]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/auth/change-password", {"current_password": WRONG, "new_password": "Another-Pass-9!"}),
        ("DELETE", "/auth/me", {"password": WRONG}),
    ],
)
async def test_password_checks_outside_login_count_against_the_lockout_and_are_audited(
    lockout_api: Api, method: str, path: str, body: dict[str, str]
) -> None:
    await lockout_api.register()
    pair = (await _login(lockout_api)).json()

    statuses = [
        (await lockout_api.client.request(method, path, json=body, headers=bearer(pair))).status_code
        for _ in range(LIMIT + 2)
    ]

    assert statuses == [400] * LIMIT + [429] * 2
    assert (await _login(lockout_api)).status_code == 429, "the same lockout as login by email"
    assert (await _audit_types(lockout_api)).count("password.check_failed") == LIMIT + 2
