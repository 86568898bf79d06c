"""The inbox in the dashboard: who sees what, paging, and the open, link and ignore forms."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.mail import views as mail_views
from casetracker.mail.models import Attachment
from tests import factories
from tests.mail.views_support import receive, reload
from tests.mail_automated import auto_reply
from tests.mail_broken import hostile
from tests.mail_from_people import GERMAN_SUBJECT, cp1252_complaint_with_attachments, german_request
from tests.mail_generated import plain

MASK = "\u2022"


REQUEST_FORM = {
    "kind": "request",
    "jurisdiction": "EU",
    "data_context": "platform",
    "right": "access",
    "country": "DE",
}


def test_the_dpo_sees_who_wrote_staff_see_it_masked_and_can_still_triage(web, dana, priya, clock):
    message = receive(german_request(), clock)

    web.sign_in(dana.email)
    page = web.get("/inbox").text
    assert "Jürgen Müller" in page
    assert "juergen.mueller@example.de" in page
    assert GERMAN_SUBJECT in page
    assert "bitte ich um Auskunft" in page
    web.post("/sign-out")

    web.sign_in(priya.email)
    page = web.get("/inbox").text
    assert "Jürgen" not in page
    assert "juergen.mueller" not in page
    assert "Auskunftsersuchen" not in page
    assert "bitte ich um Auskunft" not in page
    assert f"J{MASK * 5} M{MASK * 5}" in page
    item = web.get(f"/inbox/{message.id}").text
    assert "Königstraße" not in item
    assert "juergen.mueller" not in item
    assert f'action="/inbox/{message.id}/open"' in item


def test_the_navigation_counts_the_new_emails(web, priya, clock):
    web.sign_in(priya.email)
    assert 'class="nav-count"' not in web.get("/my-cases").text
    receive(german_request(), clock)
    receive(cp1252_complaint_with_attachments(), clock)
    assert '<span class="nav-count">2<span class="visually-hidden"> new</span>' in (
        web.get("/my-cases").text
    )


def test_the_count_in_the_navigation_never_breaks_a_page(web, priya, clock, monkeypatch):
    receive(german_request(), clock)
    web.sign_in(priya.email)
    scalar = db.session.scalar

    def failing_on_mail(statement, *args, **kwargs):
        if "mail_messages" in str(statement):
            raise OperationalError(str(statement), {}, Exception("server closed the connection"))
        return scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", failing_on_mail)
    page = web.get("/my-cases")

    assert page.status_code == 200
    assert 'class="nav-count"' not in page.text


def test_opening_a_case_starts_its_clocks_when_the_mailbox_received_the_email(web, dana, clock):
    message = receive(german_request(), clock, hours_ago=5)
    arrived = message.received_at
    clock.advance(days=2)
    web.sign_in(dana.email)
    form = web.get(f"/inbox/{message.id}").text
    assert 'value="Jürgen Müller"' in form
    assert "Auskunftsersuchen gemäß Art. 15 DSGVO" in form

    response = web.post(
        f"/inbox/{message.id}/open", {**REQUEST_FORM, "name": "Jürgen Müller", "summary": "Art. 15"}
    )

    case = db.session.scalar(select(Case).order_by(Case.id.desc()))
    assert response.headers["Location"] == f"/cases/{case.reference}"
    page = web.get(f"/cases/{case.reference}").text
    assert f"Case {case.reference} opened from the email." in page
    assert "Königstraße 12" in page
    assert case.received_at == arrived
    assert case.channel == "email"
    assert case.subject.email == "juergen.mueller@example.de"
    assert reload(message).status == "opened"
    assert f"/inbox/{message.id}" not in web.get("/inbox").text
    assert f"/inbox/{message.id}" in web.get("/inbox?status=opened").text


def test_staff_who_cannot_read_the_email_open_a_case_with_its_own_name_and_text(web, priya, clock):
    message = receive(german_request(), clock)
    web.sign_in(priya.email)

    response = web.post(
        f"/inbox/{message.id}/open", {**REQUEST_FORM, "country": "de", "name": "", "summary": ""}
    )

    case = db.session.scalar(select(Case).order_by(Case.id.desc()))
    assert response.headers["Location"] == f"/cases/{case.reference}"
    assert case.subject.name == "Jürgen Müller"
    assert case.subject.country == "DE"
    assert case.summary.startswith(GERMAN_SUBJECT + "\n\nSehr geehrte Damen und Herren")


def test_the_inbox_pages_back_in_time_fifty_at_a_time(web, priya, clock, monkeypatch):
    monkeypatch.setattr(mail_views, "PAGE_SIZE", 2)
    for hours, sender in enumerate(("a@example.org", "b@example.org", "c@example.org")):
        receive(plain(f"Frage {hours}", "Hallo", sender=sender), clock, hours_ago=hours)
    web.sign_in(priya.email)

    first = web.get("/inbox").text
    older = re.search(r'href="(/inbox\?[^"]*cursor=[^"]+)" rel="next"', first).group(1)
    second = web.get(older.replace("&amp;", "&")).text

    assert first.count('class="mail-card"') == 2
    assert second.count('class="mail-card"') == 1
    assert ("Email #1 " in first, "Email #2 " in first) == (True, True)
    assert "Email #3 " in second
    assert web.get("/inbox?cursor=not-a-cursor").status_code == 302


def test_auto_replies_wait_among_the_ignored_with_their_reason(web, dana, clock):
    receive(auto_reply("<unbekannt@example.de>"), clock)
    web.sign_in(dana.email)
    assert "No new emails" in web.get("/inbox").text
    assert "automatic reply (out of office)" in web.get("/inbox?status=ignored").text


def test_a_request_without_a_right_is_refused_next_to_the_field(web, dana, clock):
    message = receive(german_request(), clock)
    web.sign_in(dana.email)
    before = factories.row_counts()

    response = web.post(f"/inbox/{message.id}/open", {**REQUEST_FORM, "right": ""})

    assert response.status_code == 422
    assert 'id="open-right-error"' in response.text
    assert "required for a request" in response.text
    assert factories.row_counts() == before
    assert reload(message).status == "new"


def test_ignoring_without_a_reason_shows_the_error_and_changes_nothing(web, priya, clock):
    message = receive(german_request(), clock)
    web.sign_in(priya.email)

    response = web.post(f"/inbox/{message.id}/ignore", {"reason": "  "})

    assert response.status_code == 422
    assert 'id="ignore-reason-error"' in response.text
    assert "say why" in response.text
    message = reload(message)
    assert (message.status, message.reason, message.handled_by) == ("new", None, None)

    response = web.post(f"/inbox/{message.id}/ignore", {"reason": "newsletter reply"})
    assert response.headers["Location"] == "/inbox"
    assert reload(message).status == "ignored"
    assert "newsletter reply" in web.get("/inbox?status=ignored").text


def test_an_email_handled_by_someone_else_meanwhile_is_a_clear_conflict(web, dana, clock):
    message = receive(german_request(), clock)
    web.sign_in(dana.email)
    web.post(f"/inbox/{message.id}/ignore", {"reason": "duplicate"})

    response = web.post(f"/inbox/{message.id}/open", REQUEST_FORM)

    assert response.status_code == 409
    assert "Someone already handled this email: it is ignored now." in response.text
    assert reload(message).case_id is None


def test_a_hostile_email_is_shown_as_text(web, dana, clock):
    message = receive(hostile(), clock)
    web.sign_in(dana.email)

    pages = [web.get("/inbox").text, web.get(f"/inbox/{message.id}").text]
    response = web.post(f"/inbox/{message.id}/open", {**REQUEST_FORM, "country": "NL"})
    pages.append(web.get(response.headers["Location"]).text)
    pages.append(web.get(response.headers["Location"] + "/file").text)

    for page in pages:
        assert "<img" not in page
        assert "<script>alert" not in page
        assert "<script>.html" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "script_.html" in pages[1]


def test_a_refused_attachment_cannot_be_downloaded(web, dana, clock):
    message = receive(cp1252_complaint_with_attachments(), clock, max_attachment=300)
    refused = db.session.scalar(
        select(Attachment).where(Attachment.mail_message_id == message.id, Attachment.size > 300)
    )
    web.sign_in(dana.email)
    assert "Not kept: larger than the 300-byte limit" in web.get(f"/inbox/{message.id}").text
    assert web.get(f"/files/{refused.id}").status_code == 404
