"""The MFA step under concurrency on SQLite and PostgreSQL, through the production wiring: one valid
code for one `mfa_token` gives at most one token pair, and parallel wrong codes get no more than
five tries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from litestar.testing import AsyncTestClient

from tests.backends import SQL_BACKENDS
from tests.http.conftest import PASSWORD, bearer, sql_client_with_admin

pytestmark = pytest.mark.slow

PARALLEL = 12


@pytest.fixture(params=SQL_BACKENDS)
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    """The production app over a migrated database with an administrator `root` (so that the test can
    read the audit trail); the lockout is set high, to watch the token's own limit alone."""
    async with sql_client_with_admin(request.param, tmp_path, max_failed_logins=100) as client:
        yield client


async def _enrolled(client: AsyncTestClient[Any]) -> str:
    pair = (await client.post("/auth/login", json={"username": "root", "password": PASSWORD})).json()
    setup = await client.post("/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer(pair))
    secret = str(setup.json()["secret"])
    earlier = pyotp.TOTP(secret).at(datetime.now(UTC) - timedelta(seconds=30))
    confirmed = await client.post("/auth/mfa/totp/confirm", json={"code": earlier}, headers=bearer(pair))
    assert confirmed.status_code == 200, confirmed.text
    return secret


async def _mfa_token(client: AsyncTestClient[Any]) -> str:
    answer = await client.post("/auth/login", json={"username": "root", "password": PASSWORD})
    return str(answer.json()["mfa_token"])


async def test_one_valid_code_sent_in_parallel_gives_one_token_pair(client: AsyncTestClient[Any]) -> None:
    secret = await _enrolled(client)
    token = await _mfa_token(client)
    current = pyotp.TOTP(secret).now()

    answers = await asyncio.gather(
        *(client.post("/auth/login/mfa", json={"mfa_token": token, "code": current}) for _ in range(PARALLEL))
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [401] * (PARALLEL - 1), [answer.text for answer in answers]


async def test_parallel_wrong_codes_get_no_more_than_five_tries(client: AsyncTestClient[Any]) -> None:
    secret = await _enrolled(client)
    token = await _mfa_token(client)

    answers = await asyncio.gather(
        *(client.post("/auth/login/mfa", json={"mfa_token": token, "code": "000000"}) for _ in range(PARALLEL))
    )
    after = await client.post("/auth/login/mfa", json={"mfa_token": token, "code": pyotp.TOTP(secret).now()})

    assert [answer.status_code for answer in answers] == [401] * PARALLEL
    assert after.status_code == 401
    pair = await _full_login(client, secret)
    events = await client.get("/admin/audit-events", params={"type": "mfa.failed"}, headers=bearer(pair))
    assert events.json()["total"] == 5


async def _full_login(client: AsyncTestClient[Any], secret: str) -> dict[str, Any]:
    later = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    answer = await client.post("/auth/login/mfa", json={"mfa_token": await _mfa_token(client), "code": later})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())
