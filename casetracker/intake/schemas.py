"""The OpenGDPR request as the specification defines it (OpenDSR, section 7)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

REQUEST_TYPES = {"erasure": "erasure", "access": "access", "portability": "portability"}
IDENTITY_TYPES = [
    "controller_customer_id",
    "android_advertising_id",
    "android_id",
    "email",
    "fire_advertising_id",
    "ios_advertising_id",
    "ios_vendor_id",
    "microsoft_advertising_id",
    "microsoft_publisher_id",
    "roku_publisher_id",
    "roku_advertising_id",
]
IDENTITY_FORMATS = ("raw", "sha1", "md5", "sha256")
SUPPORTED_IDENTITIES = ({"identity_type": "email", "identity_format": "raw"},)
UUID4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class IdentitySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    identity_type = fields.String(required=True, validate=validate.OneOf(IDENTITY_TYPES))
    identity_value = fields.String(required=True, validate=validate.Length(min=1, max=254))
    identity_format = fields.String(required=True, validate=validate.OneOf(IDENTITY_FORMATS))


class OpenGdprRequestSchema(Schema):
    """A controller's request; unknown top-level fields are ignored, as the spec may grow."""

    class Meta:
        unknown = EXCLUDE

    subject_request_id = fields.String(
        required=True,
        validate=validate.Regexp(UUID4, error="must be a lowercase UUID v4"),
    )
    subject_request_type = fields.String(
        required=True, validate=validate.OneOf(tuple(REQUEST_TYPES))
    )
    submitted_time = fields.AwareDateTime(required=True)
    subject_identities = fields.List(
        fields.Nested(IdentitySchema), required=True, validate=validate.Length(min=1, max=20)
    )
    api_version = fields.String(load_default="0.1", validate=validate.Length(max=16))
    status_callback_urls = fields.List(
        fields.Url(
            schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000)
        ),
        load_default=list,
        validate=validate.Length(max=10),
    )
    extensions = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)

    @validates_schema
    def _supported_identity(self, data, **kwargs):
        if "subject_identities" in data and email_of(data) is None:
            raise ValidationError(
                "no supported identity: send one with identity_type 'email' and "
                "identity_format 'raw'",
                "subject_identities",
            )


def email_of(data: dict) -> str | None:
    """Return the raw email identity of a request, if it has one."""
    for identity in data.get("subject_identities", ()):
        if identity["identity_type"] == "email" and identity["identity_format"] == "raw":
            return identity["identity_value"]
    return None
