"""The steps of a social login over HTTP, shared by the social login tests: an app whose providers are
the local OpenID Connect provider (`local`) and the GitHub fake (`github`), the browser's round trip,
and the code exchange.

The app's public URL is https://bastion.test (the callback URL the local provider has registered), and
its test client speaks to it there, so that the browser-binding cookie (Secure) travels.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from litestar.testing import AsyncTestClient

from domain.paging import Page
from entrypoints.container.http import http_handlers
from entrypoints.container.lifecycle import in_memory
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests import github_fake, oidc_provider_records
from tests.github_fake import GitHubFake
from tests.http.conftest import Api, make_settings
from tests.local_wsgi_server import follow_authorization
from tests.oidc_provider import LocalOidcProvider

PUBLIC_URL = "https://bastion.test"
APP = "https://app.example.org/signed-in"


def social_settings(idp: LocalOidcProvider, github: GitHubFake, **overrides: Any) -> Settings:
    clients = {
        "local": {
            "client_id": oidc_provider_records.CLIENT_ID,
            "client_secret": oidc_provider_records.CLIENT_SECRET,
            "issuer": idp.issuer,
        },
        "github": {
            "client_id": github_fake.CLIENT_ID,
            "client_secret": github_fake.CLIENT_SECRET,
            "issuer": github.url,
        },
    }
    values: dict[str, Any] = {
        "public_url": PUBLIC_URL,
        "oauth_providers": "local,github",
        "oauth_clients": clients,
        "oauth_redirect_allowlist": f"{APP},http://localhost:3000/cb",
        "oauth_timeout_seconds": 2,
    }
    return make_settings(**{**values, **overrides})


@asynccontextmanager
async def browser(app: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of `app` at the public URL that, as the tests' browser, does not follow redirects:
    a test follows the provider's hop itself (`provider_callback`)."""
    async with AsyncTestClient(app, base_url=PUBLIC_URL) as client:
        client.follow_redirects = False
        yield client


@asynccontextmanager
async def social_api(settings: Settings) -> AsyncIterator[Api]:
    use_cases, adapters = in_memory(settings)
    app = create_app(http_handlers(use_cases), settings, metrics=adapters.metrics())
    async with browser(app) as client:
        try:
            yield Api(client=client, adapters=adapters, use_cases=use_cases)
        finally:
            await adapters.identity_providers().stop()


async def authorize(client: httpx.AsyncClient, provider: str = "local", redirect_uri: str = APP) -> str:
    """Start a sign-in in this client's browser: the provider URL it is sent to."""
    response = await client.get(f"/auth/oauth/{provider}/authorize", params={"redirect_uri": redirect_uri})
    assert response.status_code == 302, response.text
    return str(response.headers["location"])


async def provider_callback(authorize_url: str) -> str:
    """The path and query of Bastion's callback that the provider sends the browser to."""
    parts = urlsplit(await follow_authorization(authorize_url))
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC_URL, parts
    return f"{parts.path}?{parts.query}"


def landing(response: httpx.Response, redirect_uri: str = APP) -> dict[str, str]:
    """The fields of the fragment a callback's answer sends the browser to, at `redirect_uri`."""
    assert response.status_code == 302, response.text
    uri, _, fragment = str(response.headers["location"]).partition("#")
    assert uri == redirect_uri
    return dict(parse_qsl(fragment, strict_parsing=True))


async def sign_in(api: Api, provider: str = "local") -> dict[str, str]:
    """A whole round trip in the API's browser: the fragment it lands with."""
    callback = await provider_callback(await authorize(api.client, provider))
    return landing(await api.client.get(callback))


async def exchange(api: Api, code: str) -> httpx.Response:
    return await api.client.post("/auth/oauth/exchange", json={"code": code})


async def signed_in(api: Api, provider: str = "local") -> dict[str, Any]:
    """A sign-in that ends with a token pair."""
    answer = await sign_in(api, provider)
    assert "code" in answer, answer
    response = await exchange(api, answer["code"])
    assert response.status_code == 200, response.text
    return dict(response.json())


async def audit_types(api: Api) -> list[str]:
    """The types of every audit event so far."""
    async with api.adapters.reader() as view:
        events, _ = await view.audit.search(user_id=None, type_=None, page=Page(limit=100))
    return [event.type.value for event in events]
