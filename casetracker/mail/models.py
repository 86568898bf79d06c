"""Messages of the privacy@ mailbox, in and out, their attachments, and the fetch cursor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from casetracker.db_types import UTCDateTime
from casetracker.extensions import db

# Incoming: new (in the inbox), opened (a case was opened from it), linked (to a case), ignored.
# Outgoing: queued, sent, bounced.
INBOX_STATUSES = ("new", "opened", "linked", "ignored")


class MailMessage(db.Model):
    """One email: received from the mailbox, or sent from a case."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        Index("ix_mail_messages_status", "status", "received_at", "id"),
        Index("ix_mail_messages_case", "case_id", "received_at"),
        # Answers are threaded by the Message-IDs they reply to.
        Index("ix_mail_messages_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The message's identity, unique: its Message-ID, or a hash of its bytes when it has none.
    identity: Mapped[str] = mapped_column(String(255), unique=True)
    direction: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))
    message_id: Mapped[str | None] = mapped_column(String(998))
    in_reply_to: Mapped[str | None] = mapped_column(Text)
    references: Mapped[str | None] = mapped_column(Text)
    from_address: Mapped[str | None] = mapped_column(String(254))
    from_name: Mapped[str | None] = mapped_column(String(200))
    to_addresses: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    # Sent from an address that is neither the individual's nor their agent's.
    foreign_sender: Mapped[bool] = mapped_column(default=False)
    auto_submitted: Mapped[bool] = mapped_column(default=False)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(254))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def preview(self) -> str:
        text = " ".join((self.reply or self.body or "").split())
        return text[:160] + ("…" if len(text) > 160 else "")


class Attachment(db.Model):
    """A file kept with a message or a case, stored on disk under its SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mail_message_id: Mapped[int | None] = mapped_column(ForeignKey("mail_messages.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    # Why the file is not kept (too large); the message is imported all the same.
    refused: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailCursor(db.Model):
    """How far a folder has been read: its UIDVALIDITY and the last UID imported."""

    __tablename__ = "mail_cursors"

    folder: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
