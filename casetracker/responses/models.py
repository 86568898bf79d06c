"""A response package: what the individual downloads, behind a link that expires and runs out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casetracker.db_types import UTCDateTime
from casetracker.extensions import db


class ResponsePackage(db.Model):
    """One released response: its archive on disk, who may fetch it, until when, how often.

    The link's token is HMAC(SECRET_KEY, salt), so the individual's status page can show it
    again; only a hash of it is stored, and a copy of the database alone cannot rebuild it.
    """

    __tablename__ = "response_packages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    salt: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    # The archive's files, for the pages: [{"name": ..., "size": ...}].
    contents: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(254))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    max_downloads: Mapped[int] = mapped_column(Integer)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def usable(self, *, now: datetime) -> bool:
        """Tell whether the link still gives the archive."""
        return (
            self.revoked_at is None
            and self.erased_at is None
            and self.sha256 is not None
            and now < self.expires_at
            and self.downloads < self.max_downloads
        )
