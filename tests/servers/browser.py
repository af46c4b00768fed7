"""The chat page in a real browser: Debian's chromium, driven by Playwright,
with every request off 127.0.0.1 blocked (the page must work offline)."""

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, sync_playwright

from tests.needs import require_or_skip

CHROMIUM = Path("/usr/bin/chromium")
# Headless chromium as root on a machine without internet; Playwright adds a fresh --user-data-dir.
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
ANSWER_TIMEOUT_MS = 30_000


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        require_or_skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def loopback_only(route) -> None:
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort("internetdisconnected")


@contextmanager
def visitor(browser: Browser, url: str, **context_options) -> Iterator[Page]:
    """A new visitor (empty browser storage) on the page at ``url``; ``context_options`` as for
    Playwright's new_context (viewport, reduced_motion, ...)."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    context.route("**/*", loopback_only)
    try:
        page = context.new_page()
        page.goto(url)
        yield page
    finally:
        context.close()


def bot_messages(page: Page):
    return page.locator(".rw-from-response .rw-message")


def message_box(page: Page):
    return page.locator("textarea.rw-new-message")


def ask(page: Page, text: str) -> None:
    message_box(page).fill(text)
    message_box(page).press("Enter")
