"""Fixtures for tests in a real browser: a live server and Debian's Chromium via Playwright.

The root conftest loads them as a plugin, so every package shares one browser.
Screenshots go to test-artifacts/screenshots/ (not committed); look at them.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest
from werkzeug.serving import make_server

from casetracker import create_app
from casetracker.demo import load as demo_load
from casetracker.extensions import db
from tests.conftest import IN_CI, FrozenClock, _settings, running_app
from tests.serving import serve

CHROMIUM = os.environ.get("CASETRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
# Without these, Chromium keeps trying to reach Google's hosts from a closed network.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the suite's frozen now (tests/conftest.py)


@pytest.fixture
def live_app(sqlite_template, tmp_path, clock):
    """An app on its own SQLite copy, as served to the browser (SQLite only: it is slow)."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    app = create_app(_settings(f"sqlite:///{path}", clock, WTF_CSRF_ENABLED=True))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def demo_database(sqlite_template, tmp_path_factory) -> Path:
    """A SQLite file with the demo loaded at the suite's frozen now, made once per process."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    clock = FrozenClock(DEMO_AT)
    for _app in running_app(f"sqlite:///{path}", clock):
        demo_load.load(db.session, now=clock(), progress=lambda message: None)
    return path


@pytest.fixture
def demo(live_app, clock, demo_database):
    """The demo team, cases, mail and systems (loaded through the services) in live_app."""
    if clock() != DEMO_AT:
        demo_load.load(db.session, now=clock(), progress=lambda message: None)
        return
    # A copy of the file loaded once: loading takes seconds, copying no time.
    db.session.remove()
    db.engine.dispose()
    shutil.copy(demo_database, db.engine.url.database)


@pytest.fixture
def live_server(live_app):
    """Serve ``live_app`` on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    stop = serve(server)
    yield f"http://127.0.0.1:{server.server_port}"
    stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """What a page did that a user would not want: console errors, requests off the machine."""

    def __init__(self, page):
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _request(self, request) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:")) and host not in ("127.0.0.1", "localhost"):
            self.foreign_requests.append(request.url)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) watching for errors and foreign requests."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.watch = PageWatch(tab)
    yield tab
    context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of the page to test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
