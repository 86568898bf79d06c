"""The scheduled jobs page: when each job last ran, and whether the scheduler keeps up."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import login_required

from casetracker import timesource
from casetracker.extensions import db
from casetracker.jobs import status

bp = Blueprint("scheduled", __name__, url_prefix="/jobs")


@bp.before_request
@login_required
def _signed_in():
    """The jobs page is for signed-in staff."""


@bp.get("")
def jobs():
    """List each job's schedule and last run."""
    return render_template(
        "dashboard/jobs.html",
        jobs=status.statuses(db.session, config=current_app.config, now=timesource.now()),
    )


def late_jobs() -> list[status.JobStatus]:
    """The jobs that should have run by now: for the banner on every dashboard page."""
    return status.late(db.session, config=current_app.config, now=timesource.now())
