"""The dashboard's queues: conditions over cases, keyset-paginated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from casetracker.cases import listing
from casetracker.cases.models import Case, Event
from casetracker.people.models import Staff

OUTSIDE_BODY_STAGES = ("independent_recourse", "dpa_panel", "arbitration", "regulator")
DECISION_WINDOW = timedelta(days=7)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Queue:
    name: str
    title: str
    intro: str
    order: str


QUEUES = {
    "escalations": Queue(
        "escalations",
        "Escalations",
        "Complaints at an outside body (BBB independent recourse, the DPA panel, arbitration, "
        "a regulator), and complaints waiting for your decision: still in internal review "
        "with their next deadline overdue or due within 7 days, so they must be resolved or "
        "escalated now.",
        "due",
    ),
    "overdue": Queue(
        "overdue",
        "Overdue",
        "Open cases with a running deadline that has passed, most overdue first.",
        "due",
    ),
    "due_this_week": Queue(
        "due_this_week",
        "Due this week",
        "Open cases whose next deadline falls within the next 7 days, soonest first.",
        "due",
    ),
    "mine": Queue(
        "mine",
        "My cases",
        "Cases you own, by next deadline; closed cases last.",
        "due",
    ),
}


def queue_condition(name: str, *, now: datetime, staff: Staff):
    """Return the SQL condition that selects the cases of a queue."""
    if name == "escalations":
        # Only complaints reach these stages, and a closed case is at stage "closed": no
        # kind or status test, so PostgreSQL walks ix_cases_next_due in order and stops early.
        waiting = and_(Case.stage == "internal_review", Case.next_due_at < now + DECISION_WINDOW)
        return or_(Case.stage.in_(OUTSIDE_BODY_STAGES), waiting)
    if name == "overdue":
        return Case.next_due_at < now
    if name == "due_this_week":
        return and_(Case.next_due_at >= now, Case.next_due_at < now + WEEK)
    if name == "mine":
        return Case.owner_id == staff.id
    raise KeyError(name)


def queue_page(
    db_session: Session, *, name: str, now: datetime, staff: Staff, cursor: str | None, limit=50
) -> listing.Page:
    """Return one page of a queue."""
    queue = QUEUES[name]
    return listing.list_cases(
        db_session,
        now=now,
        limit=limit,
        cursor=cursor,
        where=queue_condition(name, now=now, staff=staff),
        order=queue.order,
        with_details=False,
    )


def events_of_case(db_session: Session, *, case_id: int) -> list[Event]:
    """Return a case's audit trail, oldest first (the case is already loaded)."""
    return list(
        db_session.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.id))
    )


def active_staff(db_session: Session) -> list[Staff]:
    """Return the active staff, by name (owner filters and the assign form)."""
    return list(db_session.scalars(select(Staff).where(Staff.active).order_by(Staff.name)))
