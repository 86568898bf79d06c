"""The SLA sweep sends each reminder once, at the right time, and follows the clock's life."""

from __future__ import annotations

import json
import logging
from datetime import UTC, timedelta

from casetracker.cases import notifications
from casetracker.cases import service as case_service
from casetracker.extensions import db
from casetracker.people.actors import Actor
from tests.reminders.conftest import BERLIN, clock_of, local


def eu_request(api, owner):
    return api.create(kind="request", jurisdiction="EU", right="access", owner=owner.email)


def test_forty_days_of_a_request_bring_exactly_the_policy_reminders(
    api, clock, staff, dpo, sweep, reminders
):
    clock.set(local(2026, 9, 30, 10, 0).astimezone(UTC))
    case = eu_request(api, staff)
    owner, the_dpo = f"staff:{staff.id}", f"staff:{dpo.id}"
    for _ in range(40 * 24):
        clock.advance(hours=1)
        if clock.at == local(2026, 10, 9, 10, 0):
            case = api.get(f"/api/v1/cases/{case['reference']}").get_json()
            assert api.act(case, "acknowledge").status_code == 200
        sweep()

    expected = [
        (owner, "acknowledge", "7d", "2026-10-01 00:00"),
        (owner, "acknowledge", "2d", "2026-10-06 00:00"),
        (owner, "acknowledge", "due", "2026-10-08 00:00"),
        (owner, "acknowledge", "overdue:1", "2026-10-09 00:00"),
        (the_dpo, "acknowledge", "overdue:1", "2026-10-09 00:00"),
        # Clocks go back on 25 Oct: still midnight in Berlin, an hour later in UTC.
        (owner, "respond", "7d", "2026-10-24 00:00"),
        (owner, "respond", "2d", "2026-10-29 00:00"),
        (owner, "respond", "due", "2026-10-31 00:00"),
    ]
    for day in range(1, 10):
        sent = f"2026-11-{day:02d} 00:00"
        expected += [
            (owner, "respond", f"overdue:{day}", sent),
            (the_dpo, "respond", f"overdue:{day}", sent),
        ]
    assert sorted(reminders(), key=_order) == sorted(expected, key=_order)
    respond = clock_of(case["reference"], "respond")
    assert respond.breached_at == respond.due_at == local(2026, 10, 30, 23, 59, 59)
    assert clock_of(case["reference"], "acknowledge").breached_at is not None
    events = api.get(f"/api/v1/cases/{case['reference']}/events").get_json()
    breaches = [(e["action"], e["source"], e["reason"]) for e in events if e["action"] == "breach"]
    assert breaches == [
        ("breach", "scheduler", "the acknowledge deadline passed unmet"),
        ("breach", "scheduler", "the respond deadline passed unmet"),
    ]


def _order(row):
    return (row[3], row[1], row[2], row[0])


def test_reminders_carry_case_facts_and_no_personal_data(api, clock, staff, sweep):
    case = api.create(owner=staff.email, summary="My neighbour Hans Muster reads my mail.")
    sweep(clock.at + timedelta(days=40))
    messages = _outbox_rows()
    assert messages
    payload = messages[-1].payload
    assert payload["topic"] == "reminder"
    assert payload["reference"] == case["reference"]
    assert {"clock", "clock_due_at", "threshold", "overdue", "version", "link"} <= set(payload)
    text = json.dumps([m.payload for m in messages])
    for personal in ("Erika", "erika@example.org", "Hans Muster"):
        assert personal not in text


def test_after_three_days_down_one_catch_up_reminder_per_clock(
    api, clock, staff, dpo, sweep, reminders
):
    case = api.create(owner=staff.email)
    respond = clock_of(case["reference"], "respond")
    sweep(respond.due_at - timedelta(days=1))
    assert [r[1:3] for r in reminders() if r[1] == "respond"] == [("respond", "2d")]

    sweep(respond.due_at + timedelta(days=2, hours=1))
    before = len(reminders())
    sweep(respond.due_at + timedelta(days=5, hours=1))
    sweep()
    new = reminders()[before:]
    assert sorted(r for r in new if r[1] == "respond") == sorted(
        [
            (f"staff:{staff.id}", "respond", "overdue:5", new[0][3]),
            (f"staff:{dpo.id}", "respond", "overdue:5", new[0][3]),
        ]
    )
    acknowledge = [r[2] for r in new if r[1] == "acknowledge"]
    assert len(acknowledge) == 2
    assert acknowledge[0] == acknowledge[1]
    assert acknowledge[0].startswith("overdue:")


def test_hold_pauses_reminders_and_resume_and_extend_recompute_them(
    api, clock, staff, sweep, reminders
):
    case = eu_request(api, staff)
    case = api.act(case, "acknowledge").get_json()
    reference = case["reference"]
    case = api.act(case, "hold", reason="waiting for a copy of the ID").get_json()
    due = clock_of(reference, "respond").due_at
    sweep(due + timedelta(days=3))
    assert reminders() == []

    case = api.act(case, "resume").get_json()
    respond = clock_of(reference, "respond")
    assert respond.due_at > due + timedelta(days=3)
    seven = (respond.due_at.astimezone(BERLIN) - timedelta(days=7)).astimezone(UTC)
    sweep(seven - timedelta(minutes=1))
    assert reminders() == []
    sweep(seven)
    assert [r[2] for r in reminders()] == ["7d"]

    case = api.act(case, "extend", reason="complex request", clock="respond").get_json()
    sweep(clock.at + timedelta(hours=1))
    respond = clock_of(reference, "respond")
    sweep(respond.due_at - timedelta(days=1))
    assert [r[2] for r in reminders()] == ["7d", "2d"]

    assert api.act(case, "resolve", outcome="complied").status_code == 200
    sweep(respond.due_at + timedelta(days=10))
    assert [r[2] for r in reminders()] == ["7d", "2d"]
    assert clock_of(reference, "respond").next_reminder_at is None


def test_a_snoozed_clock_waits_then_sends_the_threshold_it_held_back(
    api, clock, staff, sweep, reminders
):
    case = api.create(owner=staff.email)
    reference = case["reference"]
    respond = clock_of(reference, "respond")
    sweep(respond.due_at - timedelta(hours=12))
    clock.set(respond.due_at - timedelta(hours=12))
    case_service.perform(
        db.session,
        reference=reference,
        action="snooze",
        version=case["version"],
        params={"clock": "respond"},
        actor=Actor.system(),
        source="slack",
    )
    before = [r for r in reminders() if r[1] == "respond"]
    sweep(respond.due_at + timedelta(hours=11))
    assert [r for r in reminders() if r[1] == "respond"] == before
    assert clock_of(reference, "respond").breached_at is not None
    sweep(respond.due_at + timedelta(hours=12))
    assert [r[2] for r in reminders() if r[1] == "respond"][len(before) :] == ["due"]


def test_one_failing_case_is_logged_and_the_others_get_their_reminders(
    api, clock, staff, sweep, monkeypatch, caplog
):
    bad = api.create(owner=staff.email)
    good = api.create(owner=staff.email)
    facts = notifications.facts

    def broken(case, **kwargs):
        if case.reference == bad["reference"]:
            raise RuntimeError("corrupt row")
        return facts(case, **kwargs)

    monkeypatch.setattr("casetracker.reminders.messages.facts", broken)
    with caplog.at_level(logging.ERROR):
        report = sweep(clock.at + timedelta(days=40))
    assert bad["reference"] in caplog.text
    assert report.errors == [bad["reference"], bad["reference"]]
    assert {m.payload["reference"] for m in _outbox_rows()} == {good["reference"]}

    monkeypatch.setattr("casetracker.reminders.messages.facts", facts)
    sweep(clock.at + timedelta(minutes=15))
    assert {m.payload["reference"] for m in _outbox_rows()} == {
        good["reference"],
        bad["reference"],
    }


def test_a_case_without_owner_is_reminded_in_the_cases_channel(api, clock, sweep, reminders):
    api.create()
    sweep(clock.at + timedelta(days=6))
    assert {r[0] for r in reminders()} == {notifications.CASES_CHANNEL}


def _outbox_rows():
    from sqlalchemy import select

    from casetracker.outbox.models import OutboxMessage

    query = select(OutboxMessage).where(OutboxMessage.topic == "reminder")
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))
