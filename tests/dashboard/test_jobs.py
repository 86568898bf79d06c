"""The scheduled jobs page, and the banner on every page while reminders are not going out."""

from __future__ import annotations

import re

from casetracker.extensions import db
from casetracker.jobs import runner
from casetracker.jobs.models import JobRun
from tests.audit.conftest import tamper
from tests.dashboard.conftest import open_case

BANNER = "Deadline reminders may not be going out."


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _run(app, *names):
    for name in names:
        runner.run(app, name)
    db.session.expire_all()


def test_without_a_scheduler_every_page_warns_that_reminders_are_not_going_out(web, priya):
    web.sign_in(priya.email)
    for path in ("/escalations", "/my-cases", "/outbox"):
        page = _text(web.get(path).text)
        assert BANNER in page
        assert "sla-sweep has never run; deliver-outbox has never run." in page
        assert "digest" not in page.split(BANNER)[1].split("Scheduled jobs")[0]


def test_the_jobs_page_shows_each_jobs_schedule_and_last_run(web, priya, app):
    _run(app, "sla-sweep", "deliver-outbox", "retention-purge")
    web.sign_in(priya.email)
    page = _text(web.get("/jobs").text)
    assert BANNER not in page
    assert "sla-sweep enqueue due SLA reminders" in page
    assert "every 5 min" in page
    assert "daily at 08:00 Europe/Berlin never" in page  # the digest, not yet due
    assert "OK" in page
    assert "Late" not in page


def test_a_job_that_missed_three_runs_is_late(web, priya, app, clock):
    _run(app, "sla-sweep", "deliver-outbox")
    clock.advance(minutes=2)
    _run(app, "deliver-outbox")
    clock.advance(minutes=14)  # the sweep last ran 16 minutes ago; every 5 min expected
    _run(app, "deliver-outbox")
    web.sign_in(priya.email)
    page = _text(web.get("/my-cases").text)
    assert "sla-sweep last ran 16 minutes ago." in page
    assert "deliver-outbox" not in page.split(BANNER)[1].split("Scheduled jobs")[0]
    assert _text(web.get("/jobs").text).count("Late") == 1


def test_a_daily_job_silent_for_more_than_a_day_is_late(web, priya, app, clock):
    _run(app, "retention-purge")
    clock.advance(days=1, hours=3)
    _run(app, "sla-sweep", "deliver-outbox")
    web.sign_in(priya.email)
    page = _text(web.get("/my-cases").text)
    assert "retention-purge last ran 27 hours ago." in page


def test_a_failed_run_is_shown_with_its_error(web, priya, app, clock):
    _run(app, "sla-sweep", "deliver-outbox")
    failed = db.session.get(JobRun, "sla-sweep")
    failed.outcome, failed.summary = "failed", "failed: OperationalError: server closed"
    db.session.commit()
    web.sign_in(priya.email)
    page = _text(web.get("/jobs").text)
    assert "Failed failed: OperationalError: server closed" in page


def test_the_jobs_page_needs_a_signed_in_user(web):
    response = web.get("/jobs")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_error_pages_do_not_query_the_scheduler_state(web, priya, app, monkeypatch):
    web.sign_in(priya.email)

    def broken(*args, **kwargs):
        raise AssertionError("the 404 page asked for the jobs' state")

    monkeypatch.setattr(runner, "last_runs", broken)
    assert web.get("/cases/PC-2026-99999").status_code == 404


def test_a_broken_audit_chain_shows_as_an_error_on_the_jobs_page(web, priya, app):
    case = open_case(priya)
    tamper("UPDATE events SET reason = 'Routine check' WHERE case_id = :id", id=case.id)
    _run(app, "audit-verify")
    web.sign_in(priya.email)
    page = _text(web.get("/jobs").text)
    assert "audit-verify check every case" in page
    assert "daily at 03:00 Europe/Berlin" in page
    assert f"Errors 1 broken chain (1 newly reported): {case.reference}: seq 1" in page
