"""Query-string schemas of the dashboard's lists and reports."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casetracker.cases.schemas import CaseListQuerySchema

MAX_RANGE_DAYS = 3660


class CaseFilterSchema(CaseListQuerySchema):
    """The All cases filters: the API's list filters plus a search on the reference."""

    q = fields.String(validate=validate.Length(max=40))


class DateRangeSchema(Schema):
    """A reporting period in whole days (team time zone), both ends included."""

    start = fields.Date(data_key="from", required=True)
    end = fields.Date(data_key="to", required=True)

    @validates_schema
    def _ordered(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError("must be on or after the start date", "to")
        if start and end and (end - start).days > MAX_RANGE_DAYS:
            raise ValidationError("choose a period of at most ten years", "to")


class YearSchema(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


def present(args) -> dict:
    """Keep the query arguments that were filled in (a form sends empty fields too)."""
    return {key: value.strip() for key, value in args.items() if value and value.strip()}
