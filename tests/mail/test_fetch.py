"""fetch-mail against a real IMAP server: every message ends where it should, once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from casetracker import storage
from casetracker.extensions import db
from casetracker.mail import fetch
from casetracker.mail.models import Attachment, MailMessage
from casetracker.outbox.models import OutboxMessage
from tests.mail_automated import AUTO_REPLY_HEADERS, auto_reply
from tests.mail_broken import hostile, malformed_mime
from tests.mail_from_people import (
    GERMAN_SUBJECT,
    cp1252_complaint_with_attachments,
    forwarded_rfc822,
    german_request,
    without_message_id,
)
from tests.mail_generated import large_attachment


def _fetch(clock):
    return fetch.fetch_mail(db.session, now=clock())


def _messages() -> list[MailMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_without_a_mailbox_the_job_says_it_is_not_configured(app, clock):
    assert str(_fetch(clock)).startswith("not configured")


def test_a_german_request_lands_in_the_inbox_decoded_with_its_receipt_time(mail_app, imap, clock):
    arrived = clock() - timedelta(hours=5)
    imap.append(german_request(), received_at=arrived)

    report = _fetch(clock)

    assert (report.imported, report.inbox) == (1, 1)
    (message,) = _messages()
    assert message.status == "new"
    assert message.subject == GERMAN_SUBJECT
    assert "Königstraße 12" in message.body
    assert message.from_address == "juergen.mueller@example.de"
    assert message.from_name == "Jürgen Müller"
    assert message.received_at == arrived
    channel = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "inbox_waiting")
    )
    (notice,) = channel.all()
    assert notice.payload["count"] == 1
    assert "juergen" not in str(notice.payload).lower()


def test_each_message_is_imported_once_however_often_the_job_runs(mail_app, imap, clock):
    imap.append(german_request())
    imap.append(without_message_id())
    _fetch(clock)
    assert _fetch(clock).imported == 0

    imap.uidvalidity_reset()
    imap.append(german_request())
    imap.append(without_message_id())
    report = _fetch(clock)

    assert (report.imported, report.duplicates) == (0, 2)
    assert len(_messages()) == 2


def test_attachments_are_kept_by_digest_and_an_oversized_one_is_refused(mail_app, imap, clock):
    mail_app.config["ATTACHMENT_MAX_BYTES"] = 2 * 1024 * 1024
    imap.append(cp1252_complaint_with_attachments())
    imap.append(large_attachment(size=3 * 1024 * 1024))

    _fetch(clock)

    complaint, large = _messages()
    assert "€" in complaint.body
    assert "“" in complaint.body
    kept = db.session.scalars(
        select(Attachment).where(Attachment.mail_message_id == complaint.id)
    ).all()
    assert sorted(a.content_type for a in kept) == ["application/pdf", "image/jpeg"]
    for attachment in kept:
        path = storage.path_for(attachment.sha256)
        assert path.read_bytes()[:4] in (b"%PDF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")
    (refused,) = db.session.scalars(
        select(Attachment).where(Attachment.mail_message_id == large.id)
    ).all()
    assert refused.sha256 is None
    assert "limit" in refused.refused
    assert large.status == "new"


def test_auto_replies_never_reach_the_inbox_or_acknowledge_anything(mail_app, imap, clock):
    for kind in AUTO_REPLY_HEADERS:
        imap.append(auto_reply("<ours@example.test>", kind=kind, message_id=f"<{kind}@x>"))
    outbox_before = _count(OutboxMessage)

    report = _fetch(clock)

    assert (report.ignored, report.inbox) == (4, 0)
    assert {(m.status, m.reason) for m in _messages()} == {("ignored", "auto-reply")}
    assert _count(OutboxMessage) == outbox_before


def test_forwarded_and_malformed_messages_are_kept_not_lost(mail_app, imap, clock):
    imap.append(forwarded_rfc822())
    imap.append(malformed_mime())

    report = _fetch(clock)

    assert (report.imported, report.errors) == (2, [])
    forwarded, _malformed = _messages()
    (inner,) = db.session.scalars(
        select(Attachment).where(Attachment.mail_message_id == forwarded.id)
    ).all()
    assert inner.filename.endswith(".eml")
    assert b"<auskunft-4711@example.de>" in storage.path_for(inner.sha256).read_bytes()


def test_hostile_mail_is_stored_safely(mail_app, imap, clock, tmp_path):
    imap.append(hostile())

    assert _fetch(clock).imported == 1

    (message,) = _messages()
    assert len(message.subject) >= 9000
    assert "\x00" not in (message.body or "")
    names = db.session.scalars(
        select(Attachment.filename).where(Attachment.mail_message_id == message.id)
    ).all()
    assert all("/" not in name and "<" not in name for name in names)
    stored = [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]
    assert all(p.is_relative_to(tmp_path / "attachments") for p in stored)
    assert not (tmp_path / "etc").exists()


def test_a_40_mb_attachment_is_refused_by_the_default_limit_and_its_email_kept(
    mail_app, imap, clock
):
    imap.append(large_attachment())

    report = _fetch(clock)

    assert (report.imported, report.errors) == (1, [])
    (message,) = _messages()
    (attachment,) = db.session.scalars(select(Attachment)).all()
    assert attachment.size == 40 * 1024 * 1024
    assert attachment.sha256 is None
    assert "26,214,400-byte limit" in attachment.refused
    assert message.status == "new"


def test_a_full_attachments_disk_stores_nothing_and_the_next_run_catches_up(
    mail_app, imap, clock, tmp_path
):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    mail_app.config["ATTACHMENTS_DIR"] = str(blocked)
    imap.append(cp1252_complaint_with_attachments())

    report = _fetch(clock)

    assert report.imported == 0
    assert "cannot take the file" in report.errors[0]
    assert _messages() == []
    assert _count(Attachment) == 0

    mail_app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    assert _fetch(clock).imported == 1
    assert _count(Attachment) == 2


def test_jobs_run_fetch_mail_says_what_it_did(mail_app, imap, runner):
    imap.append(german_request())
    imap.append(auto_reply("<x@y>"))

    result = runner.invoke(args=["jobs", "run", "fetch-mail"])

    assert result.exit_code == 0, result.output
    assert "2 messages imported: 1 to the inbox, 0 added to cases, 1 set aside" in result.output
