"""Who is acting from Slack, and which Slack deliveries were already handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
