"""Case, Subject, Clock, Event and the per-year reference counter (tasks: task_models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from casetracker.cases.task_models import Task
from casetracker.db_types import UTCDateTime
from casetracker.extensions import db
from casetracker.people.models import Staff


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_next_due", "next_due_at", "id"),
        Index("ix_cases_received", "received_at", "id"),
        Index("ix_cases_stage_status", "stage", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    jurisdiction: Mapped[str] = mapped_column(String(8), index=True)
    data_context: Mapped[str] = mapped_column(String(16))
    right: Mapped[str | None] = mapped_column(String(24))
    summary: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    outcome: Mapped[str | None] = mapped_column(String(24))
    hold_reason: Mapped[str | None] = mapped_column(Text)
    body_reference: Mapped[str | None] = mapped_column(String(100))
    redirected_to: Mapped[str | None] = mapped_column(String(200))
    closed_from_stage: Mapped[str | None] = mapped_column(String(24))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    owner: Mapped[Staff | None] = relationship()
    subject: Mapped[Subject | None] = relationship(back_populates="case", uselist=False)
    clocks: Mapped[list[Clock]] = relationship(
        back_populates="case", order_by="Clock.id", cascade="all, delete-orphan"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="case", order_by="Task.id", cascade="all, delete-orphan"
    )

    # The service bumps the version on every action, even one that only adds an event;
    # the mapper then makes each UPDATE conditional on the version the writer read.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012

    @property
    def running_clocks(self) -> list[Clock]:
        return [clock for clock in self.clocks if clock.met_at is None]


class Subject(db.Model):
    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    country: Mapped[str | None] = mapped_column(String(2))
    agent_name: Mapped[str | None] = mapped_column(String(200))
    agent_email: Mapped[str | None] = mapped_column(String(254))
    identity_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="subject")


class Clock(db.Model):
    __tablename__ = "clocks"
    __table_args__ = (
        Index("ix_clocks_running_due", "met_at", "due_at"),
        Index("ix_clocks_next_reminder", "next_reminder_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    rule: Mapped[dict] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The company's promise, when earlier than the legal due time; reminders aim at it.
    target_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pauses: Mapped[list] = mapped_column(JSON, default=list)
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    met_by: Mapped[str | None] = mapped_column(String(32))
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the reminder sweep should look at this clock next; NULL while met or paused.
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="clocks")

    @property
    def paused(self) -> bool:
        return self.paused_since is not None


CLOCK_TIMING = ("due_at", "target_at", "paused_since", "met_at", "snoozed_until", "extended_at")


@event.listens_for(Clock, "before_insert")
@event.listens_for(Clock, "before_update")
def _wake_reminder_sweep(mapper, connection, target) -> None:
    # Any change to a clock's timing wakes it at the next sweep, which works out its
    # thresholds again (casetracker.reminders.service); the sweep's own writes bypass this.
    state = inspect(target)
    if state.has_identity and not any(
        state.attrs[name].history.has_changes() for name in CLOCK_TIMING
    ):
        return
    stopped = target.met_at is not None or target.paused_since is not None
    target.next_reminder_at = None if stopped else target.started_at


class Event(db.Model):
    """Append-only audit record; the ORM and the database both refuse changes.

    ``seq`` numbers a case's events 1, 2, 3...; ``hash`` chains each to the one before it
    (casetracker.cases.chain), so an edited or removed event shows.
    """

    __tablename__ = "events"
    # Two writers can never give a case two events with the same place in its chain.
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_type: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(254))
    source: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AuditBreak(db.Model):
    """A case whose broken chain the DPOs were told of, and what was found then."""

    __tablename__ = "audit_breaks"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    why: Mapped[str] = mapped_column(String(200))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseLink(db.Model):
    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "related_case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    related_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    relation: Mapped[str] = mapped_column(String(32))


class CaseCounter(db.Model):
    """Last reference number issued per (prefix, year); locked by the creating transaction."""

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class EventImmutable(RuntimeError):
    """Raised on any attempt to change or remove an audit event."""


@event.listens_for(Event, "before_update")
@event.listens_for(Event, "before_delete")
def _refuse_event_change(mapper, connection, target) -> None:
    raise EventImmutable("audit events are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_event_change(orm_execute_state) -> None:
    changes = orm_execute_state.is_update or orm_execute_state.is_delete
    mapper = orm_execute_state.bind_mapper
    if changes and mapper is not None and mapper.class_ is Event:
        raise EventImmutable("audit events are append-only")
