"""`flask demo load`."""

import sys

import click
from flask.cli import AppGroup

from casetracker import timesource
from casetracker.demo import data
from casetracker.demo import load as demo_load
from casetracker.extensions import db
from casetracker.policy import STAGES

group = AppGroup("demo", help="Demo data for trying casetracker out.")

LOAD_HELP = f"""Load a demo team and {len(data.CASES)} cases into an empty database.

The team is a DPO, an admin and four staff, each with a Slack user id and the dashboard
password {data.DEMO_PASSWORD}. The cases are complaints and data-subject requests from the EU,
the UK, Switzerland, Brazil, California and elsewhere, at every stage of their routes
(internal review, BBB, DPA panel, arbitration, ANPD; identity checks, in progress, closed),
received over the last four months: some overdue, on hold, extended, reopened or redirected;
and emails to privacy@: new ones waiting in the inbox, an auto-reply set aside, and answers
threaded onto cases.
Everything goes through the same services as real work, so clocks, audit events and Slack
outbox messages are all in place. Refuses to run if the database already holds cases.
"""


@group.command("load", help=LOAD_HELP)
@click.option(
    "--if-empty",
    is_flag=True,
    help="Succeed quietly when the database already holds data (for start-up scripts).",
)
def load(if_empty):
    """Load the demo data set."""
    try:
        summary = demo_load.load(db.session, now=timesource.now(), progress=click.echo)
    except demo_load.AlreadyLoaded as exc:
        if not if_empty:
            _fail(exc)
        click.echo(f"demo data not loaded: {exc}")
    except demo_load.DemoError as exc:
        _fail(exc)
    else:
        stages = ", ".join(f"{s} {summary.stages[s]}" for s in STAGES if summary.stages[s])
        click.echo(f"loaded {summary.staff} staff and {summary.cases} cases ({stages})")
        click.echo(f"{summary.overdue} cases are overdue and {summary.on_hold} on hold")
        click.echo(f"{summary.emails} emails: some wait in the inbox, some answer cases")
    dpo = data.dpo()
    click.echo(f"Sign in as {dpo.email} / {data.DEMO_PASSWORD}")


def _fail(exc: Exception):
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)
