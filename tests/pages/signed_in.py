"""Accounts for the browser tests, made through the JSON API, and a tab signed in to one of them:
its token pair put where the pages keep it (the tab's sessionStorage)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.oidc_provider_records import OidcUser
from tests.pages.conftest import PASSWORD, Bastion, Tab

TOKENS_KEY = "bastion.tokens"


@dataclass
class Account:
    email: str
    username: str
    password: str
    tokens: dict[str, Any]

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


def log_in(bastion: Bastion, email: str, password: str, *, user_agent: str = "python-httpx") -> httpx.Response:
    return httpx.post(
        f"{bastion.base}/auth/login", json={"email": email, "password": password}, headers={"User-Agent": user_agent}
    )


def new_account(bastion: Bastion, name: str | None = None) -> Account:
    """A fresh account, logged in once through the API. A test that takes screenshots names it (a
    name of its own: the server serves the whole module) so that the screenshots stay the same."""
    username = name or f"user_{secrets.token_hex(5)}"
    email = f"{username}@example.org"
    registered = httpx.post(
        f"{bastion.base}/auth/register", json={"email": email, "username": username, "password": PASSWORD}
    )
    assert registered.status_code == 201, registered.text
    answer = log_in(bastion, email, PASSWORD)
    assert answer.status_code == 200, answer.text
    return Account(email=email, username=username, password=PASSWORD, tokens=answer.json())


def social_account(bastion: Bastion) -> Account:
    """An account that a sign-in with the local provider created: no password, one linked identity.
    The browser's hops are made by an HTTP client that keeps the sign-in's cookie."""
    email = f"social_{secrets.token_hex(5)}@example.org"
    bastion.idp.user = OidcUser(sub=f"social-{secrets.token_hex(6)}", email=email)
    with httpx.Client(base_url=bastion.base) as browser:
        started = browser.get("/auth/oauth/local/authorize", params={"redirect_uri": f"{bastion.base}/login"})
        at_provider = httpx.get(started.headers["location"])
        returned = browser.get(at_provider.headers["location"])
        code = returned.headers["location"].split("#code=", 1)[1]
        exchanged = browser.post("/auth/oauth/exchange", json={"code": code})
    assert exchanged.status_code == 200, exchanged.text
    tokens = exchanged.json()
    me = httpx.get(f"{bastion.base}/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    return Account(email=email, username=me["username"], password="", tokens=tokens)


def api_get(bastion: Bastion, path: str, account: Account) -> httpx.Response:
    return httpx.get(f"{bastion.base}{path}", headers=account.bearer)


def open_account_page(tab: Tab, account: Account) -> Page:
    """/account in `tab`, signed in with the account's tokens, every section loaded."""
    page = tab.open("/register")
    pair = {"access_token": account.tokens["access_token"], "refresh_token": account.tokens["refresh_token"]}
    page.evaluate("([key, pair]) => sessionStorage.setItem(key, JSON.stringify(pair))", [TOKENS_KEY, pair])
    tab.open("/account")
    expect(section(page, "Profile")).to_be_visible()
    expect(section(page, "Sessions").get_by_role("listitem").first).to_be_visible()
    # Every section's first call answered: a click that ends the session cannot race a late one.
    page.wait_for_load_state("networkidle")
    return page


def section(page: Page, heading: str) -> Locator:
    """A section of the page, by its heading."""
    return page.get_by_role("region", name=heading, exact=True)


def status(page: Page) -> Locator:
    return page.get_by_role("status")


def alert(page: Page) -> Locator:
    return page.get_by_role("alert")
