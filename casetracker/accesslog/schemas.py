"""What the access-log endpoints accept and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casetracker.accesslog.models import CHANNELS


class AccessLogQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "next_cursor of the page before"},
    )


class StaffAccessLogQuerySchema(AccessLogQuerySchema):
    staff = fields.Email(required=True, metadata={"description": "the staff member's email"})


class AccessEntrySchema(Schema):
    id = fields.Integer()
    at = fields.AwareDateTime(metadata={"description": "when the data was shown (UTC)"})
    staff = fields.String(metadata={"description": "the staff member's email"})
    staff_name = fields.String()
    actor = fields.String(
        metadata={
            "description": "the viewer as the channel knows them: an email, or "
            "'email (token <prefix>)' for an API token"
        }
    )
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    case = fields.String(
        allow_none=True,
        metadata={"description": "the case's reference; null for an inbox email on no case"},
    )
    what = fields.String(
        metadata={"description": "what was shown: a page, an endpoint or an id, never the data"}
    )


class AccessLogPageSchema(Schema):
    items = fields.List(fields.Nested(AccessEntrySchema))
    next_cursor = fields.String(allow_none=True)
    total = fields.Integer(metadata={"description": "how many views there are in all"})
