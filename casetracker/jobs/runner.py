"""Run one job once: under its tick lock, with its failure logged and its run recorded."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker import timesource
from casetracker.extensions import db
from casetracker.jobs import locks
from casetracker.jobs.models import JobRun
from casetracker.jobs.schedule import JOBS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # ok, errors (some cases failed), failed or skipped
    summary: str

    def __str__(self) -> str:
        return f"{self.name}: {self.summary}"


def run(app: Flask, name: str, *, now: datetime | None = None) -> Outcome:
    """Run job ``name`` unless another scheduler is running it; never raise."""
    job = JOBS[name]
    with app.app_context():
        moment = now or timesource.now()
        try:
            with locks.tick(db.engine, name, now=moment) as held:
                if not held:
                    log.info("%s: another scheduler holds this tick; skipped", name)
                    return Outcome(name, "skipped", "skipped: another scheduler is running it")
                outcome = _run_held(job.run, name, moment)
                _record(db.session, outcome, started_at=moment)
                log.info("%s", outcome)
                return outcome
        except Exception as exc:  # the scheduler must keep ticking whatever a job does
            log.exception("%s: could not run", name)
            return Outcome(name, "failed", f"failed: {type(exc).__name__}: {exc}")
        finally:
            db.session.remove()


def last_runs(db_session: Session) -> dict[str, JobRun]:
    """Return the latest recorded run of each job, by name."""
    return {run.name: run for run in db_session.scalars(select(JobRun))}


def _run_held(func, name: str, now: datetime) -> Outcome:
    try:
        result = func(db_session=db.session, now=now)
    except Exception as exc:
        db.session.rollback()
        log.exception("%s failed", name)
        return Outcome(name, "failed", f"failed: {type(exc).__name__}: {exc}"[:500])
    status = "errors" if getattr(result, "errors", None) else "ok"
    return Outcome(name, status, str(result)[:500])


def _record(db_session: Session, outcome: Outcome, *, started_at: datetime) -> None:
    run = db_session.get(JobRun, outcome.name) or JobRun(name=outcome.name)
    run.started_at = started_at
    run.finished_at = timesource.now()
    run.outcome = outcome.status
    run.summary = outcome.summary
    db_session.add(run)
    db_session.commit()
