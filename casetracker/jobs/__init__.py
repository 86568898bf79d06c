"""Scheduled jobs: the registry, the tick lock, the APScheduler wiring and the CLI."""

from flask import Flask

from casetracker.jobs import cli, scheduler


def init_app(app: Flask) -> None:
    """Add the `jobs` and `scheduler` commands; in embedded mode, run the scheduler here."""
    app.cli.add_command(cli.jobs_group)
    app.cli.add_command(cli.scheduler_command)
    scheduler.init_app(app)
