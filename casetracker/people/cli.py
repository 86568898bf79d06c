"""`flask staff add` and `flask tokens create`."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from casetracker.clierrors import refuse
from casetracker.extensions import db
from casetracker.people import service

staff_group = AppGroup("staff", help="Manage the privacy team's accounts.")
tokens_group = AppGroup("tokens", help="Issue API tokens for integrations.")


@staff_group.command("add")
@click.option("--name", required=True, help="Full name, as shown to colleagues.")
@click.option("--email", required=True, help="Work email; also the sign-in name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["staff", "dpo", "admin"]),
    help="staff works cases; dpo also reopens cases and sees all personal data;"
    " admin manages accounts.",
)
@click.option("--slack-user-id", help="Slack member id (U…), so the person can act from Slack.")
@click.option(
    "--password-stdin", is_flag=True, help="Read a dashboard password from standard input."
)
def add_staff(name, email, role, slack_user_id, password_stdin):
    """Add a staff member."""
    password = _read_password() if password_stdin else None
    data = {"name": name, "email": email, "role": role}
    if slack_user_id:
        data["slack_user_id"] = slack_user_id
    try:
        staff = service.add_staff(db.session, data=data, password=password)
    except ValidationError as exc:
        refuse(exc)
    click.echo(f"added {staff.email} ({staff.role})")


@tokens_group.command("create")
@click.option("--staff", "staff_email", required=True, help="Email of the staff member it acts as.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["pii"]),
    help="pii: may read the individual's personal data.",
)
def create_token(staff_email, scopes):
    """Create an API token and print it alone on stdout (it is shown only once)."""
    try:
        token = service.create_token(db.session, data={"staff": staff_email, "scopes": scopes})
    except ValidationError as exc:
        refuse(exc)
    click.echo(token)


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        raise click.UsageError("--password-stdin: the password needs at least 12 characters")
    return password
