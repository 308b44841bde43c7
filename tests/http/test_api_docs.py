"""The interactive docs pages name only Bastion's own assets, which it serves while the docs are on."""

from __future__ import annotations

import re

import pytest

from entrypoints.http.api_docs import SCALAR, SWAGGER_UI, asset_url
from tests.http.conftest import Api, make_settings, memory_api

PAGES = ["/schema", "/schema/swagger"]
ASSETS = {
    f"{SCALAR}/standalone.js": "text/javascript",
    f"{SWAGGER_UI}/swagger-ui-bundle.js": "text/javascript",
    f"{SWAGGER_UI}/swagger-ui-standalone-preset.js": "text/javascript",
    f"{SWAGGER_UI}/swagger-ui.css": "text/css",
    "scalar-page.css": "text/css",
}
# The attributes through which a page loads something: scripts, stylesheets, icons.
LOADED = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""")
ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[^\s"'<>()]+""")


@pytest.mark.parametrize("page", PAGES)
async def test_a_docs_page_loads_nothing_but_bastions_own_assets(api: Api, page: str) -> None:
    response = await api.client.get(page)
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    loaded = LOADED.findall(response.text)
    assert loaded
    for url in loaded:
        assert url.startswith(("/schema/assets/", "data:")), url
    for url in ABSOLUTE_URL.findall(response.text):
        assert url.startswith(str(api.client.base_url)), url


@pytest.mark.parametrize("page", PAGES)
async def test_a_docs_page_allows_only_its_own_origin(api: Api, page: str) -> None:
    policy = (await api.client.get(page)).headers["content-security-policy"]
    assert "http" not in policy
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize(("name", "media_type"), ASSETS.items())
async def test_a_docs_asset_is_served_with_its_type_and_a_long_cache(api: Api, name: str, media_type: str) -> None:
    response = await api.client.get(asset_url(name))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "max-age=31536000" in response.headers["cache-control"]
    assert response.content


@pytest.mark.parametrize("page", PAGES)
async def test_every_asset_a_page_names_is_served(api: Api, page: str) -> None:
    for url in LOADED.findall((await api.client.get(page)).text):
        if not url.startswith("data:"):
            assert (await api.client.get(url)).status_code == 200, url


async def test_with_the_docs_off_neither_pages_nor_assets_are_served() -> None:
    async with memory_api(make_settings(docs_enabled=False)) as api:
        for path in [*PAGES, "/schema/openapi.json", *(asset_url(name) for name in ASSETS)]:
            assert (await api.client.get(path)).status_code == 404, path
