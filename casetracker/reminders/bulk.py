"""Write a sweep's rows in a few statements: array parameters on PostgreSQL, executemany on SQLite.

A sweep writes up to a thousand ledger rows, outbox rows and clock updates at once. On
PostgreSQL each kind goes in one statement over ``unnest`` of array parameters, compiled
once; SQLite, one process on a laptop, takes them as executemany.
"""

from __future__ import annotations

import json

from sqlalchemy import Table, bindparam, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from casetracker.db_types import UTCDateTime


def insert_new(
    db_session: Session, table: Table, rows: list[dict], *, unique: list[str], returning: list[str]
) -> list[tuple]:
    """Insert the rows whose unique key is free; return ``returning`` of those inserted."""
    if not rows:
        return []
    if not _postgres(db_session):
        statement = (
            sqlite.insert(table)
            .on_conflict_do_nothing(index_elements=unique)
            .returning(*(table.c[name] for name in returning))
        )
        return [tuple(row) for row in db_session.execute(statement, rows)]
    names = list(rows[0])
    arrays = ", ".join(f"CAST(:{name} AS {_array_type(table, name)})" for name in names)
    statement = text(
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"  # noqa: S608
        f" ON CONFLICT ({', '.join(unique)}) DO NOTHING RETURNING {', '.join(returning)}"
    )
    params = {name: [_value(row[name]) for row in rows] for name in names}
    return [tuple(row) for row in db_session.execute(statement, params)]


def set_next_reminders(db_session: Session, table: Table, plans: list[dict]) -> None:
    """Set each clock's next reminder time, unless its due time changed meanwhile."""
    if not plans:
        return
    if not _postgres(db_session):
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("clock_id"),
                table.c.due_at == bindparam("seen_due", type_=UTCDateTime()),
            )
            .values(next_reminder_at=bindparam("next_at", type_=UTCDateTime()))
        )
        db_session.execute(statement, plans)
        return
    statement = text(
        f"UPDATE {table.name} SET next_reminder_at = v.next_at FROM unnest("  # noqa: S608
        "CAST(:ids AS INTEGER[]), CAST(:dues AS TIMESTAMPTZ[]), CAST(:nexts AS TIMESTAMPTZ[])"
        f") AS v (id, due, next_at) WHERE {table.name}.id = v.id AND {table.name}.due_at = v.due"
    )
    db_session.execute(
        statement,
        {
            "ids": [p["clock_id"] for p in plans],
            "dues": [p["seen_due"] for p in plans],
            "nexts": [p["next_at"] for p in plans],
        },
    )


def _postgres(db_session: Session) -> bool:
    return db_session.get_bind().dialect.name == "postgresql"


def _array_type(table: Table, name: str) -> str:
    return f"{table.c[name].type.compile(dialect=postgresql.dialect())}[]"


def _value(value):
    return json.dumps(value) if isinstance(value, dict) else value
