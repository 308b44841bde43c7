"""The hosted pages over HTTP, without a browser: each is HTML with a Content-Security-Policy whose
nonce is fresh per answer and the only way a script runs, their files are Bastion's own, the
templates escape what they show, and BASTION_HOSTED_PAGES=false removes them all."""

from __future__ import annotations

import re

import pytest

from entrypoints.pages.router import PAGES, STATIC, STATIC_PATH
from tests.http.conftest import Api, make_settings, memory_api

PAGE_PATHS = [path for path, _, _ in PAGES]
STATIC_FILES = sorted(path.name for path in STATIC.iterdir())
NONCE = re.compile(r"script-src 'nonce-([A-Za-z0-9_-]+)'")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>")
LOADED = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""")
# An inline event handler attribute (onclick=...), which the policy would refuse to run.
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def policy_nonce(policy: str) -> str:
    match = NONCE.search(policy)
    assert match, policy
    return match.group(1)


@pytest.mark.parametrize("path", PAGE_PATHS)
async def test_a_page_is_html_under_a_strict_policy(api: Api, path: str) -> None:
    response = await api.client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", PAGE_PATHS)
async def test_the_one_script_of_a_page_carries_the_nonce_of_its_answer(api: Api, path: str) -> None:
    response = await api.client.get(path)
    nonce = policy_nonce(response.headers["content-security-policy"])
    scripts = SCRIPT_TAG.findall(response.text)
    assert len(scripts) == 1
    assert f'nonce="{nonce}"' in scripts[0]
    assert 'type="module"' in scripts[0]
    assert len(nonce) >= 22


@pytest.mark.parametrize("path", PAGE_PATHS)
async def test_every_answer_has_a_new_nonce(api: Api, path: str) -> None:
    first, second = [await api.client.get(path) for _ in range(2)]
    assert policy_nonce(first.headers["content-security-policy"]) != policy_nonce(
        second.headers["content-security-policy"]
    )


@pytest.mark.parametrize("path", PAGE_PATHS)
async def test_a_page_loads_only_bastions_own_files_and_has_nothing_inline(api: Api, path: str) -> None:
    text = (await api.client.get(path)).text
    for url in LOADED.findall(text):
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        assert (await api.client.get(url)).status_code == 200, url
    assert "style=" not in text
    assert "<style" not in text
    assert not INLINE_HANDLER.search(text)


@pytest.mark.parametrize("name", STATIC_FILES)
async def test_the_static_files_are_served_with_their_type(api: Api, name: str) -> None:
    response = await api.client.get(f"{STATIC_PATH}/{name}")
    assert response.status_code == 200
    expected = "text/css" if name.endswith(".css") else "text/javascript"
    assert response.headers["content-type"].startswith(expected)
    assert response.content == (STATIC / name).read_bytes()


def test_every_page_has_its_script_file() -> None:
    for _, name, _ in PAGES:
        assert f"{name}.js" in STATIC_FILES


@pytest.mark.parametrize("path", [*PAGE_PATHS, f"{STATIC_PATH}/api.js", f"{STATIC_PATH}/pages.css"])
async def test_switched_off_every_page_and_file_is_not_found(path: str) -> None:
    async with memory_api(make_settings(hosted_pages=False)) as api:
        assert (await api.client.get(path)).status_code == 404
        assert (await api.client.get("/health")).status_code == 200


async def test_the_templates_escape_the_app_name() -> None:
    name = "<script>alert(1)</script> & co"
    async with memory_api(make_settings(app_name=name)) as api:
        text = (await api.client.get("/login")).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    assert len(SCRIPT_TAG.findall(text)) == 1
