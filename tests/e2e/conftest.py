"""End-to-end tests: the real site, served by pytest-django's live server, in Debian's chromium.

Playwright drives ``/usr/bin/chromium`` (installed by ``make sysdeps``); it never downloads a browser.
Every test in this folder carries the ``e2e`` marker, so ``pytest -m "not e2e"`` leaves them out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, expect, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from ecredit.accounts.actors import SYSTEM
from ecredit.demo.services import load_demo

# Playwright's sync API keeps an asyncio event loop running in the test thread; Django refuses ORM
# calls from such a thread unless told it is safe (it is: the loop only talks to the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 5_000  # a page of this site loads in milliseconds; fail fast rather than hang
expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} 不存在：请先运行 `make sysdeps` / not found: run `make sysdeps` first")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db: None, settings: Settings) -> dict[str, str]:
    """The demo cast (one account per role), loaded the way `ecredit demo` loads it."""
    # Nine real PBKDF2 hashes per test would cost seconds; the login path is the same with MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return load_demo(actor=SYSTEM, with_registry=False)  # the registry tests build what they need


@pytest.fixture
def context(browser: Browser, live_server: LiveServer, demo: dict[str, str]) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) of a user whose browser asks for Chinese."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    """What went wrong inside the browser: script errors, console errors (a CSP violation or a
    failed load shows up here) and server errors, for any resource of the page."""
    errors: list[str] = []

    def on_console(msg: ConsoleMessage) -> None:
        url = msg.location.get("url", "")
        if msg.type == "error" and not url.endswith("/favicon.ico"):  # browsers ask for one unprompted
            errors.append(f"console: {msg.text} [{url}]")

    def on_response(response: Response) -> None:
        if response.status >= 500:
            errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", on_console)
    page.on("response", on_response)
    return errors
