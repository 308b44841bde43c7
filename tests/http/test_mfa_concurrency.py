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
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from application.auth.complete_mfa_login import CompleteMfaLogin
from application.auth.log_in import LogIn
from application.auth.login_sessions import MfaRequired
from application.auth.register_user import RegisterUser
from application.mfa.confirm_totp import ConfirmTotp
from application.mfa.second_factor_check import Proof, SecondFactorCheck
from application.mfa.set_up_totp import SetUpTotp
from entrypoints.container.lifecycle import production, start, stop
from tests.backends import SQL_BACKENDS, migrated_database
from tests.http.conftest import PASSWORD, bearer, make_settings, sql_client_with_admin

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


class _CheckedTogether(SecondFactorCheck):
    """The production check, except that every code check waits until `parties` checks have passed: the
    requests all hold a proof before any of them claims it (the race the claims must decide)."""

    barrier: asyncio.Barrier

    async def checked(self, *args: Any, **kwargs: Any) -> Proof | None:
        proof = await super().checked(*args, **kwargs)
        await self.barrier.wait()
        return proof


@pytest.mark.parametrize("tokens", [1, 2], ids=["one mfa_token", "two mfa_tokens"])
@pytest.mark.parametrize("backend", SQL_BACKENDS)
async def test_requests_that_all_passed_the_check_still_get_one_token_pair(
    backend: str, tokens: int, tmp_path: Path
) -> None:
    async with migrated_database(backend, tmp_path) as database:
        settings = make_settings(database_url=database.url, database_schema=database.schema or "")
        use_cases, adapters = production(settings)
        await start(use_cases, adapters)
        try:
            user = await use_cases.create_admin().handle(
                RegisterUser(email="ada@example.org", username="ada", password=PASSWORD)
            )
            setup = await use_cases.set_up_totp().handle(SetUpTotp(user_id=user.id, password=PASSWORD))
            earlier = pyotp.TOTP(setup.secret).at(datetime.now(UTC) - timedelta(seconds=30))
            await use_cases.confirm_totp().handle(ConfirmTotp(user_id=user.id, code=earlier))
            first_steps = [
                await use_cases.log_in().handle(LogIn(identifier="ada@example.org", password=PASSWORD))
                for _ in range(tokens)
            ]
            together = _CheckedTogether.__new__(_CheckedTogether)
            together.__dict__.update(vars(use_cases.second_factor_check()))
            together.barrier = asyncio.Barrier(2)
            use_cases.second_factor_check.override(providers.Object(together))
            current = pyotp.TOTP(setup.secret).now()
            mfa_tokens = [step.mfa_token for step in first_steps if isinstance(step, MfaRequired)] * (3 - tokens)

            outcomes = await asyncio.gather(
                *(
                    use_cases.complete_mfa_login().handle(CompleteMfaLogin(mfa_token=token, code=current))
                    for token in mfa_tokens
                ),
                return_exceptions=True,
            )
        finally:
            await stop(use_cases, adapters)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["MfaFailedError", "TokenPair"]
