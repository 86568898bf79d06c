"""Reading the access log: per case or per staff member, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from marshmallow import ValidationError
from sqlalchemy import Integer, String, column, func, select, table
from sqlalchemy.orm import Session

from casetracker.accesslog.models import AccessEntry
from casetracker.people.models import Staff

# The cases package records views through this one, so this one reads the two columns of
# the cases table it needs by name instead of importing the cases package back.
CASES = table("cases", column("id", Integer), column("reference", String))
BAD_CURSOR = "not a cursor this API gave out"


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    staff_email: str
    staff_name: str
    staff_id: int
    actor: str
    channel: str
    case: str | None
    what: str


@dataclass(frozen=True)
class Page:
    items: list[Entry]
    next_cursor: str | None
    total: int


def may_read(role: str | None) -> bool:
    """Tell whether this role may read the access log: the DPO only."""
    return role == "dpo"


def staff_choices(db_session: Session) -> list[tuple[int, str]]:
    """Return every staff member as (id, name), by name, to pick whose views to read."""
    return list(db_session.execute(select(Staff.id, Staff.name).order_by(Staff.name, Staff.id)))


def case_id_of(db_session: Session, *, reference: str) -> int | None:
    """Return the id of the case with this reference, or None."""
    return db_session.scalar(select(CASES.c.id).where(CASES.c.reference == reference))


def staff_id_of(db_session: Session, *, email: str) -> int | None:
    """Return the id of the staff member with this email, or None."""
    return db_session.scalar(select(Staff.id).where(Staff.email == email))


def of_case(db_session: Session, *, case_id: int, limit: int, cursor: str | None = None) -> Page:
    """Return the views of one case's personal data, newest first."""
    return _page(db_session, AccessEntry.case_id == case_id, limit=limit, cursor=cursor)


def of_staff(db_session: Session, *, staff_id: int, limit: int, cursor: str | None = None) -> Page:
    """Return the views of personal data by one staff member, newest first."""
    return _page(db_session, AccessEntry.staff_id == staff_id, limit=limit, cursor=cursor)


def _page(db_session: Session, condition, *, limit: int, cursor: str | None) -> Page:
    query = (
        select(
            AccessEntry.id,
            AccessEntry.at,
            Staff.email,
            Staff.name,
            Staff.id,
            AccessEntry.actor,
            AccessEntry.channel,
            CASES.c.reference,
            AccessEntry.what,
        )
        .join(Staff, Staff.id == AccessEntry.staff_id)
        .outerjoin(CASES, CASES.c.id == AccessEntry.case_id)
        .where(condition)
    )
    if cursor:
        query = query.where(AccessEntry.id < _decode(cursor))
    rows = db_session.execute(query.order_by(AccessEntry.id.desc()).limit(limit + 1)).all()
    items = [Entry(*row) for row in rows[:limit]]
    total = db_session.scalar(select(func.count()).select_from(AccessEntry).where(condition))
    more = len(rows) > limit
    return Page(items=items, next_cursor=str(items[-1].id) if more else None, total=total)


def _decode(cursor: str) -> int:
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18 or int(cursor) < 1:
        raise ValidationError({"cursor": [BAD_CURSOR]})
    return int(cursor)
