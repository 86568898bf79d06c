"""How the API answers about cases: a case with its clocks, a page of cases, an audit event."""

from __future__ import annotations

from marshmallow import Schema, fields

from casetracker.cases.schemas import SubjectSchema


class ClockSchema(Schema):
    name = fields.String()
    started_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(metadata={"description": "the legal due time: the deadline"})
    target_at = fields.AwareDateTime(
        allow_none=True,
        metadata={
            "description": "the company's own promise when earlier than the legal due time;"
            " reminders aim at it"
        },
    )
    original_due_at = fields.AwareDateTime(allow_none=True)
    paused = fields.Boolean()
    met_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "when the clock stopped (see ended_by)"}
    )
    ended_by = fields.String(
        allow_none=True,
        metadata={
            "description": "the action that stopped the clock without meeting it (escalate:"
            " the case was escalated out of the clock's stages); null while running or once met"
        },
    )
    breached = fields.Boolean()
    extension_reason = fields.String(allow_none=True)
    extension_told_at = fields.AwareDateTime(allow_none=True)
    source = fields.String(metadata={"description": "the rule this deadline comes from"})


class CaseSchema(Schema):
    """A case as the API returns it; ``subject`` only for tokens with the pii scope."""

    reference = fields.String()
    kind = fields.String()
    jurisdiction = fields.String()
    data_context = fields.String()
    right = fields.String(allow_none=True)
    route = fields.String()
    stage = fields.String()
    status = fields.String()
    owner = fields.String(allow_none=True)
    priority = fields.String()
    outcome = fields.String(allow_none=True)
    version = fields.Integer()
    channel = fields.String()
    body_reference = fields.String(allow_none=True)
    hold_reason = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    next_due_at = fields.AwareDateTime(allow_none=True)
    clocks = fields.List(fields.Nested(ClockSchema))
    allowed_actions = fields.List(fields.String())
    links = fields.Dict(keys=fields.String(), values=fields.String())
    summary = fields.String(allow_none=True)
    subject = fields.Nested(SubjectSchema, allow_none=True)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSchema))
    next_cursor = fields.String(allow_none=True)


class EventSchema(Schema):
    seq = fields.Integer(metadata={"description": "1, 2, 3... within the case"})
    hash = fields.String(
        metadata={"description": "hex SHA-256 chaining the event to the one before it"}
    )
    at = fields.AwareDateTime()
    actor_type = fields.String()
    actor = fields.String()
    source = fields.String()
    action = fields.String()
    before = fields.Dict()
    after = fields.Dict()
    reason = fields.String(allow_none=True)
