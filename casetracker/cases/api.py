"""REST endpoints for cases: thin adapters over the case service."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from casetracker import timesource
from casetracker.accesslog import service as accesslog
from casetracker.api import variants
from casetracker.cases import actions, listing, records, service
from casetracker.cases.http import json_object, or_abort
from casetracker.cases.presenters import case_view
from casetracker.cases.representations import CasePageSchema, CaseSchema, EventSchema
from casetracker.cases.schemas import CaseCreateSchema, CaseListQuerySchema
from casetracker.database import kept_loaded
from casetracker.extensions import db
from casetracker.people.auth import token_required


def _json_body(schema) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _version() -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1),
        metadata={"description": "the case's version you read; a stale one answers 409"},
    )


def _action_body(action: actions.Action) -> type[Schema]:
    """Return the body of one action as documented: the envelope and the action's fields.

    The API reads the envelope with ActionRequestSchema and the fields with the action's own
    schema (in service.perform), which refuses unknown fields: the same body in two steps.
    """
    name = "".join(word.title() for word in action.name.split("_")) + "ActionSchema"
    envelope = {
        "action": fields.String(required=True, validate=validate.OneOf((action.name,))),
        "version": _version(),
    }
    body = type(name, (action.schema,), envelope)
    shaped = getattr(action.schema, "VARIANTS", None)
    if shaped is None:
        return body
    field, values, requires = shaped
    return variants(body, field, values, requires=requires)


class ActionRequestSchema(Schema):
    """An action on a case: its name, the version read, and the action's own fields."""

    OPENAPI_ONE_OF = (
        "action",
        {name: _action_body(actions.BY_NAME[name]) for name in actions.OFFERED},
    )

    class Meta:
        unknown = INCLUDE

    action = fields.String(required=True, validate=validate.OneOf(actions.OFFERED))
    version = _version()


bp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="Complaints and requests")
SOURCE = "api"


@bp.route("")
class Cases(MethodView):
    decorators = (token_required,)

    @bp.arguments(CaseListQuerySchema, location="query")
    @bp.response(200, CasePageSchema)
    def get(self, query):
        """List cases, newest first, or by next due time with overdue/due_before."""
        try:
            page = listing.list_cases(db.session, now=timesource.now(), **query)
        except ValidationError as exc:
            abort(422, errors=exc.messages)
        now = timesource.now()
        items = [case_view(case, actor=g.actor, now=now) for case in page.items]
        accesslog.record_answer(db.session, actor=g.actor, seen=[(c.id, None) for c in page.items])
        return {"items": items, "next_cursor": page.next_cursor}

    @bp.doc(requestBody=_json_body(CaseCreateSchema))
    @bp.response(201, CaseSchema)
    def post(self):
        """Open a complaint or request; its clocks start from received_at."""
        with kept_loaded(db.session):
            case = or_abort(
                lambda: service.create_case(
                    db.session, data=json_object(), actor=g.actor, source=SOURCE
                )
            )
            return case_view(case, actor=g.actor, now=timesource.now())


@bp.route("/<reference>")
class CaseItem(MethodView):
    decorators = (token_required,)

    @bp.response(200, CaseSchema)
    def get(self, reference):
        """Return one case with its clocks and the actions allowed now."""
        case = or_abort(lambda: records.read_case(db.session, reference=reference))
        view = case_view(case, actor=g.actor, now=timesource.now())
        accesslog.record_answer(db.session, actor=g.actor, seen=[(case.id, None)])
        return view


@bp.route("/<reference>/actions")
class CaseActions(MethodView):
    decorators = (token_required,)

    @bp.doc(requestBody=_json_body(ActionRequestSchema))
    @bp.response(200, CaseSchema)
    @bp.alt_response(409, description="not allowed now, or a stale version")
    def post(self, reference):
        """Apply one action (acknowledge, escalate, resolve…) at the version you read."""
        body = or_abort(lambda: ActionRequestSchema().load(json_object()))
        params = {k: v for k, v in body.items() if k not in ("action", "version")}
        with kept_loaded(db.session):
            case = or_abort(
                lambda: service.perform(
                    db.session,
                    reference=reference,
                    action=body["action"],
                    version=body["version"],
                    params=params,
                    actor=g.actor,
                    source=SOURCE,
                )
            )
            view = case_view(case, actor=g.actor, now=timesource.now())
            accesslog.record_answer(db.session, actor=g.actor, seen=[(case.id, None)])
            return view


@bp.route("/<reference>/events")
class CaseEvents(MethodView):
    decorators = (token_required,)

    @bp.response(200, EventSchema(many=True))
    def get(self, reference):
        """Return the audit trail, oldest first."""
        return or_abort(lambda: service.events_of(db.session, reference=reference))
