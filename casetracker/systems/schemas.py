"""What the systems inventory accepts and shows."""

from __future__ import annotations

from marshmallow import Schema, fields, pre_load, validate

from casetracker.policy import DATA_CONTEXTS, RIGHTS


def _split(value):
    """Accept "a,b" as well as ["a", "b"] (the command line gives a comma list)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class SystemCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    owner = fields.Email(required=True, metadata={"description": "Email of an active staff member"})
    contexts = fields.List(
        fields.String(
            validate=validate.OneOf(
                DATA_CONTEXTS, error="{input} is not a data context; choose from {choices}"
            )
        ),
        required=True,
        validate=validate.Length(min=1, error="name at least one data context"),
        metadata={"description": "Data contexts whose requests reach the system"},
    )
    rights = fields.List(
        fields.String(
            validate=validate.OneOf(RIGHTS, error="{input} is not a right; choose from {choices}")
        ),
        required=True,
        validate=validate.Length(min=1, error="name at least one right"),
        metadata={"description": "Rights that need work in the system"},
    )
    instructions = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=5000),
        metadata={"description": "What the owner does for a request, shown with each task"},
    )

    @pre_load
    def _lists(self, data, **kwargs):
        data = dict(data)
        for name in ("contexts", "rights"):
            if name in data:
                data[name] = _split(data[name])
        if isinstance(data.get("name"), str):
            data["name"] = data["name"].strip()
        if data.get("instructions") == "":
            data["instructions"] = None
        return data


def flat_errors(errors: dict) -> dict[str, list[str]]:
    """One list of sentences per field, also for the items of a list field."""
    flat = {}
    for field, messages in errors.items():
        if isinstance(messages, dict):
            messages = [m for inner in messages.values() for m in inner]
        flat[field] = list(messages)
    return flat


class OwnerChangeSchema(Schema):
    owner = fields.Email(required=True)


class SystemSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    owner = fields.String(metadata={"description": "The owner's email"})
    contexts = fields.List(fields.String())
    rights = fields.List(fields.String())
    instructions = fields.String(allow_none=True)
    active = fields.Boolean()
    retired_at = fields.AwareDateTime(allow_none=True)


class SystemListSchema(Schema):
    items = fields.List(fields.Nested(SystemSchema))


class SystemQuerySchema(Schema):
    include_retired = fields.Boolean(load_default=False)
