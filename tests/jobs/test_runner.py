"""Each tick takes a lock, records its run, and survives a job that raises."""

from __future__ import annotations

import logging
from datetime import timedelta

from casetracker.extensions import db
from casetracker.jobs import locks, runner, schedule
from casetracker.jobs.models import SchedulerLease


def test_a_second_scheduler_skips_the_tick_the_first_holds(app, clock):
    with locks.tick(db.engine, "sla-sweep", now=clock.at) as held:
        assert held
        outcome = runner.run(app, "sla-sweep", now=clock.at)
        assert outcome.status == "skipped"
        assert runner.run(app, "digest", now=clock.at).status == "ok"
    assert runner.run(app, "sla-sweep", now=clock.at).status == "ok"


def test_a_lease_left_by_a_dead_scheduler_expires(app, clock):
    if db.engine.dialect.name != "sqlite":
        return  # advisory locks die with their connection
    dead = SchedulerLease(name="digest", holder="gone:1", expires_at=clock.at + locks.LEASE)
    db.session.add(dead)  # left behind by a scheduler that died mid-tick
    db.session.commit()
    assert runner.run(app, "digest", now=clock.at).status == "skipped"
    later = clock.at + locks.LEASE + timedelta(seconds=1)
    assert runner.run(app, "digest", now=later).status == "ok"


def test_a_failing_job_is_logged_recorded_and_stops_nothing(
    app, clock, api, staff, monkeypatch, caplog
):
    def explode(db_session, *, now):
        raise RuntimeError("disk full")

    failing = schedule.JOBS["digest"].__class__(
        "digest",
        explode,
        "broken",
        schedule.JOBS["digest"].trigger,
        schedule.JOBS["digest"].describe,
    )
    monkeypatch.setitem(schedule.JOBS, "digest", failing)
    api.create(owner=staff.email)
    with caplog.at_level(logging.ERROR):
        assert runner.run(app, "digest", now=clock.at).status == "failed"
    assert "disk full" in caplog.text
    swept = runner.run(app, "sla-sweep", now=clock.at + timedelta(days=6))
    assert swept.status == "ok"
    assert "1 reminders enqueued" in swept.summary
    runs = runner.last_runs(db.session)
    assert runs["digest"].outcome == "failed"
    assert "disk full" in runs["digest"].summary
    assert runs["sla-sweep"].outcome == "ok"
    assert runner.run(app, "digest", now=clock.at).status == "failed"


def test_jobs_run_prints_what_the_job_did(runner_cli, api, staff, clock):
    api.create(owner=staff.email)
    clock.advance(days=50)
    result = runner_cli.invoke(args=["jobs", "run", "sla-sweep"])
    assert result.exit_code == 0, result.output
    assert result.output == "sla-sweep: 2 reminders enqueued, 2 clocks breached\n"


def test_jobs_run_refuses_an_unknown_job_and_names_the_known_ones(runner_cli):
    result = runner_cli.invoke(args=["jobs", "run", "sweep"])
    assert result.exit_code == 2
    for name in ("sla-sweep", "deliver-outbox", "digest", "retention-purge"):
        assert name in result.output


def test_jobs_list_shows_schedules_and_last_runs(runner_cli, app, clock):
    runner.run(app, "retention-purge", now=clock.at)
    result = runner_cli.invoke(args=["jobs", "list"])
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "every 5 min" in lines["sla-sweep"]
    assert "never run" in lines["sla-sweep"]
    assert "daily at 08:00 Europe/Berlin" in lines["digest"]
    assert "2026-11-02 10:00 CET ok: 0 closed cases erased" in lines["retention-purge"]
