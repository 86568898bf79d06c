"""Case references: PC-YYYY-NNNNN and DSR-YYYY-NNNNN, gap-free per year and kind."""

from __future__ import annotations

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
    dialect = db_session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CaseCounter).values(prefix=prefix, year=year, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[CaseCounter.prefix, CaseCounter.year],
        set_={"value": CaseCounter.value + 1},
    ).returning(CaseCounter.value)
    number = db_session.execute(statement).scalar_one()
    return f"{prefix}-{year}-{number:05d}"
