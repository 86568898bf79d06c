"""Whether the scheduled jobs are running: each job's last run, and which ones are late.

Reminders reach owners only while a scheduler runs `sla-sweep` and `deliver-outbox`. If no
scheduler process runs (never started, crashed, misconfigured), nothing fails loudly:
deadlines simply pass without warnings. The dashboard shows this status, and a banner on
every page while a job is late.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from casetracker.jobs import runner
from casetracker.jobs.models import JobRun
from casetracker.jobs.schedule import JOBS

# An interval job is late after this many missed intervals; a daily one after this long.
MISSED_INTERVALS = 3
DAILY_GRACE = timedelta(hours=26)


@dataclass(frozen=True)
class JobStatus:
    name: str
    help: str
    schedule: str
    last_run: JobRun | None
    late: bool


def statuses(db_session: Session, *, config: Mapping, now: datetime) -> list[JobStatus]:
    """Return every job with its schedule, its last run and whether it is late."""
    runs = runner.last_runs(db_session)
    return [
        JobStatus(
            name=name,
            help=job.help,
            schedule=job.describe(config),
            last_run=runs.get(name),
            late=job.enabled(config)
            and _late(runs.get(name), allowed=_allowed_gap(job.trigger(config)), now=now),
        )
        for name, job in JOBS.items()
    ]


def late(db_session: Session, *, config: Mapping, now: datetime) -> list[JobStatus]:
    """Return the jobs that should have run by now and have not."""
    return [status for status in statuses(db_session, config=config, now=now) if status.late]


def _allowed_gap(trigger) -> timedelta | None:
    """How long a job may go without a run; None: not checked before its first run."""
    if isinstance(trigger, IntervalTrigger):
        return trigger.interval * MISSED_INTERVALS
    return None


def _late(run: JobRun | None, *, allowed: timedelta | None, now: datetime) -> bool:
    if run is None:
        # Interval jobs run as soon as a scheduler starts; a daily job waits for its hour.
        return allowed is not None
    return now - run.finished_at > (allowed or DAILY_GRACE)
