"""Import a received email exactly once, and put it where it belongs.

A message's identity (its Message-ID, or a hash of its bytes) is unique in the database: a
second import of the same message, by a re-run, a second fetcher or after the mailbox's
UIDVALIDITY changed, stops at that constraint and adds nothing. A message is first stored
in the inbox; threading it onto a case is a second step through the workflow, so a refused
or interrupted threading leaves it in the inbox, never lost.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casetracker import storage
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseError, StaleVersion
from casetracker.cases.models import Case, Subject
from casetracker.mail import parsing
from casetracker.mail.models import Attachment, MailMessage
from casetracker.outbox.models import OutboxMessage
from casetracker.people.actors import Actor

log = logging.getLogger(__name__)

MAILBOX = Actor.system("mail")
SOURCE = "intake"
REFERENCE = re.compile(r"[\[(]((?:PC|DSR)-\d{4}-\d{5})[\])]")
TRIES = 3


@dataclass(frozen=True)
class Imported:
    """What one message became: its row, and where it went (inbox, case, ignored)."""

    message: MailMessage
    outcome: str


def import_message(
    db_session: Session, raw: BinaryIO, *, digest: str, received_at: datetime, now: datetime,
    max_attachment: int,
) -> Imported | None:  # fmt: skip
    """Store one received message; None when it was imported before."""
    parsed = parsing.parse(raw, digest=digest)
    raw.seek(0, 2)
    message = _stored(db_session, parsed, size=raw.tell(), received_at=received_at, now=now)
    if message is None:
        return None
    _keep_attachments(db_session, message, parsed.parts, max_bytes=max_attachment, now=now)
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
        return None  # another fetcher stored it first
    if parsed.bounce_of:
        return Imported(message, _bounce(db_session, message, parsed.bounce_of, now=now))
    if parsed.auto_submitted:
        return Imported(message, _ignore(db_session, message, "auto-reply", now=now))
    case = _thread_case(db_session, parsed)
    if case is None:
        return Imported(message, "new")
    return Imported(message, _thread(db_session, message, case, now=now))


def _stored(db_session, parsed: parsing.Parsed, *, size, received_at, now) -> MailMessage | None:
    if db_session.scalar(select(MailMessage.id).where(MailMessage.identity == parsed.identity)):
        return None
    message = MailMessage(
        identity=parsed.identity,
        direction="in",
        status="new",
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references) or None,
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to_addresses=parsed.to,
        subject=parsed.subject,
        body=parsed.body,
        reply=parsed.reply,
        language=parsed.language,
        auto_submitted=parsed.auto_submitted,
        size=size,
        received_at=received_at,
        created_at=now,
    )
    db_session.add(message)
    try:
        db_session.flush()
    except IntegrityError:
        db_session.rollback()
        return None  # another fetcher is storing the same message right now
    return message


def _keep_attachments(db_session, message: MailMessage, parts, *, max_bytes: int, now) -> None:
    fresh = []  # files this import wrote, removed again if it cannot keep them all
    try:
        for part in parts:
            row = Attachment(
                mail_message_id=message.id,
                filename=part.filename,
                content_type=part.content_type,
                size=len(part.data),
                created_at=now,
                created_by="mail",
            )
            if len(part.data) > max_bytes:
                row.refused = f"larger than the {max_bytes:,}-byte limit: not kept"
            else:
                kept = storage.keep(part.data)
                row.sha256 = kept.sha256
                if kept.fresh:
                    fresh.append(kept.sha256)
            db_session.add(row)
    except storage.StorageFull:
        db_session.rollback()
        for digest in fresh:
            if not _referenced(db_session, digest):
                storage.discard(digest)
        raise


def _referenced(db_session: Session, digest: str) -> bool:
    found = select(Attachment.id).where(Attachment.sha256 == digest).limit(1)
    return db_session.scalar(found) is not None


def _thread_case(db_session: Session, parsed: parsing.Parsed) -> Case | None:
    """Find the case a reply or a reference in the subject points to."""
    ids = [i for i in (parsed.in_reply_to, *parsed.references) if i]
    if ids:
        case_id = db_session.scalar(
            select(MailMessage.case_id)
            .where(MailMessage.message_id.in_(ids), MailMessage.case_id.is_not(None))
            .limit(1)
        )
        if case_id is not None:
            return db_session.get(Case, case_id)
    found = REFERENCE.search(parsed.subject or "")
    if found:
        return db_session.scalar(select(Case).where(Case.reference == found.group(1)))
    return None


def _thread(db_session: Session, message: MailMessage, case: Case, *, now) -> str:
    """Add the message to its case through the workflow; on refusal it stays in the inbox."""
    for _ in range(TRIES):
        put_on_case(db_session, message, case.id, status="linked", now=now, by=MAILBOX.label)
        try:
            case_service.perform(
                db_session, reference=case.reference, action="message_received",
                version=case_service.CURRENT,
                params={"message": message.id, "foreign_sender": message.foreign_sender},
                actor=MAILBOX, source=SOURCE, at=now,
            )  # fmt: skip
            return "linked"
        except StaleVersion:
            db_session.refresh(message)  # someone acted on the case meanwhile: try again
        except CaseError as exc:
            log.info("email %s stays in the inbox: %s", message.id, exc.message)
            db_session.refresh(message)
            break
    return "new"


def put_on_case(
    db_session: Session, message: MailMessage, case_id: int, *, status: str, now, by: str
) -> None:
    """Move a message and its files onto a case, flagging a sender who is not the individual."""
    known = _addresses_of(db_session, case_id)
    message.case_id, message.status = case_id, status
    message.handled_at, message.handled_by = now, by
    message.foreign_sender = bool(known) and message.from_address not in known
    for attachment in db_session.scalars(
        select(Attachment).where(Attachment.mail_message_id == message.id)
    ):
        attachment.case_id = case_id


def _addresses_of(db_session: Session, case_id: int) -> set[str]:
    subject = db_session.scalar(select(Subject).where(Subject.case_id == case_id))
    if subject is None:
        return set()
    return {a.lower() for a in (subject.email, subject.agent_email) if a}


def _ignore(db_session: Session, message: MailMessage, reason: str, *, now) -> str:
    message.status, message.reason = "ignored", reason
    message.handled_at, message.handled_by = now, MAILBOX.label
    db_session.commit()
    return "ignored"


def _bounce(db_session: Session, message: MailMessage, original_ids: list[str], *, now) -> str:
    """Mark the email we sent as bounced, on its case, and keep the report out of the inbox."""
    sent = db_session.scalar(
        select(MailMessage).where(
            MailMessage.direction == "out",
            or_(*(MailMessage.message_id == i for i in original_ids)),
        )
    )
    _ignore(db_session, message, "bounce", now=now)
    if sent is None or sent.status == "bounced":
        return "ignored"
    sent.status = "bounced"
    if sent.outbox_message_id is not None:
        db_session.get(OutboxMessage, sent.outbox_message_id).bounced_at = now
    db_session.commit()
    _bounced_on_case(db_session, sent, now=now)
    return "ignored"


def record_refusal(db_session: Session, message: OutboxMessage, now: datetime) -> None:
    """The mail server refused the individual's address as the email went out (only the
    agent's copy did): record it on the case as the bounce it is."""
    if message.bounced_at is None:
        return
    sent = db_session.scalar(select(MailMessage).where(MailMessage.outbox_message_id == message.id))
    if sent is None:
        return
    # Keep "sent" even if the case refuses the record: the email must never go out twice.
    db_session.commit()
    _bounced_on_case(db_session, sent, now=now)


def _bounced_on_case(db_session: Session, sent: MailMessage, *, now: datetime) -> None:
    """Add the bounce of ``sent``, already marked, to its case's audit trail."""
    if sent.case_id is None:
        return
    reference = db_session.scalar(select(Case.reference).where(Case.id == sent.case_id))
    try:
        case_service.perform(
            db_session, reference=reference, action="message_bounced",
            version=case_service.CURRENT, params={"message": sent.id},
            actor=MAILBOX, source=SOURCE, at=now,
        )  # fmt: skip
    except CaseError as exc:
        log.warning("bounce of email %s not recorded on its case: %s", sent.id, exc.message)
