"""What intake keeps beside a case: how to reach the individual, identity links, OpenGDPR."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casetracker.db_types import UTCDateTime
from casetracker.extensions import db


class IntakeRecord(db.Model):
    """A case filed through the public form: language, consent, status link, agent proof."""

    __tablename__ = "intake_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The status link is HMAC(SECRET_KEY, salt): a copy of the database alone cannot rebuild it.
    status_salt: Mapped[str] = mapped_column(String(32))
    status_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_authorization: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityLink(db.Model):
    """A single-use link that lets the individual confirm a request filed through the form.

    Like the status link, the token is HMAC(SECRET_KEY, salt), rebuilt when the email is
    written and never stored; only its hash is. Each time a case starts waiting for identity
    is a round: its first link, then at most one reminder with a fresh link.
    """

    __tablename__ = "identity_links"
    __table_args__ = (UniqueConstraint("case_id", "round", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # first, reminder
    salt: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When its email went out: the reminder and the closure count from there.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Used: the individual confirmed, or staff recorded the identity check themselves.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Replaced by a fresher link.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OpenGdprRequest(db.Model):
    """A request a controller sent through the OpenGDPR API, and the status last reported."""

    __tablename__ = "opengdpr_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    subject_request_id: Mapped[str] = mapped_column(String(36), unique=True)
    controller_id: Mapped[str] = mapped_column(String(254))
    request_type: Mapped[str] = mapped_column(String(16))
    api_version: Mapped[str] = mapped_column(String(16))
    submitted_time: Mapped[datetime] = mapped_column(UTCDateTime)
    received_time: Mapped[datetime] = mapped_column(UTCDateTime)
    status_callback_urls: Mapped[list] = mapped_column(JSON, default=list)
    reported_status: Mapped[str] = mapped_column(String(16))
