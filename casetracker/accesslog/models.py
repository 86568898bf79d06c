"""The PII access log: one row per view of an individual's personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casetracker.db_types import UTCDateTime
from casetracker.extensions import db

# How the data was seen: the case page, the printable case file, a CSV export, the REST API,
# a file downloaded from the dashboard, the dashboard's inbox pages, a form shown again.
CHANNELS = ("web", "case_file", "csv", "api", "attachment", "inbox")


class AccessEntry(db.Model):
    """Who saw personal data, when, through which channel, of which case, and what.

    A row never holds the individual's data: ``what`` names a page, an endpoint or an id
    ("case page", "GET /api/v1/cases/DSR-2026-00003", "file #3"), so the retention purge
    leaves the rows as they are and the counts stay. Rows are never changed or deleted (a
    database trigger refuses it).
    """

    __tablename__ = "pii_access_log"
    __table_args__ = (
        Index("ix_pii_access_log_case", "case_id", "id"),
        Index("ix_pii_access_log_staff", "staff_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    # The channel's own name for the viewer: an email, or "email (token 1a2b3c4d5e6f)".
    actor: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(16))
    # None for an email in the inbox that is on no case (yet).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    what: Mapped[str] = mapped_column(String(200))
