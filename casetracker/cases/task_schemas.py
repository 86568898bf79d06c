"""What the task endpoints and the update_task action accept and show."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casetracker.api import variants
from casetracker.cases.task_models import TASK_STATUSES


class TaskUpdateSchema(Schema):
    """A task's new status; blocking needs a note saying why."""

    task = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    status = fields.String(required=True, validate=validate.OneOf(TASK_STATUSES))
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "what was found or done; required when blocked"},
    )

    @validates_schema
    def _blocked_says_why(self, data, **kwargs):
        if data.get("status") == "blocked" and not (data.get("note") or "").strip():
            raise ValidationError("say what blocks the task", field_name="note")


class TaskBodySchema(TaskUpdateSchema):
    """The body of ``POST /cases/<ref>/tasks/<id>``: the task comes from the path."""

    class Meta:
        exclude = ("task",)


# Documented as one body per status: blocking says why.
BLOCKED_NOTE = {"note": fields.String(required=True, validate=validate.Length(min=1, max=2000))}
TaskBodyVariants = variants(
    TaskBodySchema, "status", TASK_STATUSES, requires={"blocked": BLOCKED_NOTE}
)


class TaskSchema(Schema):
    id = fields.Integer()
    system = fields.String()
    owner = fields.String(metadata={"description": "the task owner's email"})
    status = fields.String(metadata={"enum": list(TASK_STATUSES)})
    due_at = fields.AwareDateTime()
    note = fields.String(
        allow_none=True,
        metadata={"description": "may quote the individual's data: only for the pii scope"},
    )
    finished_at = fields.AwareDateTime(allow_none=True)


class TaskListSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))


def task_view(task, *, with_note: bool) -> dict:
    """Return a task as the API shows it; its note, which may quote the individual's data,
    only ``with_note`` (the pii scope)."""
    return {
        "id": task.id,
        "system": task.system.name,
        "owner": task.owner.email,
        "status": task.status,
        "due_at": task.due_at,
        "note": task.note if with_note else None,
        "finished_at": task.finished_at,
    }
