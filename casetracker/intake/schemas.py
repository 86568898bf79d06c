"""The OpenGDPR request as the specification defines it (OpenGDPR 0.1 and 1.0, section 7)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

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
# The versions implemented; the /v1 URL carries major version 1, so 1.0 is the default.
API_VERSIONS = ("0.1", "1.0")
API_VERSION = "1.0"
UUID4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


class IdentitySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    identity_type = fields.String(required=True, validate=validate.OneOf(IDENTITY_TYPES))
    identity_value = fields.String(required=True, validate=validate.Length(min=1, max=254))
    identity_format = fields.String(required=True, validate=validate.OneOf(IDENTITY_FORMATS))


class ExtensionSchema(Schema):
    """This processor's entry in ``extensions`` (1.0, section 7.1.2); other keys are ignored."""

    class Meta:
        unknown = EXCLUDE

    country = fields.String(validate=validate.Length(min=2, max=2))
    property_id = fields.String(validate=validate.Length(min=1, max=200))
    identities = fields.List(fields.Nested(IdentitySchema), validate=validate.Length(max=20))


class OpenGdprRequestSchema(Schema):
    """A controller's request; unknown top-level fields are ignored, as the spec may grow.

    Loading folds this processor's extension in: ``email``, ``country`` and ``property_id``.
    """

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
        fields.Nested(IdentitySchema), load_default=list, validate=validate.Length(max=20)
    )
    api_version = fields.String(
        load_default=API_VERSION,
        validate=validate.OneOf(API_VERSIONS, error="{input!r} is not implemented; use {choices}"),
    )
    # 0.1 had property_id at the top level; 1.0 moved it into the processor's extension.
    property_id = fields.String(validate=validate.Length(min=1, max=200))
    status_callback_urls = fields.List(
        fields.Url(
            schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000)
        ),
        load_default=list,
        validate=validate.Length(max=10),
    )
    extensions = fields.Dict(keys=fields.String(), values=fields.Dict(), load_default=dict)

    def __init__(self, *, processor_domain: str, **kwargs):
        super().__init__(**kwargs)
        self.processor_domain = processor_domain

    @post_load
    def _fold_extension(self, data, **kwargs):
        try:
            own = ExtensionSchema().load(data["extensions"].get(self.processor_domain) or {})
        except ValidationError as exc:
            raise ValidationError({"extensions": {self.processor_domain: exc.messages}}) from exc
        # 1.0 makes subject_identities optional when the extension carries identities.
        legacy = data["api_version"] == "0.1"
        identities = [*data["subject_identities"], *([] if legacy else own.get("identities", []))]
        if not identities:
            hint = " (identities in extensions need api_version 1.0)" if legacy else ""
            raise ValidationError(f"at least one identity is required{hint}", "subject_identities")
        email = email_of(identities)
        if email is None:
            raise ValidationError(
                "no supported identity: send one with identity_type 'email' and "
                "identity_format 'raw'",
                "subject_identities",
            )
        top, inside = data.get("property_id"), own.get("property_id")
        if top and inside and top != inside:
            raise ValidationError(f"differs from extensions.{self.processor_domain}", "property_id")
        return {
            **data,
            "email": email,
            "country": own.get("country"),
            "property_id": top or inside,
        }


def email_of(identities: list[dict]) -> str | None:
    """Return the raw email among a request's identities, if there is one."""
    for identity in identities:
        if identity["identity_type"] == "email" and identity["identity_format"] == "raw":
            return identity["identity_value"]
    return None


def flatten(messages, prefix: str = ""):
    """Yield (field path, message) for each message of a marshmallow ValidationError."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            yield from flatten(value, name)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield prefix or "request", message
    else:
        for item in messages:
            yield from flatten(item, prefix)
