"""The inbox in Debian's Chromium: the DPO opens a case from an email and answers it, at desktop
width and on a 320-pixel phone, with a screenshot of each page."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from casetracker.extensions import db
from casetracker.mail import service as mail_service
from tests.browser import SCREENSHOTS, screenshot
from tests.dashboard.conftest import PASSWORD, open_case, person
from tests.mail_broken import hostile
from tests.mail_from_people import GERMAN_SUBJECT, cp1252_complaint_with_attachments, german_request

SABINE = {"name": "Sabine Weiß", "email": "sabine.weiss@example.de", "country": "DE"}
NARROW = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def mailbox_full(live_app, clock, tmp_path):
    """Three emails waiting: a German access request, a complaint with files, a hostile one."""
    live_app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    person("dana@example.com", "Dana Okafor", "dpo")
    for hours, raw in enumerate(
        (
            german_request(),
            cp1252_complaint_with_attachments(),
            hostile(),
        )
    ):
        mail_service.import_message(
            db.session,
            io.BytesIO(raw),
            digest=hashlib.sha256(raw).hexdigest(),
            received_at=clock() - timedelta(hours=5 - hours),
            now=clock(),
            max_attachment=live_app.config["ATTACHMENT_MAX_BYTES"],
        )


# The elements whose right edge passes the window's: what makes a page scroll sideways.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


def both_widths(page, name: str, *, part: str = "main") -> None:
    """Screenshot the page at desktop width, then PART of it on a 320-pixel phone."""
    screenshot(page, name)
    page.set_viewport_size(NARROW)
    wide = page.evaluate(TOO_WIDE)
    assert not wide, f"{name} scrolls sideways at 320 px: {wide}"
    page.locator(part).screenshot(path=SCREENSHOTS / f"{name}-320.png")
    page.set_viewport_size(DESKTOP)


def sign_in(page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Work email").fill("dana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/escalations")


def test_the_dpo_opens_a_case_from_an_email_and_answers_it(page, mailbox_full):
    sign_in(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox 3 new").click()
    page.wait_for_url("**/inbox")
    assert page.get_by_role("link", name=GERMAN_SUBJECT).is_visible()
    assert "<img src=x onerror=alert(1)>" in page.locator(".mail-subject").first.inner_text()
    both_widths(page, "inbox", part=".mail-list")

    page.get_by_role("link", name=GERMAN_SUBJECT).click()
    page.wait_for_url(re.compile(r".*/inbox/\d+$"))
    assert page.get_by_label("Individual's name").input_value() == "Jürgen Müller"
    both_widths(page, "inbox-item", part=".case-main")

    page.get_by_label("Kind").select_option("request")
    page.get_by_label("Jurisdiction").select_option("EU")
    page.get_by_label("Data context").select_option("platform")
    page.get_by_label("Right (requests only)").select_option("access")
    page.get_by_label("Individual's country").fill("DE")
    page.get_by_role("button", name="Open a case").click()
    page.wait_for_url(re.compile(r".*/cases/DSR-\d{4}-\d{5}$"))
    assert page.get_by_text("opened from the email").is_visible()
    messages = page.get_by_role("region", name="Messages")
    assert messages.get_by_text("Königstraße 12").is_visible()

    page.locator("summary", has_text="Write to the individual").click()
    page.get_by_label("Email to the individual").fill(
        "Sehr geehrter Herr Müller,\n\nwir haben Ihre Anfrage erhalten."
    )
    page.get_by_role("button", name="Send the email").click()
    page.wait_for_url(re.compile(r".*/cases/DSR-\d{4}-\d{5}#messages$"))
    assert messages.get_by_text("goes out at the next delivery run").is_visible()
    both_widths(page, "case-conversation", part="#messages")

    assert page.watch.console_errors == []
    assert page.watch.foreign_requests == []


def test_files_from_an_email_and_a_hostile_email_stay_readable(page, mailbox_full, clock):
    case = open_case(None, clock=clock, subject=SABINE)
    sign_in(page)
    page.goto("/inbox")
    page.get_by_role("link", name="Beschwerde: Werbung trotz Widerspruch").click()
    page.locator("summary", has_text="Add to a case").click()
    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_role("button", name="Add to the case").click()
    page.wait_for_url(f"**/cases/{case.reference}")
    files = page.get_by_role("region", name="Files of the case")
    assert files.get_by_role("link", name="Umschlag_Rückseite.jpg").is_visible()
    both_widths(page, "case-files", part="#files")

    page.goto("/inbox")
    page.get_by_role("link", name=re.compile("onerror")).click()
    expect(page.get_by_role("link", name="script_.html")).to_be_visible()
    both_widths(page, "inbox-item-hostile", part=".case-main")
    assert page.watch.console_errors == []
