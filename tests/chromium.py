"""The system's Chromium for the browser tests (the interactive docs, the hosted pages), driven by
Playwright: Playwright cannot download browsers here, so it launches Debian's `chromium`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing of its own on the network: no QUIC probes, updates, sync or first-run pages.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Without the browser the tests are skipped, except in CI (CI=true), where its absence is a failure.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason=f"{CHROMIUM} is not installed (apt-get install chromium); in CI its absence fails the test",
)


@contextmanager
def launched() -> Iterator[Browser]:
    """The system's Chromium, headless, closed on leaving."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is not installed: apt-get install chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
