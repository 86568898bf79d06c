"""Accessibility fixtures: the demo data, a tab with the DPO signed in, and the axe runner."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casetracker.demo import data as demo_data
from casetracker.demo import load as demo_load
from casetracker.extensions import db
from tests.a11y import axe as axe_runner
from tests.conftest import FrozenClock, running_app

DPO = "dpo@demo.casetracker.test"
ADMIN = "admin@demo.casetracker.test"
STAFF = "tomasz.nowak@demo.casetracker.test"
DESKTOP = {"width": 1280, "height": 900}
DEMO_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the suite's frozen now (tests/conftest.py)


@pytest.fixture
def axe():
    """The axe runner: ``axe.check(page)`` fails the test with what axe finds on the page."""
    axe_runner.require()
    return axe_runner


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


def sign_in(tab, email: str = DPO) -> None:
    """Sign in with a demo account's password (no second factor in tests)."""
    tab.goto("/sign-in")
    tab.get_by_label("Work email").fill(email)
    tab.get_by_label("Password").fill(demo_data.DEMO_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(lambda url: "/sign-in" not in url)


@pytest.fixture
def signed_in(browser, live_server, demo):
    """A desktop tab, with the demo data loaded and the DPO signed in."""
    context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    tab = context.new_page()
    sign_in(tab)
    yield tab
    context.close()
