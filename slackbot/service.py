"""Who is acting from Slack, and which Slack deliveries were already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casetracker.people.actors import Actor
from casetracker.people.models import Staff
from slackbot.models import SlackEvent

SOURCE = "slack"


def acting_staff(db_session: Session, *, slack_user_id: str) -> Staff | None:
    """Return the active staff member linked to this Slack user, or None."""
    staff = db_session.scalar(select(Staff).where(Staff.slack_user_id == slack_user_id))
    return staff if staff is not None and staff.active else None


def actor_for(staff: Staff, *, slack_user_id: str) -> Actor:
    """Act as this staff member, recorded as coming from their Slack account."""
    label = f"{staff.email} (Slack {slack_user_id})"
    return Actor.for_staff(staff, kind="slack_user", label=label)


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
