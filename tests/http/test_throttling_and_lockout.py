from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.http.conftest import PASSWORD, Api, answer_body, bearer, make_settings, memory_api

PROBLEM = "application/problem+json"


@pytest.fixture
async def throttled_api() -> AsyncIterator[Api]:
    async with memory_api(make_settings(rate_limit_per_minute=8, login_rate_limit_per_minute=3)) as api:
        yield api


async def test_the_general_limit_answers_429_with_retry_after_and_ratelimit_headers(throttled_api: Api) -> None:
    statuses = [(await throttled_api.client.get("/auth/me")).status_code for _ in range(9)]
    assert statuses == [401] * 8 + [429]
    refused = await throttled_api.client.get("/auth/me")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-policy"] == '"ip";q=8;w=60'
    assert refused.headers["ratelimit"].startswith('"ip";r=0;t=')


async def test_allowed_responses_carry_the_ratelimit_headers(throttled_api: Api) -> None:
    response = await throttled_api.client.post("/auth/login", json={"email": "a@b.org", "password": "x"})
    assert response.status_code == 401
    assert response.headers["ratelimit-policy"] == '"ip";q=8;w=60, "sensitive";q=3;w=60'
    assert response.headers["ratelimit"].startswith('"sensitive";r=2;t=')


async def test_sensitive_routes_share_the_small_limit(throttled_api: Api) -> None:
    login = {"email": "a@b.org", "password": "x"}
    first = await throttled_api.client.post("/auth/login", json=login)
    second = await throttled_api.client.post("/token", data={"username": "a@b.org", "password": "x"})
    third = await throttled_api.client.post("/auth/register", json={"email": "x", "username": "y", "password": "z"})
    fourth = await throttled_api.client.post("/auth/login", json=login)
    assert [first.status_code, second.status_code, third.status_code] == [401, 401, 422]
    assert fourth.status_code == 429
    assert fourth.json()["type"] == "urn:bastion:problem:too_many_requests"


async def test_health_and_forward_auth_are_not_throttled(throttled_api: Api) -> None:
    for _ in range(12):
        assert (await throttled_api.client.get("/health")).status_code == 200
        assert (await throttled_api.client.get("/auth/verify")).status_code == 401


@pytest.fixture
async def lockout_api() -> AsyncIterator[Api]:
    async with memory_api(make_settings(max_failed_logins=3, lockout_minutes=30)) as api:
        yield api


async def test_a_locked_account_answers_exactly_like_a_locked_unknown_one(lockout_api: Api) -> None:
    await lockout_api.register()
    answers = {}
    for identifier in ("ada@example.org", "nobody@example.org"):
        statuses = []
        for _ in range(4):
            response = await lockout_api.client.post("/auth/login", json={"email": identifier, "password": "Wrong-1!x"})
            statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 429]
        answers[identifier] = response
    known, unknown = answers["ada@example.org"], answers["nobody@example.org"]
    assert answer_body(known) == answer_body(unknown)
    assert known.json()["type"] == "urn:bastion:problem:too_many_attempts"
    assert abs(int(known.headers["retry-after"]) - int(unknown.headers["retry-after"])) <= 1
    assert int(known.headers["retry-after"]) > 29 * 60
    # Even the right password is refused while the lock lasts.
    right = await lockout_api.client.post("/auth/login", json={"email": "ada@example.org", "password": PASSWORD})
    assert right.status_code == 429


async def test_a_successful_login_resets_the_failure_count(lockout_api: Api) -> None:
    await lockout_api.register()
    wrong = {"email": "ada@example.org", "password": "Wrong-1!x"}
    for _ in range(2):
        assert (await lockout_api.client.post("/auth/login", json=wrong)).status_code == 401
    await lockout_api.log_in()
    for _ in range(2):
        assert (await lockout_api.client.post("/auth/login", json=wrong)).status_code == 401
    await lockout_api.log_in()


async def test_parallel_wrong_passwords_never_get_more_tries_than_the_limit(lockout_api: Api) -> None:
    await lockout_api.register()
    hasher = lockout_api.adapters.hasher()
    before = hasher.verify_calls
    responses = await asyncio.gather(
        *(
            lockout_api.client.post("/auth/login", json={"email": "ada@example.org", "password": "Wrong-1!x"})
            for _ in range(25)
        )
    )
    statuses = [response.status_code for response in responses]
    assert statuses.count(401) == 3
    assert statuses.count(429) == 22
    assert hasher.verify_calls - before == 3


async def test_verify_answers_204_with_the_identity_headers(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    response = await api.client.get("/auth/verify", headers=bearer(pair))
    assert response.status_code == 204
    me = (await api.client.get("/auth/me", headers=bearer(pair))).json()
    assert response.headers["x-auth-user-id"] == me["id"]
    assert response.headers["x-auth-roles"] == "user"
    assert response.headers["x-auth-session-id"]


async def test_verify_refuses_missing_bad_and_revoked_tokens(api: Api) -> None:
    pair = await api.registered_and_logged_in()
    missing = await api.client.get("/auth/verify")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    bad = await api.client.get("/auth/verify", headers={"Authorization": "Bearer x.y.z"})
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]
    await api.client.post("/auth/logout-all", headers=bearer(pair))
    revoked = await api.client.get("/auth/verify", headers=bearer(pair))
    assert revoked.status_code == 401
    assert 'error="invalid_token"' in revoked.headers["www-authenticate"]


async def test_readiness_reports_redis_as_disabled_without_redis(api: Api) -> None:
    body = (await api.client.get("/health/ready")).json()
    assert body == {"status": "ready", "checks": {"database": "ok", "redis": "disabled"}}


async def test_reset_confirmations_count_against_the_sensitive_limit(throttled_api: Api) -> None:
    guess = {"token": "guessed-token", "new_password": PASSWORD}
    statuses = [
        (await throttled_api.client.post("/auth/password-reset/confirm", json=guess)).status_code for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
