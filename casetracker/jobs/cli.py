"""`flask jobs run NAME`, `flask jobs list` and `flask scheduler`."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from casetracker import timesource
from casetracker.extensions import db
from casetracker.jobs import runner, scheduler
from casetracker.jobs.schedule import JOBS

JOB_LIST = "\n".join(f"  {name:<16} {job.help}" for name, job in JOBS.items())


@click.group(
    "jobs",
    help="Run a scheduled job once, or list the jobs with their schedule and last run.",
)
def jobs_group() -> None:
    pass


@jobs_group.command(
    "run",
    help=f"Run job NAME once now and print what it did.\n\nJobs:\n\n\b\n{JOB_LIST}",
)
@click.argument("name", type=click.Choice(list(JOBS)), metavar="NAME")
@with_appcontext
def run_command(name: str) -> None:
    outcome = runner.run(current_app._get_current_object(), name)
    click.echo(str(outcome))
    if outcome.status == "failed":
        raise SystemExit(1)


@jobs_group.command("list", help="Show each job's schedule and its last run.")
@with_appcontext
def list_command() -> None:
    runs = runner.last_runs(db.session)
    tz = timesource.team_tz()
    for name, job in JOBS.items():
        run = runs.get(name)
        last = "never run"
        if run is not None:
            when = run.finished_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
            last = f"{when} {run.outcome}: {run.summary}"
        click.echo(f"{name:<16} {job.describe(current_app.config):<32} {last}")


@click.command(
    "scheduler",
    help="Run the scheduled jobs in this process until SIGTERM or Ctrl-C. In production run"
    " exactly one, with CASETRACKER_SCHEDULER=off in the web workers.",
)
@with_appcontext
def scheduler_command() -> None:
    app = current_app._get_current_object()
    if app.config["CASETRACKER_SCHEDULER"] == "embedded":
        click.echo(
            "warning: CASETRACKER_SCHEDULER=embedded: web servers run jobs too (the tick lock"
            " keeps them from running the same tick twice)",
            err=True,
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    click.echo("scheduler running: " + ", ".join(JOBS) + " (Ctrl-C stops)")
    scheduler.run_forever(app)
