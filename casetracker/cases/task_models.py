"""A task: one system's share of the work on a request, owned by that system's owner."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetracker.db_types import UTCDateTime
from casetracker.extensions import db
from casetracker.people.models import Staff
from casetracker.systems.models import System

if TYPE_CHECKING:
    from casetracker.cases.models import Case

TASK_STATUSES = ("open", "done", "no_data", "blocked")
# Done and "no data found" finish a task; a blocked one still stands in the way.
FINISHED = frozenset({"done", "no_data"})


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("case_id", "system_id"),
        Index("ix_tasks_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("systems.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    case: Mapped[Case] = relationship(back_populates="tasks")
    system: Mapped[System] = relationship()
    owner: Mapped[Staff] = relationship()

    # Two people marking the same task at once: the second write finds the version moved.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
