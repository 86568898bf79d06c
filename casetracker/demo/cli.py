"""`flask demo load`."""

import click
from flask.cli import AppGroup

group = AppGroup("demo", help="Demo data for trying casetracker out.")


@group.command("load")
def load():
    """Load the demo data set."""
    click.echo("not yet")
