"""The DPO's reads of the access log: per case and per staff member."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import ValidationError

from casetracker.accesslog import queries
from casetracker.accesslog.schemas import (
    AccessLogPageSchema,
    AccessLogQuerySchema,
    StaffAccessLogQuerySchema,
)
from casetracker.extensions import db
from casetracker.people.auth import token_required

bp = Blueprint(
    "access_log", __name__, url_prefix="/api/v1", description="Who saw personal data (the DPO)"
)
DPO_ONLY = "only the DPO reads the access log"


@bp.route("/cases/<reference>/access-log")
class CaseAccessLog(MethodView):
    decorators = (token_required,)

    @bp.arguments(AccessLogQuerySchema, location="query")
    @bp.response(200, AccessLogPageSchema)
    def get(self, query, reference):
        """List every view of the individual's personal data: who, when, how (the DPO)."""
        _require_dpo()
        case_id = queries.case_id_of(db.session, reference=reference)
        if case_id is None:
            abort(404, message=f"no case with reference {reference!r}")
        return _answer(lambda: queries.of_case(db.session, case_id=case_id, **query))


@bp.route("/access-log")
class StaffAccessLog(MethodView):
    decorators = (token_required,)

    @bp.arguments(StaffAccessLogQuerySchema, location="query")
    @bp.response(200, AccessLogPageSchema)
    def get(self, query):
        """List the views of personal data by one staff member, newest first (the DPO)."""
        _require_dpo()
        email = query.pop("staff")
        staff_id = queries.staff_id_of(db.session, email=email)
        if staff_id is None:
            abort(422, errors={"staff": [f"no staff member with email {email}"]})
        return _answer(lambda: queries.of_staff(db.session, staff_id=staff_id, **query))


def entry_view(entry: queries.Entry) -> dict:
    return {
        "id": entry.id,
        "at": entry.at,
        "staff": entry.staff_email,
        "staff_name": entry.staff_name,
        "actor": entry.actor,
        "channel": entry.channel,
        "case": entry.case,
        "what": entry.what,
    }


def _answer(read) -> dict:
    try:
        page = read()
    except ValidationError as exc:
        abort(422, errors=exc.messages)
    items = [entry_view(entry) for entry in page.items]
    return {"items": items, "next_cursor": page.next_cursor, "total": page.total}


def _require_dpo() -> None:
    if not queries.may_read(g.actor.role):
        abort(403, message=DPO_ONLY)
