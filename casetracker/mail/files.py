"""Files kept with a case: added by staff, read back only by those who see its personal data."""

from __future__ import annotations

import mimetypes
from typing import BinaryIO

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker import storage, timesource
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseNotFound
from casetracker.mail.models import Attachment, MailMessage
from casetracker.mail.parsing import safe_filename
from casetracker.people.actors import Actor

GENERIC_TYPE = "application/octet-stream"


def add(
    db_session: Session, *, reference: str, upload: BinaryIO, filename: str | None,
    content_type: str | None, actor: Actor, source: str, task_id: int | None = None,
) -> Attachment:  # fmt: skip
    """Keep an uploaded file with the case (the DPO or its owner; for a task, also the task's
    owner), refusing one over the size limit."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.read(limit + 1)
    if not data:
        raise ValidationError({"file": ["choose a file to upload (it was empty or missing)"]})
    if len(data) > limit:
        raise ValidationError({"file": [f"larger than the {limit:,}-byte limit"]})
    case = case_service.get_case(db_session, reference=reference)
    name = safe_filename(filename)
    kept = storage.keep(data)
    attachment = Attachment(
        case_id=case.id,
        filename=name,
        content_type=_content_type(content_type, name),
        size=len(data),
        sha256=kept.sha256,
        created_at=timesource.now(),
        created_by=actor.label,
    )
    try:
        db_session.add(attachment)
        db_session.flush()
        case_service.perform(
            db_session, reference=case.reference, action="add_attachment",
            version=case_service.CURRENT,
            params={"attachment": attachment.id, "task": task_id},
            actor=actor, source=source,
        )  # fmt: skip
    except Exception:
        db_session.rollback()
        if kept.fresh and not _referenced(db_session, kept.sha256):
            storage.discard(kept.sha256)  # refused: keep nothing of it
        raise
    return attachment


def _referenced(db_session: Session, digest: str) -> bool:
    found = select(Attachment.id).where(Attachment.sha256 == digest).limit(1)
    return db_session.scalar(found) is not None


def of_case(db_session: Session, *, case_id: int) -> list[Attachment]:
    """Return the case's files, from its emails and uploaded, oldest first."""
    return list(
        db_session.scalars(
            select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)
        )
    )


def get(db_session: Session, *, attachment_id: int) -> Attachment:
    """Return a kept file's record, or raise CaseNotFound."""
    attachment = db_session.get(Attachment, attachment_id)
    if attachment is None:
        raise CaseNotFound(f"no file {attachment_id}")
    return attachment


def messages_of(db_session: Session, *, case_id: int) -> list[MailMessage]:
    """Return the case's emails, both directions, as one conversation in time order."""
    return list(
        db_session.scalars(
            select(MailMessage)
            .where(MailMessage.case_id == case_id)
            .order_by(MailMessage.received_at, MailMessage.id)
        )
    )


def _content_type(given: str | None, name: str) -> str:
    guessed = mimetypes.guess_type(name)[0]
    candidate = (given or guessed or GENERIC_TYPE).split(";")[0].strip().lower()
    return candidate[:127] if "/" in candidate else GENERIC_TYPE
