"""The retention purge's part in the mailbox: a case's emails and files go with its data."""

from __future__ import annotations

from sqlalchemy import func, select

from casetracker import storage
from casetracker.cases.changes import Change
from casetracker.mail.models import Attachment, MailMessage

ERASED = "erased"


def erase_case_mail(change: Change) -> None:
    """Erase the case's messages (addresses, subjects, texts) and delete its files."""
    db_session, case_id, now = change.db_session, change.case.id, change.at
    for message in db_session.scalars(select(MailMessage).where(MailMessage.case_id == case_id)):
        message.from_address = message.from_name = message.to_addresses = None
        message.subject = message.body = message.reply = None
        message.erased_at = now
    for attachment in db_session.scalars(
        select(Attachment).where(Attachment.case_id == case_id, Attachment.erased_at.is_(None))
    ):
        attachment.filename, attachment.erased_at = ERASED, now
        if attachment.sha256 and not _kept_elsewhere(db_session, attachment):
            storage.remove_after_commit(db_session, attachment.sha256)


def _kept_elsewhere(db_session, attachment: Attachment) -> bool:
    """Tell whether another case still holds the same file (files are stored once)."""
    others = db_session.scalar(
        select(func.count())
        .select_from(Attachment)
        .where(
            Attachment.sha256 == attachment.sha256,
            Attachment.id != attachment.id,
            Attachment.erased_at.is_(None),
        )
    )
    return bool(others)
