"""The DPO's access-log page: who saw the personal data of a case, or what one person saw."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from casetracker.accesslog import queries
from casetracker.extensions import db
from casetracker.people.models import Staff

bp = Blueprint("access_log_pages", __name__)
PAGE_SIZE = 50
SECTION_SIZE = 10
MAX_DIGITS = 9  # staff ids are 32-bit integers


@bp.before_request
@login_required
def _dpo_only():
    """The access log is for the DPO."""
    if not queries.may_read(current_user.role):
        abort(403, description="Only the DPO reads the access log.")


@bp.get("/access-log")
def page():
    """Show the views of one case's personal data (?case=) or by one staff member (?staff=)."""
    reference, staff_number = request.args.get("case"), request.args.get("staff")
    cursor = request.args.get("cursor") or None
    context = {"reference": None, "member": None, "log": None, "choices": []}
    try:
        if reference:
            case_id = queries.case_id_of(db.session, reference=reference)
            if case_id is None:
                abort(404, description=f"There is no case with the reference {reference}.")
            context["reference"] = reference
            context["log"] = queries.of_case(
                db.session, case_id=case_id, limit=PAGE_SIZE, cursor=cursor
            )
        elif staff_number:
            member = _member(staff_number)
            context["member"] = member
            context["log"] = queries.of_staff(
                db.session, staff_id=member.id, limit=PAGE_SIZE, cursor=cursor
            )
        else:
            context["choices"] = queries.staff_choices(db.session)
    except ValidationError:
        return redirect(url_for("access_log_pages.page", case=reference, staff=staff_number))
    return render_template("accesslog/log.html", **context)


def section(case_id: int) -> queries.Page | None:
    """Return the newest views of a case's personal data for the DPO's case page, else None."""
    if not queries.may_read(current_user.role):
        return None
    return queries.of_case(db.session, case_id=case_id, limit=SECTION_SIZE)


def _member(number: str) -> Staff:
    digits = number.isascii() and number.isdigit() and len(number) <= MAX_DIGITS
    member = db.session.get(Staff, int(number)) if digits else None
    if member is None:
        abort(404, description=f"There is no staff member #{number}.")
    return member
