"""`flask systems add|list|owner|retire`: the inventory from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from casetracker.clierrors import refuse
from casetracker.extensions import db
from casetracker.policy import DATA_CONTEXTS, RIGHTS
from casetracker.systems import service

group = AppGroup("systems", help="Manage the inventory of systems that hold personal data.")


@group.command("add")
@click.option("--name", required=True, help="The system's name, e.g. CRM.")
@click.option("--owner", required=True, help="Email of the staff member who answers for it.")
@click.option(
    "--contexts",
    required=True,
    help=f"Comma-separated data contexts it holds: {', '.join(DATA_CONTEXTS)}.",
)
@click.option(
    "--rights",
    required=True,
    help=f"Comma-separated rights that need work in it: {', '.join(RIGHTS)}.",
)
@click.option("--instructions", help="What the owner does for a request; shown with each task.")
def add(name, owner, contexts, rights, instructions):
    """Add a system; requests entering work get a task for it when context and right match."""
    data = {"name": name, "owner": owner, "contexts": contexts, "rights": rights}
    if instructions:
        data["instructions"] = instructions
    try:
        system = service.add_system(db.session, data=data)
    except ValidationError as exc:
        refuse(exc)
    click.echo(f"added {system.name} (owner {system.owner.email})")


@group.command("list")
@click.option("--all", "include_retired", is_flag=True, help="Include retired systems.")
def list_systems(include_retired):
    """List the systems: name, owner, contexts, rights."""
    for system in service.inventory(db.session, include_retired=include_retired):
        state = "" if system.active else "  (retired)"
        click.echo(
            f"{system.name}\t{system.owner.email}\t{','.join(system.contexts)}\t"
            f"{','.join(system.rights)}{state}"
        )


@group.command("owner")
@click.argument("name")
@click.option("--owner", required=True, help="Email of the new owner.")
def change_owner(name, owner):
    """Give the system NAME to another staff member (new tasks go to them)."""
    try:
        system = service.by_name(db.session, name=name)
        service.change_owner(db.session, system_id=system.id, data={"owner": owner})
    except service.SystemNotFound as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from exc
    except ValidationError as exc:
        refuse(exc)
    click.echo(f"{system.name} now belongs to {system.owner.email}")


@group.command("retire")
@click.argument("name")
def retire(name):
    """Retire the system NAME: new requests no longer get a task for it."""
    try:
        system = service.by_name(db.session, name=name)
    except service.SystemNotFound as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from exc
    service.retire(db.session, system_id=system.id)
    click.echo(f"retired {system.name}")
