"""The company's systems that hold personal data, and who answers for each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetracker.db_types import UTCDateTime
from casetracker.extensions import db
from casetracker.people.models import Staff


class System(db.Model):
    """A system holding personal data: the contexts it serves and the rights that reach it."""

    __tablename__ = "systems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    contexts: Mapped[list] = mapped_column(JSON, default=list)
    rights: Mapped[list] = mapped_column(JSON, default=list)
    instructions: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[Staff] = relationship()

    @property
    def active(self) -> bool:
        return self.retired_at is None

    def serves(self, *, context: str, right: str | None) -> bool:
        """Tell whether a request about ``context`` using ``right`` must reach this system."""
        return self.active and context in self.contexts and right in self.rights

    def __repr__(self) -> str:
        return f"<System {self.name}>"
