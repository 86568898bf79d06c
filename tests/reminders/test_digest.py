"""The daily digest counts each owner's cases due this week and overdue, once a day."""

from datetime import timedelta

from sqlalchemy import select

from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from casetracker.reminders import digest


def test_digest_counts_per_owner_and_is_sent_once_per_local_day(api, clock, staff):
    api.create(owner=staff.email)
    clock.advance(days=10)
    received = (clock.at - timedelta(days=3)).isoformat()
    api.create(owner=staff.email, received_at=received)
    api.create(received_at=received)

    report = digest.send_digest(db.session, now=clock.at)
    again = digest.send_digest(db.session, now=clock.at + timedelta(hours=3))

    assert report.sent
    assert not again.sent
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "digest")).all()
    assert len(rows) == 1
    assert rows[0].recipient == "channel:cases"
    assert rows[0].payload == {
        "topic": "digest",
        "date": "2026-11-12",
        "owners": [
            {"owner": "Sam Staff", "due_this_week": 1, "overdue": 1},
            {"owner": "unassigned", "due_this_week": 1, "overdue": 0},
        ],
    }
    assert digest.send_digest(db.session, now=clock.at + timedelta(days=1)).sent
