"""Case lists with filters and keyset pagination (stable and fast at any depth)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from casetracker.cases.models import Case
from casetracker.people.models import Staff


@dataclass(frozen=True)
class Page:
    items: list[Case]
    next_cursor: str | None


def list_cases(
    db_session: Session,
    *,
    now: datetime,
    limit: int = 50,
    cursor: str | None = None,
    overdue: bool = False,
    due_before: datetime | None = None,
    owner: str | None = None,
    where: ColumnElement[bool] | None = None,
    order: str | None = None,
    reference: str | None = None,
    with_details: bool = True,
    **filters: str,
) -> Page:
    """Return one page of cases: by next due time when asked about deadlines, else newest.

    ``where`` adds a condition (the dashboard's queues), ``order`` forces "due" or
    "received" ordering, ``reference`` keeps cases whose reference contains the text;
    ``with_details=False`` loads only the owners (a list page shows no clocks or subject).
    """
    by_due = order == "due" if order else overdue or due_before is not None
    # The owner comes in the same row (one per case); clocks and subject by case id.
    query = select(Case).options(joinedload(Case.owner))
    if with_details:
        query = query.options(selectinload(Case.clocks), selectinload(Case.subject))
    for name, value in filters.items():
        query = query.where(getattr(Case, name) == value)
    if owner is not None:
        owner_id = select(Staff.id).where(Staff.email == owner.lower()).scalar_subquery()
        query = query.where(Case.owner_id == owner_id)
    if where is not None:
        query = query.where(where)
    if reference:
        query = query.where(Case.reference.contains(reference.strip().upper(), autoescape=True))
    if overdue:
        query = query.where(Case.next_due_at < now)
    if due_before is not None:
        query = query.where(Case.next_due_at < due_before)
    mode = "due" if by_due else "received"
    if cursor:
        query = query.where(_after(mode, _decode(cursor, mode)))
    if by_due:
        query = query.order_by(Case.next_due_at.asc().nulls_last(), Case.id)
    else:
        query = query.order_by(Case.received_at.desc(), Case.id.desc())
    rows = list(db_session.scalars(query.limit(limit + 1)))
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items=items, next_cursor=_encode(mode, items[-1]) if more else None)


def _after(mode: str, key: tuple[datetime | None, int]):
    at, case_id = key
    if mode == "due" and at is None:
        return and_(Case.next_due_at.is_(None), Case.id > case_id)
    if mode == "due":
        # Cases without a running clock come last (NULLS LAST, PostgreSQL's index order).
        return or_(
            Case.next_due_at > at,
            and_(Case.next_due_at == at, Case.id > case_id),
            Case.next_due_at.is_(None),
        )
    return or_(Case.received_at < at, and_(Case.received_at == at, Case.id < case_id))


def _encode(mode: str, case: Case) -> str:
    at = case.next_due_at if mode == "due" else case.received_at
    raw = json.dumps([mode, at.isoformat() if at else None, case.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, mode: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_mode, at, case_id = json.loads(raw)
        key = (datetime.fromisoformat(at) if at is not None else None, int(case_id))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValidationError({"cursor": ["not a cursor this API gave out"]}) from exc
    if cursor_mode != mode:
        raise ValidationError({"cursor": ["was given for a different ordering of this list"]})
    return key
