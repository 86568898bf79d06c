"""A walk through every page in the browser, running axe on each as a person would see it."""

from __future__ import annotations

import pyotp
from flask import request, request_finished
from sqlalchemy import select

from casetracker.cases.models import Case
from casetracker.demo.data import DEMO_PASSWORD
from casetracker.extensions import db
from casetracker.intake import identity
from casetracker.intake.models import IdentityLink
from casetracker.mail.models import MailMessage
from casetracker.responses import service as responses
from tests.a11y import axe
from tests.a11y.conftest import ADMIN, DPO, STAFF, sign_in
from tests.dashboard.conftest import act
from tests.responses.conftest import release, upload

LANGUAGES = ("en", "de", "fr", "pt-BR")
OPEN_PANELS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
CHARTS_DRAWN = (
    "() => [...document.querySelectorAll('canvas[data-kind]')]"
    ".every(c => window.Chart && Chart.getChart(c))"
)


class Tour:
    """A tab that runs axe on each page it shows and remembers the routes that served one.

    ``endpoints`` holds the routes that served a page, ``refusals`` those that served an error
    page (a 4xx or 5xx): the page a dead link or a failed sign-in shows.
    """

    def __init__(self, tab, apps):
        self.tab = tab
        tab.set_default_timeout(5000)
        self.found: dict[str, list[dict]] = {}
        self.endpoints: set[str] = set()
        self.refusals: set[str] = set()
        for app in apps:
            request_finished.connect(self._served, app)

    def _served(self, sender, response, **extra) -> None:
        if request.url_rule is not None and response.mimetype == "text/html":
            served = self.endpoints if response.status_code < 400 else self.refusals
            served.add(request.url_rule.endpoint)

    def check(self, name: str) -> None:
        """Run axe on the page as it is now (loaded, styles applied); keep what it finds."""
        self.tab.wait_for_load_state("load")
        found = axe.violations(self.tab)
        if found:
            self.found[f"{name} ({self.tab.url})"] = found

    def visit(self, path: str, name: str | None = None) -> None:
        self.tab.goto(path)
        self.check(name or path)

    def report(self) -> str:
        return "\n".join(f"{page}:\n{axe.describe(found)}" for page, found in self.found.items())


def public_pages(tour: Tour, dpo) -> None:
    """The form in each language, its errors, the confirmation, status and identity pages."""
    tab = tour.tab
    for language in LANGUAGES:
        tour.visit(f"/complaints/new?lang={language}", f"form in {language}")
    tab.goto("/complaints/new?lang=en")
    tab.get_by_role("button", name="Send").click()
    tab.locator("#form-errors").wait_for()
    tour.check("form with errors")
    tab.check("#kind-1")
    tab.select_option("#right", "access")
    tab.select_option("#country", "DE")
    tab.check("#data_context-1")
    tab.fill("#description", "Please send me a copy of my data.")
    tab.fill("#name", "Erika Mustermann")
    tab.fill("#email", "erika@example.org")
    tab.check("#consent")
    tab.get_by_role("button", name="Send").click()
    tab.locator("#reference").wait_for()
    tour.check("confirmation")
    reference = tab.locator("#reference").inner_text()
    tab.click("#status-link")
    tour.check("status page")
    tour.visit("/complaints/status/unknown", "status page of an unknown link")
    identity_pages(tour, reference, dpo)


def identity_pages(tour: Tour, reference: str, dpo) -> None:
    """The identity check: its page, the thanks after pressing its button, a dead link."""
    # Sending the acknowledgement email acknowledges the case; here no email goes out.
    filed = db.session.scalar(select(Case).where(Case.reference == reference))
    case = act(filed, "acknowledge", dpo)
    link = db.session.scalar(select(IdentityLink).where(IdentityLink.case_id == case.id))
    assert link is not None, f"{reference} got no identity link"
    tour.visit(f"/complaints/verify/{identity.token_for(link)}", "identity check")
    tour.tab.get_by_role("button").last.click()
    tour.tab.wait_for_url("**/complaints/verified")
    tour.check("identity confirmed")
    tour.visit(f"/complaints/verify/{'0' * 64}", "identity check, dead link")


def response_pages(tour: Tour, dpo) -> str:
    """Release a response on a demo access request; check its download page and a dead link."""
    case = db.session.scalar(
        select(Case)
        .where(Case.right == "access", Case.status != "closed", Case.stage != identity.WAITING)
        .order_by(Case.id)
    )
    kept = upload(case.reference, dpo, "crm.csv", b"email\nerika@example.org\n")
    package = release(case.reference, dpo, attachment_ids=[kept], max_downloads=3)
    tour.visit(f"/complaints/response/{responses.token_of(package)}", "response download")
    tour.visit(f"/complaints/response/{'0' * 64}", "response, dead link")
    tour.visit("/complaints/response/cut-short", "response, malformed link")
    return case.reference


def sign_in_pages(tour: Tour) -> None:
    tour.visit("/sign-in", "sign-in")
    tab = tour.tab
    tab.get_by_label("Work email").fill(DPO)
    tab.get_by_label("Password").fill("not the password")
    tab.get_by_role("button", name="Sign in").click()
    tour.check("sign-in refused")
    sign_in(tab)


def dashboard_pages(tour: Tour) -> None:
    """Every queue and list, with content from the demo data."""
    for path in (
        "/escalations",
        "/overdue",
        "/due-this-week",
        "/my-cases",
        "/my-tasks",
        "/cases?kind=request&status=open",
        "/outbox",
        "/jobs",
        "/systems",
        "/access-log",
        "/inbox",
        "/cases/PC-2026-99999",
    ):
        tour.visit(path)
    tour.tab.goto("/metrics")
    tour.tab.wait_for_function(CHARTS_DRAWN)
    tour.check("/metrics")
    message = db.session.scalar(select(MailMessage).order_by(MailMessage.id))
    tour.tab.goto(f"/inbox/{message.id}")
    tour.tab.evaluate(OPEN_PANELS)
    tour.check("an inbox message, every panel open")


def case_pages(tour: Tour, references: list[str]) -> None:
    """Case pages with every action panel open, a refused action, and the printable file."""
    tab = tour.tab
    for reference in references:
        tab.goto(f"/cases/{reference}")
        tab.evaluate(OPEN_PANELS)
        tour.check(f"case {reference}, every panel open")
    tour.visit(f"/cases/{references[0]}/file", "case file")
    tab.goto(f"/cases/{references[0]}")
    tab.locator("summary", has_text="Add a note").click()
    tab.locator("details[open] button[type=submit]").click()
    tab.locator(".field-error").first.wait_for()
    tour.check("case with a refused action")


def staff_pages(tour: Tour, reference: str) -> None:
    """A page for admins only (refused), then as staff: their cases, another's case masked."""
    tour.visit("/staff", "a page for admins only")
    tour.tab.get_by_role("button", name="Sign out").click()
    sign_in(tour.tab, STAFF)
    tour.visit("/my-cases", "my cases, as staff")
    tour.tab.goto(f"/cases/{reference}")
    tour.tab.evaluate(OPEN_PANELS)
    tour.check(f"case {reference} as staff, every panel open")


def admin_pages(tour: Tour, *, now) -> None:
    """As the admin: staff, an API token after confirming who they are, a second factor."""
    tab = tour.tab
    tab.get_by_role("button", name="Sign out").click()
    sign_in(tab, ADMIN)
    tour.visit("/staff")
    tour.visit("/tokens")
    tour.visit("/account/confirm?next=/tokens", "confirm it is you")
    tab.get_by_label("Password").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Confirm").click()
    tab.wait_for_url("**/tokens")
    tab.get_by_label("Acts as").select_option(index=1)
    tab.get_by_role("button", name="Create token").click()
    tour.check("tokens with a new secret")
    tour.visit("/account/second-factor", "second factor set-up")
    secret = tab.locator("code.secret").inner_text().replace(" ", "")
    tab.get_by_label("The code the app shows now").fill(pyotp.TOTP(secret).at(now))
    tab.get_by_role("button", name="Turn on the second factor").click()
    tour.check("recovery codes")
    tab.get_by_role("button", name="Sign out").click()
    tab.goto("/sign-in")
    tab.get_by_label("Work email").fill(ADMIN)
    tab.get_by_label("Password").fill(DEMO_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/sign-in/code")
    tour.check("second factor code")
