"""A case's page in the dashboard: its email conversation, replies, and files."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from casetracker.extensions import db
from casetracker.mail.models import Attachment, MailMessage
from casetracker.outbox.models import OutboxMessage
from tests import factories
from tests.mail.views_support import receive, reload, upload
from tests.mail_automated import dsn_bounce
from tests.mail_build import JUERGEN
from tests.mail_from_people import cp1252_complaint_with_attachments
from tests.mail_generated import plain


def test_adding_an_email_to_a_case_by_its_reference_joins_the_conversation(
    web, dana, complaint, clock
):
    raw = plain("Noch eine Frage", "Haben Sie meinen Brief bekommen?", sender=JUERGEN)
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
    receive(plain(subject, "Ich schreibe für Erika.", sender=JUERGEN), clock)
    receive(plain(subject, "Danke!", sender="Erika <erika@example.org>"), clock)
    web.sign_in(priya.email)

    page = web.get(f"/cases/{complaint.reference}").text

    assert page.count("From an address other than the individual") == 1
    assert page.index("Ich schreibe für Erika.") < page.index("Danke!")


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
    raw = cp1252_complaint_with_attachments(sender="Erika <erika@example.org>")
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


def test_a_bounced_reply_is_listed_in_the_outbox(web, priya, dana, complaint, clock):
    web.sign_in(priya.email)
    web.post(f"/cases/{complaint.reference}/messages", {"body": "Dear Erika"})
    sent = db.session.scalar(select(MailMessage).where(MailMessage.direction == "out"))
    receive(dsn_bounce(sent.message_id, "erika@example.org"), clock)
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
