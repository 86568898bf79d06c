"""Reads behind the mail API: inbox pages (keyset, newest first), a case's conversation, files."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from casetracker import storage
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseNotFound, PermissionDenied
from casetracker.cases.models import Case
from casetracker.mail import files, triage
from casetracker.mail.models import Attachment, MailMessage
from casetracker.outbox.models import OutboxMessage
from casetracker.people.actors import Actor


@dataclass(frozen=True)
class Item:
    """A received message with the reference of its case and its files (or their number)."""

    message: MailMessage
    case: str | None
    attachments: int | list[Attachment]


@dataclass(frozen=True)
class Page:
    items: list[Item]
    next_cursor: str | None


@dataclass(frozen=True)
class Entry:
    """One email of a case's conversation with the files it carried."""

    message: MailMessage
    attachments: list[Attachment]


def inbox(
    db_session: Session, *, status: str | None = None, limit: int = 50, cursor: str | None = None
) -> Page:
    """Return one page of received messages, newest first, optionally of one status."""
    count = (
        select(func.count(Attachment.id))
        .where(Attachment.mail_message_id == MailMessage.id)
        .correlate(MailMessage)
        .scalar_subquery()
    )
    query = (
        select(MailMessage, Case.reference, count)
        .outerjoin(Case, Case.id == MailMessage.case_id)
        .where(MailMessage.direction == "in")
    )
    if status is not None:
        query = query.where(MailMessage.status == status)
    if cursor:
        at, message_id = _decode(cursor)
        query = query.where(
            or_(
                MailMessage.received_at < at,
                and_(MailMessage.received_at == at, MailMessage.id < message_id),
            )
        )
    query = query.order_by(MailMessage.received_at.desc(), MailMessage.id.desc())
    rows = db_session.execute(query.limit(limit + 1)).all()
    items = [Item(message, reference, number) for message, reference, number in rows[:limit]]
    more = len(rows) > limit
    return Page(items=items, next_cursor=_encode(items[-1].message) if more else None)


def item(db_session: Session, *, message_id: int) -> Item:
    """Return a received message with its case's reference and its files, or CaseNotFound."""
    message = triage.get_item(db_session, message_id=message_id)
    reference = None
    if message.case_id is not None:
        reference = db_session.scalar(select(Case.reference).where(Case.id == message.case_id))
    attachments = db_session.scalars(
        select(Attachment).where(Attachment.mail_message_id == message.id).order_by(Attachment.id)
    )
    return Item(message, reference, list(attachments))


def conversation(db_session: Session, *, reference: str) -> tuple[Case, list[Entry]]:
    """Return the case and its emails, both directions, in time order."""
    case = case_service.get_case(db_session, reference=reference)
    return case, _entries(db_session, files.messages_of(db_session, case_id=case.id))


def newest_sent(db_session: Session, *, case_id: int) -> Entry:
    """Return the email most recently written on the case (a reply just queued)."""
    message = db_session.scalar(
        select(MailMessage)
        .where(MailMessage.case_id == case_id, MailMessage.direction == "out")
        .order_by(MailMessage.id.desc())
        .limit(1)
    )
    return _entries(db_session, [message])[0]


def readable_file(
    db_session: Session, *, attachment_id: int, actor: Actor
) -> tuple[Attachment, Path]:
    """Return a kept file and where it lies, for the DPO or its case's owner."""
    attachment = files.get(db_session, attachment_id=attachment_id)
    owner_id = None
    if attachment.case_id is not None:
        owner_id = db_session.scalar(select(Case.owner_id).where(Case.id == attachment.case_id))
    if actor.role != "dpo" and (owner_id is None or owner_id != actor.staff_id):
        raise PermissionDenied(f"only the DPO or the case owner may read file {attachment_id}")
    path = storage.path_for(attachment.sha256) if attachment.sha256 else None
    if attachment.erased_at is not None or path is None or not path.is_file():
        raise CaseNotFound(f"file {attachment_id} is not kept (refused or erased)")
    return attachment, path


def _entries(db_session: Session, messages: list[MailMessage]) -> list[Entry]:
    """Pair each message with its files: received ones by message, sent ones by outbox row."""
    received: dict[int, list[Attachment]] = {}
    for attachment in db_session.scalars(
        select(Attachment)
        .where(Attachment.mail_message_id.in_([m.id for m in messages]))
        .order_by(Attachment.id)
    ):
        received.setdefault(attachment.mail_message_id, []).append(attachment)
    sent = _sent_files(db_session, [m.outbox_message_id for m in messages if m.outbox_message_id])
    return [
        Entry(message, received.get(message.id) or sent.get(message.outbox_message_id) or [])
        for message in messages
    ]


def _sent_files(db_session: Session, outbox_ids: list[int]) -> dict[int, list[Attachment]]:
    """Return the files each outbox email carries (a reply names them in its payload)."""
    named = {
        outbox_id: payload.get("attachment_ids") or []
        for outbox_id, payload in db_session.execute(
            select(OutboxMessage.id, OutboxMessage.payload).where(OutboxMessage.id.in_(outbox_ids))
        )
    }
    wanted = {i for ids in named.values() for i in ids}
    found = {
        a.id: a for a in db_session.scalars(select(Attachment).where(Attachment.id.in_(wanted)))
    }
    return {key: [found[i] for i in ids if i in found] for key, ids in named.items()}


def _encode(message: MailMessage) -> str:
    raw = json.dumps([message.received_at.isoformat(), message.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, message_id = json.loads(raw)
        key = datetime.fromisoformat(at), int(message_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValidationError({"cursor": ["not a cursor this API gave out"]}) from exc
    if key[0].tzinfo is None:
        raise ValidationError({"cursor": ["not a cursor this API gave out"]})
    return key
