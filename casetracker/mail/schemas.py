"""Marshmallow schemas of the mail API: inbox items, a case's messages, its files."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casetracker.cases.schemas import CaseCreateSchema, ReplySchema, SubjectSchema
from casetracker.mail.models import INBOX_STATUSES
from casetracker.policy import RIGHTS

PII = {"description": "personal data: only for tokens with the pii scope"}
BINARY = {"type": "string", "format": "binary", "minLength": 1}
UPLOAD = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": BINARY,
        "task": {"type": "integer", "minimum": 1, "description": "the task whose result it is"},
    },
}
UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {"schema": UPLOAD}}}
REPLY_BODY = {"required": True, "content": {"application/json": {"schema": ReplySchema}}}


class InboxQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(INBOX_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class SenderDetailsSchema(SubjectSchema):
    """The individual as the client knows them; the address comes from the message."""

    class Meta:
        exclude = ("email",)

    name = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "default: the name the email was sent under"},
    )


class OpenFromMailSchema(CaseCreateSchema):
    """A new case from an inbox item: as POST /cases, but channel, received_at and the
    subject's email come from the message."""

    class Meta:
        exclude = ("channel", "received_at")

    summary = fields.String(
        validate=validate.Length(min=1, max=5000),
        metadata={"description": "default: the email's subject and text"},
    )
    subject = fields.Nested(SenderDetailsSchema, required=True)

    # The document tells the kinds apart as POST /cases does (casetracker.api.OneOfVariants).
    OPENAPI_ONE_OF = (
        "kind",
        {"complaint": "OpenComplaintFromMailSchema", "request": "OpenRequestFromMailSchema"},
    )


class OpenComplaintFromMailSchema(OpenFromMailSchema):
    """A complaint opened from an inbox item: it names no right."""

    class Meta:
        exclude = ("channel", "received_at", "right")

    kind = fields.String(required=True, validate=validate.OneOf(("complaint",)))


class OpenRequestFromMailSchema(OpenFromMailSchema):
    """A data-subject request opened from an inbox item: it names the right exercised."""

    kind = fields.String(required=True, validate=validate.OneOf(("request",)))
    right = fields.String(required=True, validate=validate.OneOf(RIGHTS))


class LinkMessageSchema(Schema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=20))


class IgnoreMessageSchema(Schema):
    reason = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=500),
            validate.Regexp(r"\s*\S", error="say why (1 to 500 characters)"),
        ],
        metadata={"description": "1 to 500 characters, not only spaces"},
    )


class MailFileSchema(Schema):
    """A file of an email or a case; ``refused`` says why its bytes were not kept."""

    id = fields.Integer()
    filename = fields.String(metadata=PII)
    size = fields.Integer()
    content_type = fields.String()
    refused = fields.String(allow_none=True)


class UploadedFileSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    sha256 = fields.String()


class InboxItemSchema(Schema):
    id = fields.Integer()
    received_at = fields.AwareDateTime()
    status = fields.String(metadata={"description": ", ".join(INBOX_STATUSES)})
    reason = fields.String(allow_none=True)
    case = fields.String(allow_none=True, metadata={"description": "the case's reference"})
    attachments = fields.Integer(metadata={"description": "number of files"})
    sender = fields.String(data_key="from", attribute="from", allow_none=True, metadata=PII)
    subject = fields.String(allow_none=True, metadata=PII)
    preview = fields.String(metadata=PII)


class InboxItemDetailSchema(InboxItemSchema):
    attachments = fields.List(fields.Nested(MailFileSchema))
    body = fields.String(allow_none=True, metadata=PII)


class InboxPageSchema(Schema):
    items = fields.List(fields.Nested(InboxItemSchema))
    next_cursor = fields.String(allow_none=True)


class CaseMessageSchema(Schema):
    id = fields.Integer()
    direction = fields.String(metadata={"description": "in or out"})
    at = fields.AwareDateTime(metadata={"description": "received, or queued and then sent"})
    status = fields.String()
    sender = fields.String(data_key="from", attribute="from", allow_none=True, metadata=PII)
    to = fields.String(allow_none=True, metadata=PII)
    subject = fields.String(allow_none=True, metadata=PII)
    body = fields.String(allow_none=True, metadata=PII)
    attachments = fields.List(fields.Nested(MailFileSchema))


class CaseMessagesSchema(Schema):
    items = fields.List(fields.Nested(CaseMessageSchema))
