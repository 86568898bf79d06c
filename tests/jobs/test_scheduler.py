"""The scheduler holds every job once, with deliberate misfire settings, started only to serve."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler

from casetracker import create_app, timesource
from casetracker.extensions import db
from casetracker.jobs import scheduler
from casetracker.jobs.schedule import JOBS


def test_every_job_is_scheduled_under_its_fixed_id(app):
    built = scheduler.build(app, BackgroundScheduler)
    jobs = {job.id: job for job in built.get_jobs()}
    assert set(jobs) == {
        "sla-sweep",
        "deliver-outbox",
        "fetch-mail",
        "identity-reminders",
        "digest",
        "retention-purge",
        "audit-verify",
    }
    for job in jobs.values():
        assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (300, True, 1)
    digest = jobs["digest"].trigger
    assert str(digest.timezone) == "Europe/Berlin"
    assert "hour='8'" in str(digest)
    assert "minute='0'" in str(digest)
    assert jobs["sla-sweep"].trigger.interval.total_seconds() == 300


def test_embedded_mode_starts_one_scheduler_at_the_first_request(app, monkeypatch):
    started = []

    class Recording(BackgroundScheduler):
        def start(self, *args, **kwargs):
            started.append(self)

        @property
        def running(self):
            return False

    monkeypatch.setattr(scheduler, "BackgroundScheduler", Recording)
    embedded = create_app({**app.config, "CASETRACKER_SCHEDULER": "embedded"})
    assert started == []  # building the app (as `flask db upgrade` does) starts nothing
    client = embedded.test_client()
    client.get("/healthz")
    client.get("/healthz")
    with embedded.app_context():
        db.engine.dispose()
    assert len(started) == 1
    assert {job.id for job in started[0].get_jobs()} == set(JOBS)


def test_off_mode_never_starts_a_scheduler(app, monkeypatch):
    started = []
    monkeypatch.setattr(scheduler, "start_embedded", started.append)
    off = create_app({**app.config, "CASETRACKER_SCHEDULER": "off"})
    client = off.test_client()
    answers = [client.get("/healthz") for _ in range(2)]
    with off.app_context():
        db.engine.dispose()
    assert [(answer.status_code, answer.get_json()) for answer in answers] == [
        (200, {"status": "ok"}),
        (200, {"status": "ok"}),
    ]
    assert started == []


def test_interval_jobs_run_at_start_and_daily_ones_at_their_time(app):
    built = scheduler.build(app, BackgroundScheduler)
    built.start(paused=True)
    try:
        jobs = {job.id: job for job in built.get_jobs()}
        soon = timesource.system_now() + timedelta(seconds=5)
        assert jobs["sla-sweep"].next_run_time <= soon
        assert jobs["deliver-outbox"].next_run_time <= soon
        assert jobs["digest"].next_run_time.astimezone(ZoneInfo("Europe/Berlin")).hour == 8
    finally:
        built.shutdown(wait=False)
