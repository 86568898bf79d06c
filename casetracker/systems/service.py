"""Add, reassign and retire systems; find those a request must reach."""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from casetracker import timesource
from casetracker.people import service as people
from casetracker.people.models import Staff
from casetracker.systems.models import System
from casetracker.systems.schemas import OwnerChangeSchema, SystemCreateSchema, flat_errors


class SystemNotFound(LookupError):
    """No system with that name or id."""


def add_system(db_session: Session, *, data: Mapping) -> System:
    """Validate and add a system; its name must be new."""
    errors: dict = {}
    try:
        fields = SystemCreateSchema().load(data)
    except ValidationError as exc:
        errors, fields = flat_errors(exc.normalized_messages()), exc.valid_data
    name, owner = fields.get("name"), None
    if name and db_session.scalar(select(System.id).where(System.name == name)) is not None:
        errors["name"] = [f"there is already a system called {name}"]
    if fields.get("owner"):
        try:
            owner = _owner(db_session, fields["owner"])
        except ValidationError as exc:
            errors.update(exc.normalized_messages())
    if errors:
        raise ValidationError(errors)
    system = System(
        name=fields["name"],
        owner=owner,
        contexts=sorted(set(fields["contexts"])),
        rights=sorted(set(fields["rights"])),
        instructions=fields["instructions"],
        created_at=timesource.now(),
    )
    db_session.add(system)
    db_session.commit()
    return system


def change_owner(db_session: Session, *, system_id: int, data: Mapping) -> System:
    """Give a system to another active staff member (open tasks keep their owner)."""
    fields = OwnerChangeSchema().load(data)
    system = get(db_session, system_id=system_id)
    system.owner = _owner(db_session, fields["owner"])
    db_session.commit()
    return system


def retire(db_session: Session, *, system_id: int) -> System:
    """Stop sending new requests' tasks to a system; its past tasks stay."""
    system = get(db_session, system_id=system_id)
    if system.retired_at is None:
        system.retired_at = timesource.now()
        db_session.commit()
    return system


def get(db_session: Session, *, system_id: int) -> System:
    system = db_session.get(System, system_id)
    if system is None:
        raise SystemNotFound(f"no system with id {system_id}")
    return system


def by_name(db_session: Session, *, name: str) -> System:
    system = db_session.scalar(select(System).where(System.name == name))
    if system is None:
        raise SystemNotFound(f"no system called {name!r}")
    return system


def inventory(db_session: Session, *, include_retired: bool = False) -> list[System]:
    """Return the systems by name, the active ones only unless asked."""
    query = select(System).options(joinedload(System.owner)).order_by(System.name)
    if not include_retired:
        query = query.where(System.retired_at.is_(None))
    return list(db_session.scalars(query))


def serving(db_session: Session, *, context: str, right: str | None) -> list[System]:
    """Return the active systems a request about ``context`` using ``right`` must reach."""
    return [s for s in inventory(db_session) if s.serves(context=context, right=right)]


def _owner(db_session: Session, email: str) -> Staff:
    return people.active_by_email(db_session, email, field="owner")
