"""Task owners are reminded before their target; the case owner hears once a task is late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from casetracker.extensions import db
from casetracker.reminders import service
from tests.tasks.conftest import outbox

TASK_DUE = datetime(2026, 12, 7, 22, 59, 59, tzinfo=UTC)


def _sweep(clock, at):
    clock.set(at)
    return service.sweep(db.session, now=at)


def _told():
    return [
        (m.recipient, m.payload["system"], m.payload["threshold"]) for m in outbox("task_reminder")
    ]


def test_each_threshold_reminds_once_and_lateness_reaches_the_case_owner(
    in_work, clock, priya, tomasz, dana
):
    in_work()
    _sweep(clock, TASK_DUE - timedelta(days=8))
    assert _told() == []

    _sweep(clock, TASK_DUE - timedelta(days=7) + timedelta(minutes=1))
    _sweep(clock, TASK_DUE - timedelta(days=7) + timedelta(minutes=6))
    week = [
        (f"staff:{priya.id}", "CRM", "7d"),
        (f"staff:{tomasz.id}", "Newsletter tool", "7d"),
    ]
    assert _told() == week

    _sweep(clock, TASK_DUE + timedelta(days=1, minutes=1))
    _sweep(clock, TASK_DUE + timedelta(days=1, minutes=6))
    late = [m for m in outbox("task_reminder") if m.payload["threshold"] == "overdue:1"]
    assert sorted((m.recipient, m.payload["system"]) for m in late) == sorted(
        [
            (f"staff:{priya.id}", "CRM"),
            (f"staff:{dana.id}", "CRM"),
            (f"staff:{tomasz.id}", "Newsletter tool"),
            (f"staff:{dana.id}", "Newsletter tool"),
        ]
    )
    to_case_owner = [m for m in late if m.recipient == f"staff:{dana.id}"]
    assert all(m.payload["to_case_owner"] for m in to_case_owner)
    # The 2-day and due thresholds were overtaken by the late sweep: only the latest is sent.
    assert {m.payload["threshold"] for m in outbox("task_reminder")} == {"7d", "overdue:1"}


def test_a_finished_task_is_not_reminded(in_work, dpo_api, clock, tomasz):
    reference = in_work()["reference"]
    crm = dpo_api.get(f"/api/v1/cases/{reference}/tasks").json["items"][0]["id"]
    dpo_api.post(f"/api/v1/cases/{reference}/tasks/{crm}", json={"status": "no_data"})
    _sweep(clock, TASK_DUE - timedelta(days=2) + timedelta(minutes=1))
    assert _told() == [(f"staff:{tomasz.id}", "Newsletter tool", "2d")]
