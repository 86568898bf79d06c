"""The inbox: staff open a case from a message, add it to a case, or set it aside."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker import timesource
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseError, CaseNotFound
from casetracker.mail import service
from casetracker.mail.models import Attachment, MailMessage
from casetracker.people.actors import Actor

MAX_REASON = 500


class NotInInbox(CaseError):
    """The message was already handled (opened, linked or ignored)."""

    status = 409


def get_item(db_session: Session, *, message_id: int) -> MailMessage:
    """Return a received message, or raise CaseNotFound."""
    message = db_session.get(MailMessage, message_id)
    if message is None or message.direction != "in":
        raise CaseNotFound(f"no inbox item {message_id}")
    return message


def open_case(db_session: Session, *, message_id: int, data: Mapping, actor: Actor, source: str):
    """Open a case from an inbox item: its clocks start when the mailbox received it."""
    message = _new(db_session, message_id)
    if not message.from_address:
        raise ValidationError({"subject": {"email": ["the message has no sender address"]}})
    fields = dict(data)
    given = fields.get("subject") or {}
    if not isinstance(given, Mapping):
        raise ValidationError({"subject": ["must be an object with the individual's details"]})
    fields["subject"] = {**given, "email": message.from_address}
    fields["subject"].setdefault("name", message.from_name or message.from_address)
    fields["channel"] = "email"
    fields["received_at"] = message.received_at.isoformat()
    fields.setdefault("summary", _summary(message))
    message.status, message.handled_at, message.handled_by = "opened", _now(), actor.label
    attachments = list(
        db_session.scalars(select(Attachment).where(Attachment.mail_message_id == message.id))
    )
    try:
        return case_service.create_case(
            db_session,
            data=fields,
            actor=actor,
            source=source,
            attach=[message, *attachments],
            reason=f"opened from email #{message.id}",
        )
    except Exception:
        db_session.rollback()  # the item stays in the inbox as it was
        raise


def link(db_session: Session, *, message_id: int, reference: str, actor: Actor, source: str):
    """Add an inbox item to an existing case."""
    message = _new(db_session, message_id)
    case = case_service.get_case(db_session, reference=reference)
    service.put_on_case(db_session, message, case.id, status="linked", now=_now(), by=actor.label)
    return case_service.perform(
        db_session, reference=case.reference, action="link_message",
        version=case_service.CURRENT,
        params={"message": message.id, "foreign_sender": message.foreign_sender},
        actor=actor, source=source,
    )  # fmt: skip


def ignore(db_session: Session, *, message_id: int, reason: str, actor: Actor) -> MailMessage:
    """Set an inbox item aside with a reason; it opens no case."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > MAX_REASON:
        raise ValidationError({"reason": [f"say why (1 to {MAX_REASON} characters)"]})
    message = _new(db_session, message_id)
    message.status, message.reason = "ignored", reason
    message.handled_at, message.handled_by = _now(), actor.label
    db_session.commit()
    return message


def _new(db_session: Session, message_id: int) -> MailMessage:
    """Claim an item still in the inbox; a colleague triaging it at once waits, then sees it."""
    message = db_session.scalar(
        select(MailMessage)
        .where(MailMessage.id == message_id, MailMessage.direction == "in")
        .with_for_update()
    )
    if message is None:
        raise CaseNotFound(f"no inbox item {message_id}")
    if message.status != "new":
        raise NotInInbox(f"inbox item {message_id} is already {message.status}")
    return message


def _summary(message: MailMessage) -> str:
    text = (message.subject or "") + "\n\n" + (message.reply or message.body or "")
    return text.strip()[:5000] or f"Email #{message.id} (no text)"


def _now() -> datetime:
    return timesource.now()
