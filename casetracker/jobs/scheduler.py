"""APScheduler wiring: the dedicated scheduler process, or one embedded in the web server.

Embedded mode starts a BackgroundScheduler on the first request a process serves, not in
create_app: `flask db upgrade`, `jobs run` and every other command build the app too, and
must not start a second scheduler. A gunicorn worker imports the app after forking, so the
thread lives in the worker that serves. Run exactly one serving process in this mode.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from casetracker import timesource
from casetracker.jobs import runner
from casetracker.jobs.schedule import JOBS

log = logging.getLogger(__name__)

EMBEDDED = "casetracker.jobs.embedded"
# Late runs within five minutes still happen (the default of 1 s silently drops a daily job
# delayed by a busy process); missed runs collapse into one; a job never overlaps itself.
JOB_DEFAULTS = {"misfire_grace_time": 300, "coalesce": True, "max_instances": 1}
_START_LOCK = threading.Lock()


def build(app: Flask, scheduler_class: type[BaseScheduler]) -> BaseScheduler:
    """Create a scheduler holding every job under its fixed id."""
    scheduler = scheduler_class(timezone=app.config["CASETRACKER_TIMEZONE"])
    for job in JOBS.values():
        trigger = job.trigger(app.config)
        # Interval jobs run at once on start, so a scheduler back from downtime catches up
        # now rather than one interval later; daily jobs keep their time of day.
        first = (
            {"next_run_time": timesource.system_now()}
            if isinstance(trigger, IntervalTrigger)
            else {}
        )
        scheduler.add_job(
            runner.run,
            trigger=trigger,
            args=(app, job.name),
            id=job.name,
            name=job.name,
            replace_existing=True,
            **first,
            **JOB_DEFAULTS,
        )
    return scheduler


def init_app(app: Flask) -> None:
    """In embedded mode, start the scheduler with the first request this process serves."""
    if app.config["CASETRACKER_SCHEDULER"] == "embedded":
        app.before_request(lambda: start_embedded(app))


def start_embedded(app: Flask) -> None:
    """Start this process's background scheduler, once."""
    if app.extensions.get(EMBEDDED) == os.getpid():
        return
    with _START_LOCK:
        if app.extensions.get(EMBEDDED) == os.getpid():
            return
        scheduler = build(app, BackgroundScheduler)
        scheduler.start()
        atexit.register(_stop, scheduler)
        app.extensions[EMBEDDED] = os.getpid()
        log.info("embedded scheduler started in process %s", os.getpid())


def _stop(scheduler: BaseScheduler) -> None:
    if scheduler.running:
        scheduler.shutdown(wait=False)


def run_forever(app: Flask) -> None:
    """Run the jobs in this process until SIGTERM or Ctrl-C; let a running tick finish."""
    scheduler = build(app, BlockingScheduler)

    def stop(signum, frame) -> None:
        log.info("scheduler: signal %s, stopping after the running jobs", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown(wait=True)
