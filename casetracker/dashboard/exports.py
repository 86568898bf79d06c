"""CSV exports of case lists: every page of the list, personal data only for the DPO."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from flask import Response, stream_with_context

from casetracker import timesource
from casetracker.accesslog import service as accesslog
from casetracker.cases import access, listing
from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.people import roles
from casetracker.people.actors import Actor
from casetracker.people.models import Staff

BATCH = 500
COLUMNS = (
    "reference",
    "kind",
    "right",
    "jurisdiction",
    "data_context",
    "route",
    "stage",
    "status",
    "owner",
    "priority",
    "outcome",
    "received_at",
    "acknowledged_at",
    "closed_at",
    "next_due_at",
)
PII_COLUMNS = ("subject_name", "subject_email", "subject_country", "summary")
# A leading =, +, - or @ makes spreadsheets evaluate a cell; text from outside is defused.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def case_list_csv(filename: str, *, viewer: Staff, now: datetime, **list_args) -> Response:
    """Stream a case list as CSV, following the keyset pages to the end.

    With personal data, each batch of rows is recorded in the access log (one row per case)
    before it is sent; the first batch before the answer starts, so that a log that cannot be
    written refuses the export with 503 instead of a truncated file.
    """
    with_pii = roles.sees_all_subjects(viewer)
    columns = COLUMNS + PII_COLUMNS if with_pii else COLUMNS
    actor = access.web_actor(viewer) if with_pii else None
    batches = _batches(now=now, **list_args)
    first = _lines(next(batches), actor=actor, what=filename)

    def lines() -> Iterator[str]:
        yield csv_line(columns)
        yield from first
        for batch in batches:
            yield from _lines(batch, actor=actor, what=filename)

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _batches(*, now: datetime, **list_args) -> Iterator[list[Case]]:
    cursor = None
    while True:
        page = listing.list_cases(db.session, now=now, limit=BATCH, cursor=cursor, **list_args)
        yield page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _lines(cases: list[Case], *, actor: Actor | None, what: str) -> list[str]:
    """Format a batch of rows; with personal data (an actor), record them before they go."""
    lines = [csv_line(_row(case, with_pii=actor is not None)) for case in cases]
    if actor is not None:
        seen = [(case.id, what) for case in cases]
        accesslog.record(db.session, viewer=actor, channel="csv", seen=seen)
    return lines


def _row(case: Case, *, with_pii: bool) -> list:
    row = [
        case.reference,
        case.kind,
        case.right,
        case.jurisdiction,
        case.data_context,
        case.route,
        case.stage,
        case.status,
        case.owner.email if case.owner else None,
        case.priority,
        case.outcome,
        *(_iso(at) for at in (case.received_at, case.acknowledged_at, case.closed_at)),
        _iso(case.next_due_at),
    ]
    if with_pii:
        subject = case.subject
        row += [
            defused(subject.name if subject else None),
            defused(subject.email if subject else None),
            subject.country if subject else None,
            defused(case.summary),
        ]
    return row


def _iso(at: datetime | None) -> str:
    return at.astimezone(timesource.team_tz()).isoformat() if at else ""


def defused(value: str | None) -> str:
    """Keep a spreadsheet from running text from outside as a formula."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


def csv_line(values: Iterable) -> str:
    """Format one CSV line."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if value is None else value for value in values])
    return buffer.getvalue()
