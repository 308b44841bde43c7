"""Social login over the production wiring on SQLite and PostgreSQL, against the local OpenID Connect
provider and the GitHub fake: sign-up, concurrent exchanges of one code, a returning sign-in,
linking, and concurrent unlinks that must leave the account a way to log in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from entrypoints.asgi import build_app
from tests.backends import SQL_BACKENDS, migrated_database
from tests.github_fake import GitHubFake, running_github_fake
from tests.http.conftest import bearer
from tests.http.mfa_steps import claims
from tests.http.social_login_steps import APP, PUBLIC_URL, authorize, landing, provider_callback, social_settings
from tests.oidc_provider import LocalOidcProvider, running_oidc_provider

pytestmark = pytest.mark.slow


@pytest.fixture
def idp() -> Iterator[LocalOidcProvider]:
    with running_oidc_provider() as provider:
        yield provider


@pytest.fixture
def github() -> Iterator[GitHubFake]:
    with running_github_fake() as fake:
        yield fake


@pytest.fixture(params=SQL_BACKENDS)
async def client(
    request: pytest.FixtureRequest, tmp_path: Path, idp: LocalOidcProvider, github: GitHubFake
) -> AsyncIterator[AsyncTestClient[Any]]:
    async with migrated_database(request.param, tmp_path) as database:
        settings = social_settings(idp, github, database_url=database.url, database_schema=database.schema or "")
        async with AsyncTestClient(build_app(settings), base_url=PUBLIC_URL) as client:
            client.follow_redirects = False
            yield client


async def _code(client: AsyncTestClient[Any], provider: str = "local") -> str:
    answer = landing(await client.get(await provider_callback(await authorize(client, provider))))
    assert "code" in answer, answer
    return answer["code"]


async def _linked(client: AsyncTestClient[Any], pair: dict[str, Any], provider: str) -> None:
    link = await client.post(f"/auth/identities/{provider}/link", params={"redirect_uri": APP}, headers=bearer(pair))
    assert link.status_code == 200, link.text
    assert landing(await client.get(await provider_callback(link.json()["authorize_url"]))) == {"linked": provider}


async def test_social_login_from_sign_up_to_the_last_identity(client: AsyncTestClient[Any]) -> None:
    code = await _code(client)
    answers = await asyncio.gather(*(client.post("/auth/oauth/exchange", json={"code": code}) for _ in range(4)))
    assert sorted(answer.status_code for answer in answers) == [200, 400, 400, 400]
    pair = next(answer.json() for answer in answers if answer.status_code == 200)
    assert claims(pair)["amr"] == ["ext"]
    me = (await client.get("/auth/me", headers=bearer(pair))).json()
    assert (me["email"], me["email_verified"]) == ("ada@example.org", True)

    again = (await client.post("/auth/oauth/exchange", json={"code": await _code(client)})).json()
    assert claims(again)["sub"] == claims(pair)["sub"]

    await _linked(client, pair, "github")
    identities = (await client.get("/auth/identities", headers=bearer(pair))).json()
    assert sorted(one["provider"] for one in identities) == ["github", "local"]
    # The account has no password and no passkey: of two concurrent unlinks, one must be refused.
    answers = await asyncio.gather(
        *(client.delete(f"/auth/identities/{one['id']}", headers=bearer(pair)) for one in identities)
    )
    assert sorted(answer.status_code for answer in answers) == [204, 409]
    assert len((await client.get("/auth/identities", headers=bearer(pair))).json()) == 1

    export = (await client.get("/auth/me/export", headers=bearer(pair))).json()
    assert len(export["identities"]) == 1
    types = {event["type"] for event in export["audit_events"]}
    assert {"user.registered", "oauth.login", "oauth.linked", "oauth.unlinked", "login.succeeded"} <= types


async def test_a_replayed_callback_and_a_foreign_browser_change_nothing(client: AsyncTestClient[Any]) -> None:
    callback = await provider_callback(await authorize(client))
    # Another browser: the same callback without the cookie of the browser that started the sign-in.
    started_by = dict(client.cookies)
    client.cookies.clear()
    assert landing(await client.get(callback)) == {"error": "invalid_state"}
    client.cookies.update(started_by)
    assert landing(await client.get(callback)) == {"error": "invalid_state"}
    # Nothing was created by either: the first sign-in that completes makes the account.
    pair = (await client.post("/auth/oauth/exchange", json={"code": await _code(client)})).json()
    events = (await client.get("/auth/me/export", headers=bearer(pair))).json()["audit_events"]
    assert [event["type"] for event in events].count("user.registered") == 1
