"""Browser tests: Playwright (sync API) driving the system's Chromium against pytest-django's live_server.

Chromium comes from Debian (`apt-get install chromium`, which .ci/run does), never from a Playwright
download. Without it these tests are skipped on a developer's machine and fail under CI.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in the test's thread, and Django then refuses ORM calls there
# ("You cannot call this from an async context"). The loop is Playwright's own; the test code is sync.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


class SerialWSGIServer(WSGIServer):
    """The live server answers one request at a time. A case page loads its cards in parallel, and each
    request writes (the session, the read audit); the test database is SQLite in memory with a shared cache,
    where a second writer fails at once ("database table is locked") instead of waiting its turn as it does
    on a database file or on PostgreSQL."""

    def __init__(self, *args: object, connections_override: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SerialWSGIServer

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, and the closed network refuses it many times over.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def chromium_path() -> str:
    path = os.environ.get("QADAM_CHROMIUM", "/usr/bin/chromium")
    found = shutil.which(path)
    if not found:
        message = f"no Chromium at {path} (apt-get install chromium, or set QADAM_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = chromium_path()
    from django.db import connections
    from playwright.sync_api import sync_playwright

    wrappers = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # From here on the thread has a running event loop, and asgiref then keeps Django's connections in
        # a separate, context-local store: new connection objects, outside the test's transaction and
        # without the serialized rollback data. Put the very same objects there.
        for alias, connection in wrappers.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, django_db_serialized_rollback) -> Iterator:
    """A fresh page (own cookies) with `page.base_url` set to the live server.

    live_server makes the test transactional: the database is emptied after it. Serialized rollback puts
    back what the migrations loaded (the KATO regions) before each browser test.
    """
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
