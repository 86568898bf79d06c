"""Who is acting from Slack, which Slack deliveries were already handled, and task marks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casetracker.cases import service as case_service
from casetracker.cases import tasks
from casetracker.cases.task_models import Task
from casetracker.people.actors import Actor
from casetracker.people.models import Staff
from slackbot.models import SlackEvent

SOURCE = "slack"


_staff = Staff.__table__
# Every Slack request runs it: built once, and read as a plain row.
ACTIVE_STAFF_BY_SLACK_ID = select(_staff.c.id, _staff.c.email, _staff.c.role).where(
    _staff.c.slack_user_id == bindparam("slack_user_id"), _staff.c.active.is_(True)
)


@dataclass(frozen=True)
class SlackStaff:
    """The active staff member behind a Slack user: who acts, and with which role."""

    id: int
    email: str
    role: str


def acting_staff(db_session: Session, *, slack_user_id: str) -> SlackStaff | None:
    """Return the active staff member linked to this Slack user, or None."""
    row = db_session.execute(ACTIVE_STAFF_BY_SLACK_ID, {"slack_user_id": slack_user_id}).first()
    return SlackStaff(id=row.id, email=row.email, role=row.role) if row else None


def actor_for(staff: SlackStaff, *, slack_user_id: str) -> Actor:
    """Act as this staff member, recorded as coming from their Slack account."""
    return Actor.via_slack(staff, slack_user_id=slack_user_id)


def seen(db_session: Session, *, event_id: str) -> bool:
    """Tell whether this delivery was handled already."""
    return (
        db_session.scalar(select(SlackEvent.id).where(SlackEvent.event_id == event_id)) is not None
    )


def first_delivery(db_session: Session, *, event_id: str, now: datetime) -> bool:
    """Record the event id; False when a previous delivery of it got there first."""
    db_session.add(SlackEvent(event_id=event_id, received_at=now))
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()
        return False
    return True


def remember(db_session: Session, *, event_id: str, now: datetime) -> None:
    """Add the key to the caller's transaction: it commits with the change it guards."""
    db_session.add(SlackEvent(event_id=event_id, received_at=now))


def update_task(
    db_session: Session, *, target: Mapping, status: str, note: str | None, actor: Actor
) -> Task:
    """Set a task's status through the workflow, as the task is now; return the task."""
    case = case_service.perform(
        db_session,
        reference=target["reference"],
        action="update_task",
        version=case_service.CURRENT,
        params={"task": target["task"], "status": status, "note": note},
        actor=actor,
        source=SOURCE,
    )
    return tasks.find(case, target["task"])
