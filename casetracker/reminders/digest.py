"""The daily digest: per owner, how many open cases fall due this week and are overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetracker import timesource
from casetracker.cases.models import Case
from casetracker.cases.notifications import CASES_CHANNEL
from casetracker.people.models import Staff
from casetracker.reminders import messages

WEEK = timedelta(days=7)
UNASSIGNED = "unassigned"


@dataclass
class DigestReport:
    date: str
    owners: int
    sent: bool

    def __str__(self) -> str:
        if not self.sent:
            return f"digest for {self.date} was already enqueued"
        return f"digest for {self.date} enqueued ({self.owners} owners)"


def send_digest(db_session: Session, *, now: datetime) -> DigestReport:
    """Enqueue today's digest to the cases channel, once per day in the team's time zone."""
    today = now.astimezone(timesource.team_tz()).date().isoformat()
    owners = counts(db_session, now=now)
    row = {
        "recipient": CASES_CHANNEL,
        "dedupe_key": f"digest:{today}",
        "payload": {"topic": "digest", "date": today, "owners": owners},
    }
    sent = messages.enqueue(db_session, [row], topic="digest", now=now)
    db_session.commit()
    return DigestReport(date=today, owners=len(owners), sent=bool(sent))


def counts(db_session: Session, *, now: datetime) -> list[dict]:
    """Count open cases by owner: next deadline within a week, and already past."""
    overdue = func.count().filter(Case.next_due_at < now)
    due_soon = func.count().filter(Case.next_due_at >= now)
    query = (
        select(Staff.name, due_soon, overdue)
        .select_from(Case)
        .outerjoin(Staff, Case.owner_id == Staff.id)
        .where(Case.status != "closed", Case.next_due_at < now + WEEK)
        .group_by(Staff.id, Staff.name)
        .order_by(Staff.name.is_(None), Staff.name)
    )
    return [
        {"owner": name or UNASSIGNED, "due_this_week": soon, "overdue": late}
        for name, soon, late in db_session.execute(query)
    ]
