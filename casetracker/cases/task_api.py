"""REST endpoints for a request's tasks: list them, and set one's status."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from casetracker.accesslog import service as accesslog
from casetracker.cases import service, task_queries
from casetracker.cases.http import json_object, or_abort
from casetracker.cases.task_schemas import TaskBodyVariants, TaskListSchema, TaskSchema, task_view
from casetracker.cases.tasks import find
from casetracker.extensions import db
from casetracker.people.auth import token_required

BODY = {"required": True, "content": {"application/json": {"schema": TaskBodyVariants}}}
bp = Blueprint("tasks", __name__, url_prefix="/api/v1", description="Tasks on requests")


@bp.route("/cases/<reference>/tasks")
class CaseTasks(MethodView):
    decorators = (token_required,)

    @bp.response(200, TaskListSchema)
    def get(self, reference):
        """List the request's tasks, one per system that holds the data."""
        case = or_abort(lambda: service.get_case(db.session, reference=reference))
        return {"items": _shown(case, task_queries.of_case(db.session, case_id=case.id))}


@bp.route("/cases/<reference>/tasks/<int(min=1, max=9223372036854775807):task_id>")
class CaseTask(MethodView):
    decorators = (token_required,)

    @bp.doc(requestBody=BODY)
    @bp.response(200, TaskSchema)
    def post(self, reference, task_id):
        """Set a task's status (its owner, the case owner or the DPO); the same twice is 409."""
        body = json_object()
        case = or_abort(
            lambda: service.perform(
                db.session,
                reference=reference,
                action="update_task",
                version=service.CURRENT,
                params={**body, "task": task_id},
                actor=g.actor,
                source="api",
            )
        )
        return _shown(case, [find(case, task_id)])[0]


def _shown(case, tasks) -> list[dict]:
    """Present the tasks, recording the view when their notes go out (pii scope)."""
    views = [task_view(task, with_note=g.actor.sees_pii) for task in tasks]
    if any(view["note"] for view in views):
        accesslog.record_answer(db.session, actor=g.actor, seen=[(case.id, None)])
    return views
