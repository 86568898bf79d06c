"""Emails to the individual as messages of the case: replies written on the case, and a
record of every email sent, so that answers thread back onto their case."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker import storage
from casetracker.cases.changes import Change
from casetracker.extensions import db
from casetracker.mail.models import Attachment, MailMessage
from casetracker.outbox.models import OutboxMessage

REPLY_TOPIC = "email_reply"


def message_id_for(message: OutboxMessage) -> str:
    """Return the Message-ID an outbox email goes out with: stable, so replies find it."""
    queued = queued_row(message)
    if queued is not None:
        return queued.message_id
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:12]
    return f"<ct.{message.id}.{digest}@{_domain()}>"


def queue_reply(change: Change) -> None:
    """Write the reply as a message of the case and queue it for sending."""
    db_session, case = change.db_session, change.case
    attachments = _own_attachments(db_session, case.id, change.params["attachment_ids"])
    last = db_session.scalar(
        select(MailMessage)
        .where(MailMessage.case_id == case.id, MailMessage.direction == "in")
        .order_by(MailMessage.received_at.desc(), MailMessage.id.desc())
        .limit(1)
    )
    message_id = make_msgid(idstring="reply", domain=_domain())
    row = MailMessage(
        identity=f"out:{hashlib.sha256(message_id.encode()).hexdigest()}",
        direction="out",
        status="queued",
        case_id=case.id,
        message_id=message_id,
        in_reply_to=last.message_id if last else None,
        references=_references(last),
        subject=_reply_subject(case.reference, last.subject if last else None),
        body=change.params["body"],
        to_addresses=None,
        received_at=change.at,
        created_at=change.at,
        handled_by=None,
    )
    db_session.add(row)
    db_session.flush()
    key = f"email:reply:{case.reference}:{row.id}"
    change.notifier.notify(
        topic=REPLY_TOPIC,
        recipient=f"subject:{case.reference}",
        payload={
            "template": "reply",
            "reference": case.reference,
            "mail_message_id": row.id,
            "attachment_ids": [a.id for a in attachments],
        },
        dedupe_key=key,
        case_id=case.id,
        channel="email",
    )
    db_session.flush()
    row.outbox_message_id = db_session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
    )


def compose_reply(message: OutboxMessage, email: EmailMessage) -> None:
    """Fill in a reply written on the case: its text, threading headers and files."""
    row = queued_row(message)
    email["Subject"] = row.subject
    if row.in_reply_to:
        email["In-Reply-To"] = row.in_reply_to
    if row.references:
        email["References"] = row.references
    email.set_content(row.body)
    for attachment in db.session.scalars(
        select(Attachment).where(Attachment.id.in_(message.payload.get("attachment_ids") or []))
    ):
        if attachment.sha256 and not attachment.erased_at:
            maintype, _, subtype = attachment.content_type.partition("/")
            email.add_attachment(
                storage.path_for(attachment.sha256).read_bytes(),
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
            )


def queued_row(message: OutboxMessage) -> MailMessage | None:
    number = message.payload.get("mail_message_id")
    if number is None:
        return None
    return db.session.get(MailMessage, number)


def _own_attachments(db_session: Session, case_id: int, ids: list[int]) -> list[Attachment]:
    if not ids:
        return []
    found = list(
        db_session.scalars(
            select(Attachment).where(
                Attachment.id.in_(ids),
                Attachment.case_id == case_id,
                Attachment.sha256.is_not(None),
                Attachment.erased_at.is_(None),
            )
        )
    )
    missing = sorted(set(ids) - {a.id for a in found})
    if missing:
        raise ValidationError({"attachment_ids": [f"not files of this case: {missing}"]})
    return found


def _references(last: MailMessage | None) -> str | None:
    if last is None:
        return None
    chain = [*(last.references or "").split(), last.message_id]
    return " ".join(dict.fromkeys(i for i in chain if i))[-2000:] or None


def _reply_subject(reference: str, subject: str | None) -> str:
    subject = " ".join((subject or "").split())[:200]
    tag = f"[{reference}]"
    if tag not in subject:
        subject = f"{tag} {subject}".strip()
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _domain() -> str:
    _, address = parseaddr(current_app.config["MAIL_FROM"])
    return address.rpartition("@")[2] or "localhost"
