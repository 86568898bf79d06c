"""Marshmallow schemas of what comes in about cases: shared by the API, the dashboard forms and
Slack modals. What the API answers is in ``casetracker.cases.representations``."""

from __future__ import annotations

import pycountry
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casetracker.policy import DATA_CONTEXTS, JURISDICTIONS, KINDS, RIGHTS, STAGES

CHANNELS = ("web", "email", "phone", "letter", "api")
PRIORITIES = ("low", "normal", "high")
OUTCOMES = {
    "complaint": ("resolved", "not_upheld", "withdrawn"),
    "request": ("complied", "partially_complied", "denied", "withdrawn", "unverified"),
}
ALL_OUTCOMES = tuple(dict.fromkeys((*OUTCOMES["complaint"], *OUTCOMES["request"], "redirected")))
COUNTRIES = tuple(sorted(country.alpha_2 for country in pycountry.countries))


def _text(max_length: int, *, required: bool = False) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1, max=max_length),
        metadata={"description": f"1 to {max_length} characters"},
    )


class SubjectSchema(Schema):
    """The individual; personal data, shown only to those allowed to see it."""

    name = _text(200, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    country = fields.String(
        required=True,
        validate=validate.OneOf(
            COUNTRIES, error="unknown country code {input!r} (use ISO 3166-1 alpha-2, e.g. DE)"
        ),
    )
    agent_name = _text(200)
    agent_email = fields.Email(validate=validate.Length(max=254))
    identity_verified_at = fields.AwareDateTime(dump_only=True)


class CaseCreateSchema(Schema):
    """What a new complaint or request needs."""

    # The OpenAPI document tells the kinds apart (casetracker.api.OneOfVariants) as
    # _right_fits_kind does.
    OPENAPI_ONE_OF = (
        "kind",
        {"complaint": "ComplaintCreateSchema", "request": "RequestCreateSchema"},
    )

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    jurisdiction = fields.String(required=True, validate=validate.OneOf(JURISDICTIONS))
    data_context = fields.String(required=True, validate=validate.OneOf(DATA_CONTEXTS))
    right = fields.String(validate=validate.OneOf(RIGHTS))
    summary = _text(5000, required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    received_at = fields.AwareDateTime(metadata={"description": "default: now; not in the future"})
    subject = fields.Nested(SubjectSchema, required=True)
    owner = fields.Email(metadata={"description": "email of the staff member who owns the case"})
    priority = fields.String(validate=validate.OneOf(PRIORITIES), load_default="normal")

    @validates_schema
    def _right_fits_kind(self, data, **kwargs):
        if data.get("kind") == "request" and not data.get("right"):
            raise ValidationError("required for a request", "right")
        if data.get("kind") == "complaint" and data.get("right"):
            raise ValidationError("only requests name a right", "right")


class ComplaintCreateSchema(CaseCreateSchema):
    """A new complaint: it names no right."""

    class Meta:
        exclude = ("right",)

    kind = fields.String(required=True, validate=validate.OneOf(("complaint",)))


class RequestCreateSchema(CaseCreateSchema):
    """A new data-subject request: it names the right exercised."""

    kind = fields.String(required=True, validate=validate.OneOf(("request",)))
    right = fields.String(required=True, validate=validate.OneOf(RIGHTS))


class AssignSchema(Schema):
    owner = fields.Email(required=True)
    reason = _text(1000)


class NoteSchema(Schema):
    text = _text(5000, required=True)


class ReasonRequiredSchema(Schema):
    reason = _text(1000, required=True)


class OptionalReasonSchema(Schema):
    reason = _text(1000)


class ExtendSchema(Schema):
    reason = _text(1000, required=True)
    told_at = fields.AwareDateTime(
        metadata={"description": "when the individual was told (default: now)"}
    )
    clock = fields.String(validate=validate.Length(min=1, max=32))


class EscalateSchema(Schema):
    to_stage = fields.String(validate=validate.OneOf(STAGES))
    body_reference = _text(100)
    referred_at = fields.AwareDateTime(
        metadata={"description": "date of the referral to the body (default: now)"}
    )
    reason = _text(1000)


class RecordAdviceSchema(Schema):
    advice_at = fields.AwareDateTime(metadata={"description": "date of the panel's advice"})
    reason = _text(1000)


DENIAL_NEEDS_REASON = (
    "say why the request is denied: the individual is told the reason and their right to "
    "complain to a supervisory authority (GDPR Art. 12(4))"
)


class ResolveSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(ALL_OUTCOMES))
    reason = _text(1000)

    # Documented as one body per outcome: a denial needs its reason.
    VARIANTS = ("outcome", ALL_OUTCOMES, {"denied": {"reason": _text(1000, required=True)}})

    @validates_schema
    def _denial_says_why(self, data, **kwargs):
        if data.get("outcome") == "denied" and not data.get("reason"):
            raise ValidationError(DENIAL_NEEDS_REASON, field_name="reason")


class RedirectSchema(Schema):
    client = _text(200, required=True)
    reason = _text(1000)


class PackageSchema(Schema):
    """A response package's event: which package, and a count out of a limit."""

    package = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    count = fields.Integer(validate=validate.Range(min=0))
    of = fields.Integer(validate=validate.Range(min=1))
    until = fields.AwareDateTime()


class ClockNameSchema(Schema):
    clock = fields.String(required=True, validate=validate.Length(min=1, max=32))


class SnoozeSchema(ClockNameSchema):
    days = fields.Integer(load_default=1, validate=validate.Range(min=1, max=14))


class EraseSchema(Schema):
    period = fields.String(required=True, metadata={"description": "the retention period"})


class MessageSentSchema(Schema):
    topic = fields.String(required=True, validate=validate.Length(min=1, max=64))
    language = fields.String(allow_none=True, validate=validate.Length(max=8))


class MessageSchema(Schema):
    message = fields.Integer(required=True, strict=True)
    foreign_sender = fields.Boolean(load_default=False)


class ReplySchema(Schema):
    body = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=20000),
            validate.Regexp(r"\s*\S", error="write the email (it was empty)"),
        ],
        metadata={"description": "1 to 20000 characters, not only spaces"},
    )
    attachment_ids = fields.List(fields.Integer(strict=True), load_default=list)


class AttachmentSchema(Schema):
    attachment = fields.Integer(required=True, strict=True)
    task = fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=1),
        metadata={"description": "the task whose result the file is (its owner may add it)"},
    )


class QuestionSchema(Schema):
    question = _text(2000, required=True)


class CaseListQuerySchema(Schema):
    stage = fields.String(validate=validate.OneOf(STAGES))
    status = fields.String(validate=validate.OneOf(("open", "on_hold", "closed")))
    owner = fields.Email()
    jurisdiction = fields.String(validate=validate.OneOf(JURISDICTIONS))
    kind = fields.String(validate=validate.OneOf(KINDS))
    overdue = fields.Boolean()
    due_before = fields.AwareDateTime()
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))
