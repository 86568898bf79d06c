"""Releasing the response to the individual from the case page, and revoking a link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from casetracker.cases import access
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseError, CaseNotFound
from casetracker.dashboard import case_pages
from casetracker.extensions import db
from casetracker.responses import service

bp = Blueprint("case_responses", __name__, url_prefix="/cases")


@bp.before_request
@login_required
def _signed_in():
    """The response panel is for signed-in staff; the workflow checks owner or DPO."""


@bp.post("/<reference>/response")
def release(reference: str):
    """Build and release the response from the panel's form."""
    case = _case(reference)
    data = {
        "attachment_ids": [int(i) for i in request.form.getlist("attachment_ids") if i.isdigit()],
        "days": request.form.get("days") or None,
        "max_downloads": request.form.get("max_downloads") or None,
    }
    data = {k: v for k, v in data.items() if v is not None}
    try:
        package = service.release(
            db.session, reference=reference, data=data,
            actor=access.web_actor(current_user, case), source="web",
        )  # fmt: skip
    except ValidationError as exc:
        return _again(reference, exc.normalized_messages(), 422)
    except CaseError as exc:
        return _again(reference, {"release": [exc.message]}, exc.status)
    flash(
        f"The response is ready for the individual (package #{package.id}): the link is on "
        "their status page and in the outcome email.",
        "success",
    )
    return redirect(url_for("case_pages.show", reference=reference, _anchor="response-title"))


@bp.post("/<reference>/response/<int(min=1, max=9223372036854775807):package_id>/revoke")
def revoke(reference: str, package_id: int):
    """Stop a response link at once."""
    case = _case(reference)
    try:
        service.revoke(
            db.session, reference=reference, package_id=package_id,
            actor=access.web_actor(current_user, case), source="web",
        )  # fmt: skip
    except ValidationError as exc:
        abort(404, description=" ".join(exc.normalized_messages()["package"]))
    except CaseError as exc:
        flash(exc.message, "error")
        return redirect(url_for("case_pages.show", reference=reference))
    flash(f"Response package #{package_id} revoked: its link no longer works.", "success")
    return redirect(url_for("case_pages.show", reference=reference, _anchor="response-title"))


def _case(reference: str):
    try:
        return case_service.get_case(db.session, reference=reference)
    except CaseNotFound:
        abort(404, description=f"There is no case with the reference {reference}.")


def _again(reference: str, errors: dict, status: int):
    """Show the case page again with the panel's errors; nothing was released."""
    db.session.expire_all()
    return case_pages.render_case_page(_case(reference), status, response_errors=errors)
