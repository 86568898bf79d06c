"""Case references: PC-YYYY-NNNNN and DSR-YYYY-NNNNN, gap-free per year and kind."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from casetracker.cases.models import CaseCounter

PREFIXES = {"complaint": "PC", "request": "DSR"}


def next_reference(db_session: Session, *, kind: str, year: int) -> str:
    """Take the next number for (kind, year) inside the caller's transaction.

    The upsert locks the counter row until the transaction ends, so concurrent creators
    queue behind each other, and a rolled-back creation gives its number back.
    """
    prefix = PREFIXES[kind]
    statement = _take_number(db_session.get_bind().dialect.name)
    number = db_session.execute(statement, {"prefix": prefix, "year": year}).scalar_one()
    return f"{prefix}-{year}-{number:05d}"


@cache
def _take_number(dialect: str):
    """Build the counter's upsert once per dialect: every new case runs it."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counters = CaseCounter.__table__
    statement = insert(counters).values(prefix=bindparam("prefix"), year=bindparam("year"), value=1)
    return statement.on_conflict_do_update(
        index_elements=[counters.c.prefix, counters.c.year],
        set_={"value": counters.c.value + 1},
    ).returning(counters.c.value)
