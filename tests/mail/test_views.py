"""The mailbox in the dashboard: the inbox and its triage forms, a case's conversation and files."""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.mail import service as mail_service
from casetracker.mail import views as mail_views
from casetracker.mail.models import Attachment, MailMessage
from casetracker.outbox.models import OutboxMessage
from tests import factories
from tests import mail_samples as samples

MASK = "\u2022"
REQUEST_FORM = {
    "kind": "request",
    "jurisdiction": "EU",
    "data_context": "platform",
    "right": "access",
    "country": "DE",
}


def receive(raw: bytes, clock, *, hours_ago: int = 0, max_attachment: int | None = None):
    """Import a message the way fetch-mail does, received some hours before now."""
    imported = mail_service.import_message(
        db.session,
        io.BytesIO(raw),
        digest=hashlib.sha256(raw).hexdigest(),
        received_at=clock() - timedelta(hours=hours_ago),
        now=clock(),
        max_attachment=max_attachment or current_app.config["ATTACHMENT_MAX_BYTES"],
    )
    return imported.message


def upload(web, reference: str, data: bytes, filename: str):
    """Post a file to the case as a browser would (built in memory: no temporary file left)."""
    kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    file = FileStorage(io.BytesIO(data), filename, content_type=kind)
    fields = {"csrf_token": web.csrf_token(), "file": file}
    boundary, body = encode_multipart(fields)
    content_type = f"multipart/form-data; boundary={boundary}"
    return web.raw_post(f"/cases/{reference}/files", data=body, content_type=content_type)


def reload(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def test_the_dpo_sees_who_wrote_staff_see_it_masked_and_can_still_triage(web, dana, priya, clock):
    message = receive(samples.german_request(), clock)

    web.sign_in(dana.email)
    page = web.get("/inbox").text
    assert "Jürgen Müller" in page
    assert "juergen.mueller@example.de" in page
    assert samples.GERMAN_SUBJECT in page
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
    receive(samples.german_request(), clock)
    receive(samples.cp1252_complaint_with_attachments(), clock)
    assert '<span class="nav-count">2<span class="visually-hidden"> new</span>' in (
        web.get("/my-cases").text
    )


def test_the_count_in_the_navigation_never_breaks_a_page(web, priya, clock, monkeypatch):
    receive(samples.german_request(), clock)
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
    message = receive(samples.german_request(), clock, hours_ago=5)
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
    message = receive(samples.german_request(), clock)
    web.sign_in(priya.email)

    response = web.post(
        f"/inbox/{message.id}/open", {**REQUEST_FORM, "country": "de", "name": "", "summary": ""}
    )

    case = db.session.scalar(select(Case).order_by(Case.id.desc()))
    assert response.headers["Location"] == f"/cases/{case.reference}"
    assert case.subject.name == "Jürgen Müller"
    assert case.subject.country == "DE"
    assert case.summary.startswith(samples.GERMAN_SUBJECT + "\n\nSehr geehrte Damen und Herren")


def test_the_inbox_pages_back_in_time_fifty_at_a_time(web, priya, clock, monkeypatch):
    monkeypatch.setattr(mail_views, "PAGE_SIZE", 2)
    for hours, sender in enumerate(("a@example.org", "b@example.org", "c@example.org")):
        receive(samples.plain(f"Frage {hours}", "Hallo", sender=sender), clock, hours_ago=hours)
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
    receive(samples.auto_reply("<unbekannt@example.de>"), clock)
    web.sign_in(dana.email)
    assert "No new emails" in web.get("/inbox").text
    assert "automatic reply (out of office)" in web.get("/inbox?status=ignored").text


def test_a_request_without_a_right_is_refused_next_to_the_field(web, dana, clock):
    message = receive(samples.german_request(), clock)
    web.sign_in(dana.email)
    before = factories.row_counts()

    response = web.post(f"/inbox/{message.id}/open", {**REQUEST_FORM, "right": ""})

    assert response.status_code == 422
    assert 'id="open-right-error"' in response.text
    assert "required for a request" in response.text
    assert factories.row_counts() == before
    assert reload(message).status == "new"


def test_ignoring_without_a_reason_shows_the_error_and_changes_nothing(web, priya, clock):
    message = receive(samples.german_request(), clock)
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
    message = receive(samples.german_request(), clock)
    web.sign_in(dana.email)
    web.post(f"/inbox/{message.id}/ignore", {"reason": "duplicate"})

    response = web.post(f"/inbox/{message.id}/open", REQUEST_FORM)

    assert response.status_code == 409
    assert "Someone already handled this email: it is ignored now." in response.text
    assert reload(message).case_id is None


def test_adding_an_email_to_a_case_by_its_reference_joins_the_conversation(
    web, dana, complaint, clock
):
    raw = samples.plain(
        "Noch eine Frage", "Haben Sie meinen Brief bekommen?", sender=samples.JUERGEN
    )
    message = receive(raw, clock)
    web.sign_in(dana.email)

    unknown = web.post(f"/inbox/{message.id}/link", {"reference": "PC-1999-00001"})
    assert unknown.status_code == 422
    assert "there is no case with the reference PC-1999-00001" in unknown.text

    response = web.post(f"/inbox/{message.id}/link", {"reference": complaint.reference.lower()})

    assert response.headers["Location"] == f"/cases/{complaint.reference}"
    assert reload(message).case_id == complaint.id
    page = web.get(f"/cases/{complaint.reference}").text
    assert "Haben Sie meinen Brief bekommen?" in page
    assert f"email #{message.id} from the inbox added to the case" in page


def test_an_email_from_another_address_is_flagged_in_the_conversation(web, priya, complaint, clock):
    subject = f"Re: [{complaint.reference}] Ihre Beschwerde"
    receive(samples.plain(subject, "Ich schreibe für Erika.", sender=samples.JUERGEN), clock)
    receive(samples.plain(subject, "Danke!", sender="Erika <erika@example.org>"), clock)
    web.sign_in(priya.email)

    page = web.get(f"/cases/{complaint.reference}").text

    assert page.count("From an address other than the individual") == 1
    assert page.index("Ich schreibe für Erika.") < page.index("Danke!")


def test_a_hostile_email_is_shown_as_text(web, dana, clock):
    message = receive(samples.hostile(), clock)
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


def test_the_owner_replies_from_the_case_page_and_the_email_waits_in_the_outbox(
    web, priya, complaint, clock
):
    web.sign_in(priya.email)
    upload(web, complaint.reference, b"%PDF-1.4 letter", "Antwort.pdf")
    letter = db.session.scalar(select(Attachment.id))
    page = web.get(f"/cases/{complaint.reference}").text
    assert f'action="/cases/{complaint.reference}/messages"' in page
    assert f'name="attachment_ids" value="{letter}"' in page

    response = web.post(
        f"/cases/{complaint.reference}/messages",
        {"body": "Dear Erika,\n\nwe stopped it.", "attachment_ids": [str(letter)]},
    )

    assert response.headers["Location"] == f"/cases/{complaint.reference}#messages"
    (queued,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "email_reply")
    )
    assert queued.sent_at is None
    assert queued.payload["attachment_ids"] == [letter]
    page = web.get(f"/cases/{complaint.reference}").text
    assert '<span class="tag tag-on_hold">Queued</span> goes out at the next delivery run' in page
    assert "we stopped it." in page
    assert "To the individual" in page
    assert '<span class="muted">Attached:</span> <bdi>Antwort.pdf</bdi>' in page


def test_an_empty_reply_is_refused_next_to_the_field(web, priya, complaint):
    web.sign_in(priya.email)
    before = factories.row_counts()
    response = web.post(f"/cases/{complaint.reference}/messages", {"body": " "})
    assert response.status_code == 422
    assert 'id="reply-body-error"' in response.text
    assert factories.row_counts() == before


def test_upload_then_download_gives_the_same_bytes_as_a_download(web, priya, complaint):
    data = b"%PDF-1.4\n<html><script>alert(1)</script>\n" + bytes(range(256)) * 8192  # 2 MiB
    web.sign_in(priya.email)

    response = upload(web, complaint.reference, data, "Antwort an Erika.pdf")

    assert response.headers["Location"] == f"/cases/{complaint.reference}#files"
    attachment = db.session.scalar(select(Attachment).where(Attachment.case_id == complaint.id))
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    page = web.get(f"/cases/{complaint.reference}").text
    assert "Antwort_an_Erika.pdf" in page or "Antwort an Erika.pdf" in page
    assert attachment.sha256[:12] in page

    download = web.get(f"/files/{attachment.id}")
    body = download.get_data()
    download.close()  # the file on disk stays open until the response is closed

    assert download.status_code == 200
    assert body == data
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert attachment.filename in download.headers["Content-Disposition"]
    assert download.mimetype == "application/pdf"


def test_a_file_over_the_limit_is_refused_with_a_message(app, web, priya, complaint):
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    web.sign_in(priya.email)
    response = upload(web, complaint.reference, b"x" * 1001, "big.bin")
    page = web.get(response.headers["Location"]).text
    assert "The file was not added: larger than the 1,000-byte limit." in page
    assert db.session.scalar(select(Attachment.id)) is None


def test_someone_else_may_not_download_write_or_upload(web, priya, tomasz, complaint, clock):
    raw = samples.cp1252_complaint_with_attachments(sender="Erika <erika@example.org>")
    message = receive(raw, clock)
    web.sign_in(priya.email)
    web.post(f"/inbox/{message.id}/link", {"reference": complaint.reference})
    web.post("/sign-out")
    (pdf, _) = db.session.scalars(select(Attachment).order_by(Attachment.id))

    web.sign_in(tomasz.email)
    page = web.get(f"/cases/{complaint.reference}").text

    assert web.get(f"/files/{pdf.id}").status_code == 403
    assert 'name="body"' not in page
    assert 'name="file"' not in page
    assert "Schreiben_12.10.2026.pdf" not in page
    assert "widersprochen" not in page
    assert "1 email on this case (1 received, 0 sent)" in page
    assert "2 files on this case" in page
    case_file = web.get(f"/cases/{complaint.reference}/file").text
    assert "Schreiben_12.10.2026.pdf" not in case_file
    assert pdf.sha256 in case_file
    reply = web.post(f"/cases/{complaint.reference}/messages", {"body": "Hello"})
    assert reply.status_code == 403
    assert upload(web, complaint.reference, b"x", "a.txt").status_code == 403


def test_a_refused_attachment_cannot_be_downloaded(web, dana, clock):
    message = receive(samples.cp1252_complaint_with_attachments(), clock, max_attachment=300)
    refused = db.session.scalar(
        select(Attachment).where(Attachment.mail_message_id == message.id, Attachment.size > 300)
    )
    web.sign_in(dana.email)
    assert "Not kept: larger than the 300-byte limit" in web.get(f"/inbox/{message.id}").text
    assert web.get(f"/files/{refused.id}").status_code == 404


def test_a_bounced_reply_is_listed_in_the_outbox(web, priya, dana, complaint, clock):
    web.sign_in(priya.email)
    web.post(f"/cases/{complaint.reference}/messages", {"body": "Dear Erika"})
    sent = db.session.scalar(select(MailMessage).where(MailMessage.direction == "out"))
    receive(samples.dsn_bounce(sent.message_id, "erika@example.org"), clock)
    assert reload(sent).status == "bounced"

    page = web.get("/outbox").text
    assert "Bounced emails" in page
    assert f'href="/cases/{complaint.reference}"' in page
    assert "No email has bounced." not in page
    assert "erika@example.org" not in page  # the address is on the case, for those who see it
    web.post("/sign-out")
    web.sign_in(dana.email)
    assert '<span class="tag tag-high">Bounced</span> not delivered' in (
        web.get(f"/cases/{complaint.reference}").text
    )
