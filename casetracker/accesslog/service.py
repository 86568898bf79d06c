"""Record views of personal data: one row per view, written before the view is shown."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import g, has_request_context, request
from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.exceptions import ServiceUnavailable

from casetracker import timesource
from casetracker.accesslog.models import CHANNELS, AccessEntry
from casetracker.people.actors import Actor

log = logging.getLogger(__name__)
# (the case's id, or None for an inbox email on no case; what was shown, without personal data)
Seen = tuple[int | None, str]
SHOWN = "casetracker_pii_shown"
WHAT_LENGTH = 200
# Built once, the row given as parameters: compiled once, not on every answer of one case.
INSERT_ENTRY = insert(AccessEntry.__table__)


class NotRecorded(ServiceUnavailable):
    """The access log refused the row: the view is not shown."""

    description = (
        "Personal data is shown only once the access log has recorded who sees it, and the"
        " log could not be written. Nothing was shown; try again shortly."
    )


def record(db_session: Session, *, viewer: Actor, channel: str, seen: Iterable[Seen]) -> None:
    """Write one row per view in one INSERT and commit it; raise NotRecorded if it fails.

    Call it once the page or answer is built and before it is returned (before a file is
    opened), so that a view is recorded exactly when it is shown: whatever fails before shows
    nothing and writes nothing.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown access-log channel {channel!r}")
    if viewer.staff_id is None:
        raise ValueError(f"{viewer.label} is no staff member: only staff see personal data")
    at = timesource.now()
    rows = [
        {
            "at": at,
            "staff_id": viewer.staff_id,
            "actor": viewer.label,
            "channel": channel,
            "case_id": case_id,
            "what": what[:WHAT_LENGTH],
        }
        for case_id, what in seen
    ]
    if not rows:
        return
    try:
        # One statement either way: outside a transaction, several would commit one by one.
        if len(rows) == 1:
            db_session.execute(INSERT_ENTRY, rows[0])
        else:
            db_session.execute(insert(AccessEntry.__table__).values(rows))
        db_session.commit()
    except SQLAlchemyError as exc:
        db_session.rollback()
        log.error("access log not written (%s): %d views refused", type(exc).__name__, len(rows))
        raise NotRecorded() from exc
    if has_request_context():
        setattr(g, SHOWN, True)


def record_answer(
    db_session: Session, *, actor: Actor, seen: Iterable[tuple[int | None, str | None]]
) -> None:
    """Record an API answer carrying personal data, if the token has the pii scope.

    Each row's ``what`` is the request ("GET /api/v1/cases/DSR-2026-00003"), followed by the
    item when an answer lists several ("GET /api/v1/inbox, email #12").
    """
    if not actor.sees_pii:
        return
    line = f"{request.method} {request.path}"
    rows = [(case_id, f"{line}, {what}" if what else line) for case_id, what in seen]
    record(db_session, viewer=actor, channel="api", seen=rows)


def shown_in_this_request() -> bool:
    """Tell whether this request's answer carries personal data the log recorded."""
    return getattr(g, SHOWN, False)
