from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.memory.mailer import MemoryMailer
from application.auth.register_user import RegisterUser
from domain.mail import MailMessage
from entrypoints.asgi import build_app
from entrypoints.container.adapters import MemoryAdapters
from entrypoints.container.http import http_handlers
from entrypoints.container.lifecycle import in_memory, production, start, stop
from entrypoints.container.use_cases import UseCases
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.backends import migrated_database

PASSWORD = "Correct-Horse-9"


def make_settings(**overrides: Any) -> Settings:
    # Throttling is off unless a test turns it on: most tests send many requests from one address.
    values: dict[str, Any] = {
        "environment": "test",
        "secret_key": "s" * 48,
        "refresh_reuse_grace_seconds": 10,
        "rate_limit_per_minute": 0,
        "login_rate_limit_per_minute": 0,
    }
    values.update(overrides)
    return Settings.from_flat(**values)


@dataclass
class Api:
    client: AsyncTestClient[Any]
    adapters: MemoryAdapters
    use_cases: UseCases

    async def delivered_mail(self) -> list[MailMessage]:
        """Run the outbox worker once; every message the memory mailer has sent so far."""
        await self.use_cases.deliver_outbox().handle()
        mailer: MemoryMailer = self.adapters.mailer()
        return list(mailer.sent)

    async def last_link_token(self, kind: str) -> str:
        """The token of the newest delivered link of `kind` ("reset-password" or "verify-email")."""
        for message in reversed(await self.delivered_mail()):
            match = re.search(rf"/{kind}#token=([A-Za-z0-9_-]+)", message.text)
            if match:
                return match.group(1)
        raise AssertionError(f"no {kind} mail was delivered")

    async def register(self, email: str = "ada@example.org", username: str = "ada", **extra: Any) -> dict[str, Any]:
        body = {"email": email, "username": username, "password": PASSWORD, **extra}
        response = await self.client.post("/auth/register", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def log_in(self, identifier: str = "ada@example.org", password: str = PASSWORD) -> dict[str, Any]:
        key = "email" if "@" in identifier else "username"
        response = await self.client.post("/auth/login", json={key: identifier, "password": password})
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def registered_and_logged_in(self) -> dict[str, Any]:
        await self.register()
        return await self.log_in()


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@asynccontextmanager
async def sql_client_with_admin(backend: str, tmp_path: Path, **overrides: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of the production app over a migrated database of `backend` (settings `overrides` on top
    of the test ones), holding an administrator root@example.org made by an operator."""
    async with migrated_database(backend, tmp_path) as database:
        settings = make_settings(database_url=database.url, database_schema=database.schema or "", **overrides)
        use_cases, adapters = production(settings)
        await start(use_cases, adapters)
        try:
            await use_cases.create_admin().handle(
                RegisterUser(email="root@example.org", username="root", password=PASSWORD)
            )
        finally:
            await stop(use_cases, adapters)
        async with AsyncTestClient(build_app(settings), base_url="http://127.0.0.1:8000") as client:
            yield client


def _peer_is(peer: str, handler: ASGIApp) -> ASGIApp:
    async def with_peer(scope: Scope, receive: Receive, send: Send) -> None:
        scope["client"] = (peer, 50000)
        await handler(scope, receive, send)

    return with_peer


@asynccontextmanager
async def memory_api(settings: Settings, *, peer: str | None = None) -> AsyncIterator[Api]:
    """The HTTP app over the memory adapters, with a client; the socket peer is `peer` (an IP
    address), else the test client's own `testclient`, which is no IP address."""
    use_cases, adapters = in_memory(settings)
    app = create_app(http_handlers(use_cases), settings, metrics=adapters.metrics())
    if peer is not None:
        app.asgi_handler = _peer_is(peer, app.asgi_handler)
    async with AsyncTestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield Api(client=client, adapters=adapters, use_cases=use_cases)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    async with memory_api(settings) as api:
        yield api


def answer_body(response: Any) -> dict[str, Any]:
    """A problem document without its `request_id`, which differs from one answer to the next."""
    return {key: value for key, value in response.json().items() if key != "request_id"}
