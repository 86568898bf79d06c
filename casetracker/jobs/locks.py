"""One scheduler per tick: an advisory lock on PostgreSQL, a lease row on SQLite.

The lock spares work and noise; correctness never depends on it (the reminder ledger and
the outbox's dedupe keys are unique), so a lease that expires under a slow tick is harmless.
"""

from __future__ import annotations

import os
import socket
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects import sqlite

from casetracker.jobs.models import SchedulerLease

LEASE = timedelta(minutes=10)
# High half of the advisory lock key: this application's namespace among other lock users.
NAMESPACE = 0x43415345  # "CASE"


@contextmanager
def tick(engine: Engine, name: str, *, now: datetime) -> Iterator[bool]:
    """Hold the lock of job ``name`` for the block; yield False if another process has it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection, connection.begin():
            # Released when this transaction ends, whatever happens in the block.
            yield bool(connection.scalar(select(func.pg_try_advisory_xact_lock(_key(name)))))
        return
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    held = _take_lease(engine, name, holder=holder, now=now)
    try:
        yield held
    finally:
        if held:
            with engine.begin() as connection:
                connection.execute(
                    delete(SchedulerLease).where(
                        SchedulerLease.name == name, SchedulerLease.holder == holder
                    )
                )


def _key(name: str) -> int:
    return (NAMESPACE << 32) | zlib.crc32(name.encode())


def _take_lease(engine: Engine, name: str, *, holder: str, now: datetime) -> bool:
    table = SchedulerLease.__table__
    statement = sqlite.insert(table).values(name=name, holder=holder, expires_at=now + LEASE)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.name],
        set_={"holder": holder, "expires_at": now + LEASE},
        where=table.c.expires_at <= now,
    ).returning(table.c.holder)
    with engine.begin() as connection:
        return connection.execute(statement).first() is not None
