"""Browser tests: Playwright (sync API) drives Debian's chromium against the live server.

Notes
- Playwright's sync API runs an asyncio event loop in the main thread; Django then refuses
  ORM calls from that thread (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
  The ORM calls made here (fixtures, assertions) are plain synchronous code, so it is safe.
- Never `playwright install`: the browser is Debian's chromium at /usr/bin/chromium, which
  `make test` installs. A missing chromium is a FAILURE, not a skip, so CI cannot go green
  without the browser tests having run.
- The live server serves static files itself (django.contrib.staticfiles is installed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
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
# Playwright's default timeouts are 30 s; a page of this app answers in milliseconds, so a
# short timeout makes a broken selector fail fast with a readable message.
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium per test module; stopped afterwards so no event loop outlives the module."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}, which is missing. "
            "Run `make test` (it installs chromium, then runs the suite); "
            "never `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _new_page(browser: Any, viewport: dict[str, int], locale: str = "fr-FR") -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []

    def on_response(response: Any) -> None:
        # A server error anywhere, or a missing asset (CSS, JS, image).
        if response.url.endswith("/favicon.ico"):  # chromium asks for it on its own
            return
        if response.status >= 500 or (
            response.status >= 400 and response.request.resource_type != "document"
        ):
            problems.append(f"HTTP {response.status} {response.request.method} {response.url}")

    def on_request_failed(request: Any) -> None:
        if "ERR_ABORTED" not in (request.failure or ""):  # aborted by a navigation: normal
            problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))

    def on_console(message: Any) -> None:
        # "Failed to load resource" repeats a failed response, judged in on_response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.problems = problems  # type: ignore[attr-defined]  # asserted empty by the tests
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh desktop-sized page (own cookies), French browser locale."""
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def tablet_page(browser: Any) -> Iterator[Any]:
    """A fresh 768×1024 page (portrait tablet, the site foreman's device)."""
    yield from _new_page(browser, TABLET)
