"""axe-core finds no WCAG 2.2 A/AA or best-practice violation on any page, and no page is left out.

One walk through the app in one browser tab visits every page a person can reach, with demo
data so that tables, charts and panels have content; the app records which of its routes
served a page, and the test fails on any route the walk missed that is not excused below.
"""

from __future__ import annotations

import shutil
import socket
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from casetracker import create_app
from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.people.models import Staff
from tests.a11y import tour as walk
from tests.a11y.conftest import DESKTOP, DPO
from tests.conftest import _settings
from tests.serving import serve

# Routes that serve no page to check, each with the reason.
NOT_PAGES_UNDER = {
    "/api/": "the JSON API, for programs",
    "/opengdpr/": "the OpenGDPR API and its certificate, for programs",
    "/slack/": "Slack's events and interactions, for Slack",
}
NOT_PAGES = {
    "static": "CSS, scripts and images",
    "intake.static": "the public pages' CSS and images",
    "dashboard.favicon": "an icon",
    "health.healthz": "a health check for the load balancer",
    "dashboard.index": "only redirects to the person's start page",
    "dashboard.all_cases_csv": "a CSV download",
    "dashboard.queue_csv": "a CSV download",
    "reports.metrics_csv": "a CSV download",
    "inbox.download": "an attachment download",
    "confirm.single_sign_on": "only redirects to the identity provider",
    # Under /api/ too; named here because it is HTML: the vendored Swagger UI's own markup.
    "api-docs.openapi_swagger_ui": "the API reference for developers, drawn by Swagger UI",
}

# Routes whose every page here is an error page, and why that is the page to check.
ERROR_PAGES = {
    "responses_public.malformed": "every address it matches is a dead link",
    "people.sso_start": "the identity provider does not answer in this test",
    "people.sso_callback": "the identity provider does not answer in this test",
}


def test_every_page_has_no_axe_violation(
    axe, browser, live_server, live_app, demo, clock, tmp_path
):
    live_app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    dpo = db.session.scalar(select(Staff).where(Staff.email == DPO))
    with _sso_server(tmp_path, clock) as (sso_app, sso_url):
        context = browser.new_context(base_url=live_server, viewport=DESKTOP)
        tour = walk.Tour(context.new_page(), [live_app, sso_app])
        walk.public_pages(tour, dpo)
        released = walk.response_pages(tour, dpo)
        sso_pages(tour, browser, sso_url)
        walk.sign_in_pages(tour)
        walk.dashboard_pages(tour)
        cases = [released, *_case_kinds()]
        walk.case_pages(tour, cases)
        walk.staff_pages(tour, cases[1])
        walk.admin_pages(tour, now=clock())
        context.close()

    assert not tour.found, "axe found violations:\n" + tour.report()
    visited = tour.endpoints | (tour.refusals & set(ERROR_PAGES))
    missed = sorted(set(page_endpoints(live_app)) - visited)
    assert not missed, f"pages no axe test visits (add them to tests/a11y/tour.py): {missed}"


def page_endpoints(app) -> dict[str, str]:
    """Return the app's GET routes that serve a page: endpoint to rule."""
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.startswith(tuple(NOT_PAGES_UNDER)):
            continue
        pages[rule.endpoint] = rule.rule
    return pages


def test_a_violation_names_its_rule_impact_and_element(axe, browser):
    context = browser.new_context()
    tab = context.new_page()
    tab.set_content('<html lang="en"><title>t</title><main><img id="logo" src="x.png"></main>')
    with pytest.raises(AssertionError) as failed:
        axe.check(tab, "a page with an image without text")
    context.close()
    assert "image-alt (critical)" in str(failed.value)
    assert "#logo" in str(failed.value)


def test_every_excused_route_exists(live_app):
    endpoints = {rule.endpoint for rule in live_app.url_map.iter_rules()}
    assert set(NOT_PAGES) - endpoints == set()
    assert set(ERROR_PAGES) - endpoints == set()
    assert "case_pages.show" in page_endpoints(live_app)


def sso_pages(tour, browser, sso_url: str) -> None:
    """Sign-in with single sign-on offered, and its problem pages: the provider cannot answer."""
    context = browser.new_context(base_url=sso_url, viewport=DESKTOP)
    main, tour.tab = tour.tab, context.new_page()
    tour.visit("/sign-in", "sign-in with single sign-on")
    tour.visit("/auth/oidc/start", "single sign-on did not start")
    tour.visit("/auth/oidc/callback?code=x&state=y", "single sign-on did not complete")
    tour.tab = main
    context.close()


def _case_kinds() -> list[str]:
    """A complaint and a request with tasks from the demo, each still open."""
    opened = select(Case.reference).where(Case.status != "closed").order_by(Case.id)
    complaint = db.session.scalar(opened.where(Case.kind == "complaint"))
    request = db.session.scalar(opened.where(Case.kind == "request", Case.right == "erasure"))
    return [complaint, request]


@contextmanager
def _sso_server(tmp_path, clock):
    """Serve an app whose identity provider does not answer (a closed loopback port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    path = tmp_path / "sso.db"
    shutil.copy(db.engine.url.database, path)
    settings = _settings(
        f"sqlite:///{path}",
        clock,
        WTF_CSRF_ENABLED=True,
        OIDC_ISSUER=f"http://127.0.0.1:{closed}/",
        OIDC_CLIENT_ID="casetracker",
        OIDC_CLIENT_SECRET="not-used",
    )
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    stop = serve(server)
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        stop()
        with app.app_context():
            db.engine.dispose()
