"""The daily `audit-verify` job checks every chain and tells the DPOs of a new break, once.

What it says names the case by reference, seq and reason: never the individual's data. It
changes no case, and shows on the Jobs page with its schedule and its last outcome.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from casetracker.cases import integrity, verify
from casetracker.cases.models import Case, Event
from casetracker.config import ConfigError, check, from_environment
from casetracker.extensions import db
from casetracker.jobs import runner, scheduler, status
from casetracker.outbox.models import OutboxMessage
from slackbot import blocks

JOB = "audit-verify"


def _told() -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.topic == "audit_break")
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _case_id(case: dict) -> int:
    return db.session.scalar(select(Case.id).where(Case.reference == case["reference"]))


def _two_cases(api) -> tuple[dict, dict]:
    worked = api.create()
    worked = api.act(worked, "note", text="Called the individual back.").get_json()
    return worked, api.create()


def test_an_intact_trail_is_recorded_as_intact_and_tells_nobody(app, api, dpo, clock):
    _two_cases(api)

    outcome = runner.run(app, JOB, now=clock.at)

    assert (outcome.status, outcome.summary) == ("ok", "2 cases, 3 events: intact")
    assert _told() == []
    shown = {s.name: s for s in status.statuses(db.session, config=app.config, now=clock.at)}
    assert shown[JOB].last_run.outcome == "ok"
    assert shown[JOB].last_run.summary == "2 cases, 3 events: intact"


def test_a_broken_chain_is_reported_to_the_dpo_once_without_personal_data(
    app, api, dpo, clock, tamper
):
    worked, untouched = _two_cases(api)
    reference = worked["reference"]
    victim = db.session.scalars(
        select(Event).where(Event.case_id == _case_id(worked), Event.seq == 2)
    ).one()
    tamper("UPDATE events SET reason = 'Routine check' WHERE id = :id", id=victim.id)
    events_before = db.session.scalar(select(func.count()).select_from(Event))

    first = runner.run(app, JOB, now=clock.at)

    assert first.status == "errors"
    assert first.summary.startswith("1 broken chain (1 newly reported): ")
    assert f"{reference}: seq 2 (event id {victim.id}): hash mismatch" in first.summary
    assert untouched["reference"] not in first.summary
    (message,) = _told()
    assert message.recipient == f"staff:{dpo.id}"
    assert message.payload["reference"] == reference
    assert message.payload["seq"] == 2
    assert message.payload["why"].startswith("hash mismatch")
    dm = blocks.message_for({"topic": message.topic, **message.payload})
    said = json.dumps(message.payload) + json.dumps(dm)
    assert f"*{reference}* is broken at seq 2: hash mismatch" in said
    for personal in ("erika", "Erika", "Mustermann", "example.org"):
        assert personal not in said
    shown = {s.name: s for s in status.statuses(db.session, config=app.config, now=clock.at)}
    assert shown[JOB].last_run.outcome == "errors"  # the Jobs page shows it as such
    # The check wrote no event: it is no change to any case.
    assert db.session.scalar(select(func.count()).select_from(Event)) == events_before

    clock.advance(days=1)
    second = runner.run(app, JOB, now=clock.at)

    assert second.status == "errors"
    assert second.summary.startswith("1 broken chain (0 newly reported): ")
    assert [m.id for m in _told()] == [message.id]


def test_a_second_broken_case_is_reported_on_its_own(app, api, dpo, clock, tamper):
    first, second = _two_cases(api)
    tamper("UPDATE events SET reason = 'x' WHERE case_id = :id AND seq = 1", id=_case_id(first))
    runner.run(app, JOB, now=clock.at)
    tamper("DELETE FROM events WHERE case_id = :id", id=_case_id(second))

    outcome = runner.run(app, JOB, now=clock.at)

    assert outcome.summary.startswith("2 broken chains (1 newly reported): ")
    told = _told()
    assert [m.payload["reference"] for m in told] == [first["reference"], second["reference"]]
    assert told[1].payload["seq"] is None
    assert told[1].payload["why"] == "no audit events: all were deleted"


def test_a_case_whose_break_changes_is_reported_again_once(app, api, dpo, clock, tamper):
    worked, _ = _two_cases(api)
    case_id = _case_id(worked)
    tamper("UPDATE events SET reason = 'x' WHERE case_id = :id AND seq = 2", id=case_id)
    runner.run(app, JOB, now=clock.at)
    clock.advance(days=1)
    # Someone comes back and removes the first record too: a different break, earlier on.
    tamper("DELETE FROM events WHERE case_id = :id AND seq = 1", id=case_id)

    changed = runner.run(app, JOB, now=clock.at)
    clock.advance(days=1)
    again = runner.run(app, JOB, now=clock.at)

    assert changed.summary.startswith("1 broken chain (1 newly reported): ")
    assert again.summary.startswith("1 broken chain (0 newly reported): ")
    told = _told()
    assert [(m.payload["reference"], m.payload["seq"]) for m in told] == [
        (worked["reference"], 2),
        (worked["reference"], 2),
    ]
    assert told[0].payload["why"].startswith("hash mismatch")
    assert told[1].payload["why"] != told[0].payload["why"]


def test_many_broken_chains_fit_the_jobs_page_and_say_where_the_rest_are(
    app, api, dpo, clock, tamper
):
    references = [api.create()["reference"] for _ in range(6)]
    tamper("UPDATE events SET reason = 'x'")

    outcome = runner.run(app, JOB, now=clock.at)

    assert outcome.summary.startswith("6 broken chains (6 newly reported): ")
    assert len(outcome.summary) < 500
    shown = [r for r in references if f"{r}: seq 1" in outcome.summary]
    assert len(shown) == integrity.SHOWN
    assert outcome.summary.endswith("and 3 more (flask --app wsgi audit verify lists them all)")
    assert len(_told()) == 6


def test_cases_are_written_while_the_check_reads_and_it_writes_nothing(
    app, api, clock, monkeypatch
):
    worked, _ = _two_cases(api)
    pages = verify._events
    written = []

    def one_event_a_page(db_session, *, case_id, batch):
        for row in pages(db_session, case_id=case_id, batch=1):
            if not written:  # a case is written between two pages of the check
                note = api.act(worked, "note", text="Second call about the newsletter.")
                written.append(note.status_code)
            yield row

    monkeypatch.setattr(verify, "_events", one_event_a_page)
    outcome = runner.run(app, JOB, now=clock.at)

    assert written == [200]
    assert (outcome.status, outcome.summary) == ("ok", "2 cases, 4 events: intact")
    with integrity.read_only(db.session) as reader, pytest.raises(DBAPIError):
        reader.execute(text("DELETE FROM audit_breaks"))


def test_the_job_is_scheduled_daily_at_a_quiet_hour_in_the_team_s_time_zone(app, clock):
    built = scheduler.build(app, BackgroundScheduler)
    built.start(paused=True)
    try:
        job = built.get_job(JOB)
        local = job.next_run_time.astimezone(ZoneInfo("Europe/Berlin"))
        assert (local.hour, local.minute) == (3, 0)
    finally:
        built.shutdown(wait=False)
    shown = {s.name: s for s in status.statuses(db.session, config=app.config, now=clock.at)}
    assert shown[JOB].schedule == "daily at 03:00 Europe/Berlin"
    assert shown[JOB].last_run is None
    assert not shown[JOB].late  # a daily job is not late before its first hour


def test_the_hour_is_a_setting_and_a_wrong_one_is_refused():
    settings = from_environment({"CASETRACKER_AUDIT_VERIFY_AT": "04:30"})
    assert settings["CASETRACKER_AUDIT_VERIFY_AT"] == "04:30"
    check(settings, development=True)
    assert from_environment({})["CASETRACKER_AUDIT_VERIFY_AT"] == "03:00"
    with pytest.raises(ConfigError, match="CASETRACKER_AUDIT_VERIFY_AT"):
        check(from_environment({"CASETRACKER_AUDIT_VERIFY_AT": "3am"}), development=True)
