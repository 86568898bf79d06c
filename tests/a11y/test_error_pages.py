"""The error pages a person meets on a bad day pass axe, wide and at 320 px: a server error,
an expired form, and the public form refused for being sent too often."""

from __future__ import annotations

import shutil

import pytest

from casetracker import create_app
from casetracker.extensions import db
from tests.a11y.conftest import DESKTOP, DPO, sign_in
from tests.a11y.test_reflow import NARROW, problems_here
from tests.browser import screenshot
from tests.conftest import _settings

DROP_TOKENS = "() => document.querySelectorAll('input[name=csrf_token]').forEach(i => i.remove())"


@pytest.fixture
def live_app(sqlite_template, tmp_path, clock):
    """The browser's app with CSRF on, one public form an hour, and a page that always fails."""
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    settings = _settings(
        f"sqlite:///{path}",
        clock,
        WTF_CSRF_ENABLED=True,
        INTAKE_RATE_LIMIT="1 per hour",
        PROPAGATE_EXCEPTIONS=False,
    )
    app = create_app(settings)

    @app.get("/reports/broken")
    def broken():
        raise RuntimeError("a fault the error page hides")

    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def error_page(tab, title: str, found: list[str], name: str) -> None:
    """Check the page shown is the error page expected; add what axe finds on it to FOUND."""
    assert tab.title().startswith(title), f"{name}: showed {tab.title()!r}"
    screenshot(tab, f"error-{name}-{tab.viewport_size['width']}")
    found += problems_here(tab, f"{name} at {tab.viewport_size['width']}px")


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "320px"])
def test_error_pages_have_no_axe_violation(axe, browser, live_server, demo, viewport):
    context = browser.new_context(base_url=live_server, viewport=viewport)
    tab = context.new_page()
    found: list[str] = []

    assert tab.goto("/reports/broken").status == 500
    error_page(tab, "Something went wrong", found, "server-error")

    tab.goto("/sign-in")
    tab.evaluate(DROP_TOKENS)
    tab.get_by_label("Work email").fill(DPO)
    with tab.expect_response("**/sign-in") as refused:
        tab.get_by_role("button", name="Sign in").click()
    assert refused.value.status == 400
    error_page(tab, "Form expired", found, "form-expired")

    tab.goto("/complaints/new")
    tab.get_by_role("button", name="Send").click()
    tab.locator("#form-errors").wait_for()
    with tab.expect_response("**/complaints/new") as limited:
        tab.get_by_role("button", name="Send").click()
    assert limited.value.status == 429
    error_page(tab, "Please try again later", found, "sent-too-often")

    sign_in(tab, DPO)
    assert tab.goto("/reports/broken").status == 500
    error_page(tab, "Something went wrong", found, "server-error-signed-in")
    tab.evaluate(DROP_TOKENS)
    with tab.expect_response("**/sign-out") as refused:
        tab.get_by_role("button", name="Sign out").click()
    assert refused.value.status == 400
    error_page(tab, "Form expired", found, "form-expired-signed-in")
    context.close()
    assert found == [], "\n".join(found)
