"""The dashboard in Debian's Chromium: the DPO's escalation, what staff may not see or do,
charts without errors or foreign requests, and a screenshot of every main page."""

from __future__ import annotations

import pytest

from casetracker.cases.models import Case
from casetracker.demo import data as demo_data
from casetracker.extensions import db
from casetracker.intake import service as intake
from casetracker.jobs import runner
from casetracker.people.models import Staff
from tests.browser import screenshot

from .conftest import act, open_case

DPO = "dpo@demo.casetracker.test"
ADMIN = "admin@demo.casetracker.test"
PRIYA = "priya.raman@demo.casetracker.test"
TOMASZ = "tomasz.nowak@demo.casetracker.test"
PHONE = {"width": 390, "height": 844}
ONLINE_REQUEST = {
    "kind": "request",
    "right": "erasure",
    "country": "FR",
    "data_context": "website",
    "description": "Merci de supprimer mon compte et mes données.",
    "name": "Camille Martin",
    "email": "camille@example.org",
}


@pytest.fixture
def demo(demo, clock):
    """The demo team and cases, plus Erika's complaint: Priya's, 50 days old, overdue."""
    priya = db.session.query(Staff).filter_by(email=PRIYA).one()
    case = open_case(priya, received_days_ago=50, clock=clock)
    return act(case, "acknowledge", priya)


def sign_in(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/escalations" if email == DPO else "**/my-cases")


def test_dpo_escalates_an_overdue_case(page, demo):
    sign_in(page, DPO)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Overdue").click()
    page.get_by_role("link", name=demo.reference).click()
    page.wait_for_url(f"**/cases/{demo.reference}")
    assert "Erika Mustermann" in page.content()
    screenshot(page, "case-before-escalation")

    page.locator("summary", has_text="Escalate").click()
    page.get_by_label("Escalate to").select_option("independent_recourse")
    page.get_by_label("The body's own reference").fill("BBB-2026-0042")
    page.get_by_label(f"Refer {demo.reference} to Independent recourse (BBB)").check()
    page.get_by_role("button", name="Escalate").click()

    page.wait_for_url(f"**/cases/{demo.reference}")
    current = page.locator('.steps [aria-current="step"]')
    assert "Independent recourse (BBB)" in current.inner_text()
    first_event = page.locator(".timeline > li").first
    assert "Escalate" in first_event.inner_text()
    assert "Dana Okafor" in first_event.inner_text()
    assert "Independent recourse (BBB)" in first_event.inner_text()
    assert page.watch.console_errors == []
    screenshot(page, "case-page")


def test_staff_cannot_see_anothers_subject_nor_reopen(page, demo, live_app):
    priya = db.session.query(Staff).filter_by(email=PRIYA).one()
    closed = act(demo, "resolve", priya, outcome="resolved")
    sign_in(page, TOMASZ)
    page.goto(f"/cases/{closed.reference}")
    text = page.content()
    assert "Erika" not in text
    assert "erika@example.org" not in text
    assert "visible to the DPO and the case owner only" in text
    assert page.locator('input[name="action"][value="reopen"]').count() == 0
    screenshot(page, "case-page-staff-masked")

    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    forged = page.request.post(
        f"/cases/{closed.reference}/actions",
        form={
            "csrf_token": token,
            "action": "reopen",
            "version": str(closed.version),
            "reason": "forged",
        },
    )
    assert forged.status == 403
    db.session.expire_all()
    case = db.session.get(Case, closed.id)
    assert (case.status, case.version) == ("closed", closed.version)


def test_metrics_draws_its_charts_offline(page, demo):
    sign_in(page, DPO)
    page.goto("/metrics?year=2026")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-kind]')]"
        ".every(c => window.Chart && Chart.getChart(c))"
    )
    assert page.locator("canvas[data-kind]").count() >= 4
    assert page.get_by_role("table").count() >= 5
    assert page.watch.console_errors == []
    assert page.watch.foreign_requests == []
    screenshot(page, "metrics")


def test_screenshots_of_every_main_page(page, browser, live_server, demo, live_app):
    page.goto("/sign-in")
    screenshot(page, "sign-in")
    sign_in(page, DPO)
    screenshot(page, "scheduler-stopped", full_page=False)
    for job in ("sla-sweep", "deliver-outbox"):
        runner.run(live_app, job)
    for path, name in [
        ("/jobs", "jobs"),
        ("/escalations", "escalations"),
        ("/overdue", "overdue"),
        ("/due-this-week", "due-this-week"),
        ("/my-cases", "my-cases"),
        ("/cases", "all-cases"),
        (f"/cases/{demo.reference}/file", "case-file"),
        ("/cases/PC-2026-99999", "not-found"),
    ]:
        page.goto(path)
        screenshot(page, name)
    page.goto("/outbox")
    screenshot(page, "outbox", full_page=False)
    filed, _ = intake.submit(db.session, answers=ONLINE_REQUEST, language="fr")
    page.goto(f"/cases/{filed.reference}")
    page.get_by_text("Ask the individual a question").click()
    page.get_by_label("Question").fill("Could you send us a copy of an ID document?")
    screenshot(page, "case-page-question")
    page.get_by_role("button", name="Send the question").click()
    assert "Your question will be emailed" in page.locator(".flash").inner_text()
    dpo_errors = list(page.watch.console_errors)

    admin = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    tab = admin.new_page()
    sign_in(tab, ADMIN)
    for path, name in [("/staff", "staff"), ("/tokens", "tokens")]:
        tab.goto(path)
        screenshot(tab, name)
    admin.close()

    phone = browser.new_context(base_url=live_server, viewport=PHONE)
    tab = phone.new_page()
    sign_in(tab, DPO)
    for path, name in [
        ("/escalations", "phone-escalations"),
        (f"/cases/{demo.reference}", "phone-case-page"),
        ("/metrics", "phone-metrics"),
        ("/cases", "phone-all-cases"),
        ("/jobs", "phone-jobs"),
    ]:
        tab.goto(path)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
        screenshot(tab, name, full_page=path != "/cases")
    phone.close()
    assert [e for e in dpo_errors if "404" not in e] == []


def test_keyboard_users_can_skip_to_the_content(page, demo):
    sign_in(page, DPO)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
