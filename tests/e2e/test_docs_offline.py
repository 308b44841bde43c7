"""The interactive docs of a real server render in headless Chromium with every request to another
host refused: Scalar at /schema and Swagger UI at /schema/swagger need nothing but Bastion.

Chromium is not downloaded by the test: it is the system's (`apt-get install chromium`). Without it
the test is skipped, except in CI (CI=true), where a missing browser is a failure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route, expect

from tests.chromium import NEEDS_CHROMIUM, launched
from tests.e2e.servers import server

RENDER_SECONDS = 30

pytestmark = [
    pytest.mark.slow,
    NEEDS_CHROMIUM,
]


@dataclass
class Visit:
    """What a page did on the network and in its console, besides succeeding."""

    base: str
    refused: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        if route.request.url.startswith(f"{self.base}/"):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def page_error(self, error: Exception) -> None:
        self.problems.append(f"uncaught: {error}")

    def request_failed(self, request: Request) -> None:
        self.problems.append(f"failed request: {request.url} ({request.failure})")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with server(tmp_path_factory.mktemp("docs")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as chromium:
        yield chromium


@pytest.fixture
def offline(browser: Browser, base_url: str) -> Iterator[tuple[Page, Visit]]:
    """A fresh page that may reach the server under test and nothing else; after the test, nothing
    else was tried and nothing went wrong."""
    visit = Visit(base_url)
    context = browser.new_context()
    context.route("**/*", visit.route)
    page = context.new_page()
    page.on("console", visit.console)
    page.on("pageerror", visit.page_error)
    page.on("requestfailed", visit.request_failed)
    page.on("response", visit.response)
    page.set_default_timeout(RENDER_SECONDS * 1000)
    yield page, visit
    page.wait_for_load_state("networkidle")
    context.close()
    assert visit.refused == [], "the page reached for other hosts"
    assert visit.problems == []


def test_scalar_renders_the_operations_at_schema_offline(offline: tuple[Page, Visit]) -> None:
    page, visit = offline
    page.goto(f"{visit.base}/schema")
    expect(page.get_by_text("/health", exact=True).first).to_be_visible()
    page.get_by_text("auth", exact=True).first.click()
    expect(page.get_by_text("/auth/login", exact=True).first).to_be_visible()
    # What would hand the document to Scalar's hosted services is switched off (api_docs.py).
    for offer in ("Ask AI", "Open API Client", "Generate SDK", "Share"):
        expect(page.get_by_text(offer, exact=True)).to_have_count(0)


def test_scalars_in_page_client_sends_its_requests_to_bastion_itself(offline: tuple[Page, Visit]) -> None:
    page, visit = offline
    page.goto(f"{visit.base}/schema")
    page.get_by_role("button", name="Test Request").first.click()
    # The first operation of the first group: a service endpoint (which one depends on the order).
    with page.expect_response(lambda response: _is_service_endpoint(response.url, visit.base)) as answer:
        page.get_by_role("button", name="Send").first.click()
    assert answer.value.status == 200


def _is_service_endpoint(url: str, base: str) -> bool:
    return url in {f"{base}/health", f"{base}/metrics", f"{base}/health/ready", f"{base}/.well-known/jwks.json"}


def test_swagger_ui_renders_the_operations_at_schema_swagger_offline(offline: tuple[Page, Visit]) -> None:
    page, visit = offline
    page.goto(f"{visit.base}/schema/swagger")
    expect(page.get_by_text("/auth/login", exact=True).first).to_be_visible()
    expect(page.get_by_text("/health", exact=True).first).to_be_visible()
