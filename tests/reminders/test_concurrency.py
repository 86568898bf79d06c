"""Two schedulers sweeping one PostgreSQL database at the same instants send each reminder once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from casetracker.cases.models import Case, Clock
from casetracker.extensions import db
from casetracker.jobs import runner
from casetracker.outbox.models import OutboxMessage, ReminderSent
from casetracker.reminders import service
from tests import factories

pytestmark = pytest.mark.postgres
CASES = 10
TICKS = 100


@pytest.mark.parametrize("through", ["sweep", "runner"])
def test_two_schedulers_for_a_hundred_ticks_send_every_reminder_once(postgres_app, clock, through):
    owner = factories.staff(email="sam@example.com", name="Sam Staff")
    factories.staff(email="dana@example.com", name="Dana DPO", role="dpo")
    api = factories.ApiClient(postgres_app.test_client(), factories.token(owner))
    for _ in range(CASES):
        api.create(owner=owner.email)
    start = clock.at
    ticks = [start + timedelta(hours=12 * n) for n in range(1, TICKS + 1)]
    barrier = threading.Barrier(2)
    failures = []

    def scheduler():
        try:
            for at in ticks:
                barrier.wait(timeout=30)
                if through == "runner":
                    outcome = runner.run(postgres_app, "sla-sweep", now=at)
                    assert outcome.status in ("ok", "skipped"), outcome
                    continue
                with postgres_app.app_context():
                    report = service.sweep(db.session, now=at)
                    db.session.remove()
                assert not report.errors
        except Exception as exc:
            failures.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    db.session.expire_all()
    labels = Counter(
        (name, threshold)
        for name, threshold in db.session.execute(
            select(Clock.name, ReminderSent.threshold).join(
                ReminderSent, ReminderSent.clock_id == Clock.id
            )
        )
    )
    # Acknowledge: 5 New York business days (3 Nov is Election Day) -> due 10 Nov, then
    # overdue daily to 21 Dec. Respond: 45 days -> due 17 Dec. Last tick: 22 Dec 10:00.
    acknowledge = ["7d", "2d", "due", *(f"overdue:{n}" for n in range(1, 42))]
    respond = ["7d", "2d", "due", *(f"overdue:{n}" for n in range(1, 5))]
    assert labels == Counter(
        {("acknowledge", t): CASES for t in acknowledge} | {("respond", t): CASES for t in respond}
    )
    messages = db.session.execute(
        select(Case.reference, OutboxMessage.recipient, OutboxMessage.payload)
        .join(Case, Case.id == OutboxMessage.case_id)
        .where(OutboxMessage.topic == "reminder")
    ).all()
    per_case = Counter(
        (ref, recipient, p["clock"], p["threshold"]) for ref, recipient, p in messages
    )
    assert set(per_case.values()) == {1}
    overdue = 41 + 4
    assert len(messages) == CASES * (len(acknowledge) + len(respond) + overdue)
