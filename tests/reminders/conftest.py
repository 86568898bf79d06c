"""Helpers for reminder tests: run the sweep at the frozen time, read what it enqueued."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from casetracker.cases.models import Case, Clock
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from casetracker.reminders import service

BERLIN = ZoneInfo("Europe/Berlin")


def local(*args) -> datetime:
    """Return a Berlin wall-clock time."""
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def sweep(app, clock):
    def run(at: datetime | None = None):
        if at is not None:
            clock.set(at)
        return service.sweep(db.session, now=clock.at)

    return run


@pytest.fixture
def reminders(app):
    """Return the reminders enqueued so far: (recipient, clock, threshold, local time sent)."""

    def read(reference: str | None = None) -> list[tuple]:
        query = select(OutboxMessage).where(OutboxMessage.topic == "reminder")
        if reference is not None:
            query = query.join(Case, Case.id == OutboxMessage.case_id).where(
                Case.reference == reference
            )
        rows = db.session.scalars(query.order_by(OutboxMessage.created_at, OutboxMessage.id))
        return [
            (
                row.recipient,
                row.payload["clock"],
                row.payload["threshold"],
                row.created_at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M"),
            )
            for row in rows
        ]

    return read


def clock_of(reference: str, name: str) -> Clock:
    """Return a case's latest clock of that name, fresh from the database."""
    db.session.expire_all()
    return db.session.scalars(
        select(Clock)
        .join(Case)
        .where(Case.reference == reference, Clock.name == name)
        .order_by(Clock.id.desc())
    ).first()
