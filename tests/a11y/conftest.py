"""Accessibility fixtures: a tab with the DPO signed in on the demo data, and the axe runner."""

from __future__ import annotations

import pytest

from casetracker.demo import data as demo_data
from tests.a11y import axe as axe_runner

DPO = "dpo@demo.casetracker.test"
ADMIN = "admin@demo.casetracker.test"
STAFF = "tomasz.nowak@demo.casetracker.test"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def axe():
    """The axe runner: ``axe.check(page)`` fails the test with what axe finds on the page."""
    axe_runner.require()
    return axe_runner


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
