"""The Systems page: the inventory, and for admins and the DPO, adding, reassigning, retiring."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from casetracker.extensions import db
from casetracker.people import service as people
from casetracker.policy import DATA_CONTEXTS, RIGHTS
from casetracker.systems import service

bp = Blueprint("systems", __name__, url_prefix="/systems")
MANAGERS = frozenset({"admin", "dpo"})


def manages_systems(staff) -> bool:
    """Tell whether this person may add, reassign and retire systems."""
    return staff.role in MANAGERS


@bp.before_request
@login_required
def _signed_in():
    """The inventory is for signed-in staff; changing it for admins and the DPO."""
    if request.method == "POST" and not manages_systems(current_user):
        abort(403, description="Only an admin or the DPO may change the systems inventory.")


@bp.get("")
def page():
    """List the systems, with the forms to change the inventory."""
    return _page({}, {})


@bp.post("")
def add():
    """Add a system from the form."""
    values = {
        "name": request.form.get("name", ""),
        "owner": request.form.get("owner", ""),
        "contexts": request.form.getlist("contexts"),
        "rights": request.form.getlist("rights"),
        "instructions": request.form.get("instructions", ""),
    }
    try:
        system = service.add_system(db.session, data=values)
    except ValidationError as exc:
        db.session.rollback()
        return _page(values, exc.normalized_messages(), status=422)
    flash(f"Added {system.name}.", "success")
    return redirect(url_for("systems.page"))


@bp.post("/<int(max=9223372036854775807):system_id>/owner")
def change_owner(system_id: int):
    """Give a system to another staff member."""
    system = _system(system_id)
    try:
        service.change_owner(
            db.session, system_id=system.id, data={"owner": request.form.get("owner", "")}
        )
    except ValidationError as exc:
        db.session.rollback()
        messages = exc.normalized_messages().get("owner", ["is not valid"])
        flash(f"{system.name} was not changed: owner {' '.join(messages)}.", "error")
        return redirect(url_for("systems.page"))
    flash(f"{system.name} now belongs to {system.owner.name}.", "success")
    return redirect(url_for("systems.page"))


@bp.post("/<int(max=9223372036854775807):system_id>/retire")
def retire(system_id: int):
    """Retire a system: new requests no longer get a task for it."""
    system = service.retire(db.session, system_id=_system(system_id).id)
    flash(f"Retired {system.name}: new requests no longer get a task for it.", "success")
    return redirect(url_for("systems.page"))


def _system(system_id: int):
    try:
        return service.get(db.session, system_id=system_id)
    except service.SystemNotFound:
        abort(404, description=f"There is no system with the id {system_id}.")


def _page(values: dict, errors: dict, *, status: int = 200):
    systems = service.inventory(db.session, include_retired=True)
    staff = [member for member in people.list_staff(db.session) if member.active]
    return render_template(
        "systems/systems.html",
        systems=systems,
        staff=staff,
        contexts=DATA_CONTEXTS,
        rights=RIGHTS,
        values=values,
        errors=errors,
        manages=manages_systems(current_user),
    ), status
