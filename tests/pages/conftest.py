"""The hosted pages in a real browser: a `bastion serve` process at http://localhost:<port> (passkeys
need a host name), the local OpenID Connect provider as its social login provider `local`, and the
system's Chromium driven by Playwright, with Chromium's virtual authenticator for passkeys.

Every page a test opens is watched: a request to any origin but Bastion's (and the provider's, on the
sign-in hop) is refused and fails the test, and so do console errors, uncaught exceptions and 5xx
answers. Chromium is the system's (`apt-get install chromium`); without it the tests are skipped,
except in CI (CI=true), where its absence is a failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response, Route

from tests import oidc_provider_records
from tests.chromium import NEEDS_CHROMIUM, launched
from tests.e2e.servers import free_port, server
from tests.oidc_provider import LocalOidcProvider, running_oidc_provider

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "Correct-Horse-9"
WAIT_MS = 15_000
# The masked parts of a screenshot: the pages' --line grey, so the layout stays readable.
MASK_COLOR = "#d0d7de"
# A fixed locale and time zone, so that a masked time has the same length on every run.
LOCALE = "en-GB"
TIMEZONE = "UTC"

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@dataclass
class Bastion:
    """The server under test: its base URL (http://localhost:<port>), its log (where mail goes), and
    the OpenID Connect provider it signs in with."""

    base: str
    log_path: Path
    idp: LocalOidcProvider

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def mailed_token(self, kind: str) -> str:
        """The token of the newest mailed link of `kind` (`verify-email` or `reset-password`)."""
        tokens = re.findall(rf"/{kind}#token=([A-Za-z0-9_-]+)", self.log())
        assert tokens, f"no {kind} link in the server's log"
        return tokens[-1]


@pytest.fixture(scope="module")
def bastion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bastion]:
    workdir = tmp_path_factory.mktemp("pages")
    port = free_port()
    base = f"http://localhost:{port}"
    with running_oidc_provider() as idp:
        idp.client.redirect_uri = f"{base}/auth/oauth/local/callback"
        settings = {
            "public_url": base,
            "rate_limit_per_minute": "0",
            "login_rate_limit_per_minute": "0",
            "oauth_providers": "local",
            "oauth_local_client_id": oidc_provider_records.CLIENT_ID,
            "oauth_local_client_secret": oidc_provider_records.CLIENT_SECRET,
            "oauth_local_issuer": idp.issuer,
        }
        with server(workdir, port=port, **settings):
            yield Bastion(base=base, log_path=workdir / f"server-{port}.log", idp=idp)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as chromium:
        yield chromium


@dataclass
class Watch:
    """What the pages of a test did besides succeeding: requests to other origins (refused), console
    errors, uncaught exceptions, failed requests and 5xx answers."""

    allowed: tuple[str, ...]
    refused: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(self.allowed) or url.startswith("data:"):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(f"console error: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.problems.append(f"uncaught: {error}")

    def request_failed(self, request: Request) -> None:
        self.problems.append(f"failed request: {request.url} ({request.failure})")

    def response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status}: {response.url}")


@dataclass
class Tab:
    """A browser tab on the hosted pages, watched (`Watch`), with a virtual authenticator at hand."""

    page: Page
    context: BrowserContext
    bastion: Bastion
    watch: Watch

    def open(self, path: str) -> Page:
        # The page being left finishes its calls first: leaving would abort them (failing the test).
        self.page.wait_for_load_state("networkidle")
        self.page.goto(f"{self.bastion.base}{path}")
        return self.page

    def add_authenticator(self) -> str:
        """Chromium's virtual authenticator (CTAP2, internal, resident keys, user verification): the
        passkeys' device. Its id."""
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("WebAuthn.enable")
        answer: dict[str, Any] = cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        return str(answer["authenticatorId"])

    def screenshot(self, name: str) -> None:
        """A full-page screenshot for the docs (docs/screenshots/<name>.png), the same on every run:
        the elements marked `data-volatile` (times, keys, codes) are masked, animations stopped and
        the caret hidden, so that regenerating the docs leaves the PNGs unchanged."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{name}.png"),
            full_page=True,
            mask=[self.page.locator("[data-volatile]")],
            mask_color=MASK_COLOR,
            animations="disabled",
            caret="hide",
        )

    def unlabelled_inputs(self) -> list[str]:
        """The visible form controls of the page without an accessible name (label, aria-label or
        aria-labelledby)."""
        found: list[str] = self.page.evaluate(
            """() => [...document.querySelectorAll('input, select, textarea')]
                .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
                .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                                && !el.getAttribute('aria-labelledby'))
                .map((el) => el.outerHTML)"""
        )
        return found


@pytest.fixture
def tab(browser: Browser, bastion: Bastion) -> Iterator[Tab]:
    """A fresh browser (its own storage) with one tab; after the test, nothing was sent to another
    origin and nothing went wrong."""
    watch = Watch(allowed=(f"{bastion.base}/", f"{bastion.idp.issuer}/"))
    context = browser.new_context(locale=LOCALE, timezone_id=TIMEZONE)
    context.route("**/*", watch.route)
    page = context.new_page()
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)
    page.on("requestfailed", watch.request_failed)
    page.on("response", watch.response)
    page.set_default_timeout(WAIT_MS)
    yield Tab(page=page, context=context, bastion=bastion, watch=watch)
    # Whatever the last page was still loading ends before the tab closes: a test may stop right after
    # a navigation (to /account), and closing then would abort its requests.
    for open_page in context.pages:
        open_page.wait_for_load_state("networkidle")
    context.close()
    assert watch.refused == [], "a page reached for another origin"
    assert watch.problems == []
