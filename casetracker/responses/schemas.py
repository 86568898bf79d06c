"""What releasing a response accepts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

DEFAULT_DAYS = 14
DEFAULT_DOWNLOADS = 5


class ReleaseSchema(Schema):
    attachment_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "the case's files to include, beside the export"},
    )
    days = fields.Integer(
        load_default=DEFAULT_DAYS,
        validate=validate.Range(min=1, max=90),
        metadata={"description": "how long the link works"},
    )
    max_downloads = fields.Integer(
        load_default=DEFAULT_DOWNLOADS,
        validate=validate.Range(min=1, max=20),
        metadata={"description": "how many downloads the link gives"},
    )
