"""Schemas for staff and tokens, shared by the CLI and the admin pages."""

from marshmallow import Schema, fields, post_load, validate

from casetracker.people.models import ROLES


class StaffSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    slack_user_id = fields.String(
        validate=validate.Regexp(r"^[UW][A-Z0-9]{2,30}$", error="not a Slack user id (U…)")
    )

    @post_load
    def _normalise(self, data, **kwargs):
        data["email"] = data["email"].lower()
        return data


class TokenRequestSchema(Schema):
    staff = fields.Email(required=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(("pii",))), load_default=list)

    @post_load
    def _normalise(self, data, **kwargs):
        data["staff"] = data["staff"].lower()
        return data


class SignInSchema(Schema):
    email = fields.String(
        required=True, validate=validate.Length(min=1, max=254, error="enter your email")
    )
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=1024, error="enter your password")
    )
