"""Only the workflow writes cases: any other write to a case, its clocks, its subject, its
tasks or its events is refused when it reaches the database.

``service.create_case`` and ``service.perform`` write inside ``writing(db_session)``.
Everything else, jobs included, goes through them. The one exception is the reminder
sweep's own bookmark, ``clocks.next_reminder_at``: when to look at a clock again is
bookkeeping of the sweep, not a change to the case, and it is written in bulk.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from casetracker.cases.models import Case, CaseCounter, CaseLink, Clock, Event, Subject, Task

GUARDED = (Case, Subject, Clock, Event, CaseLink, CaseCounter, Task)
GUARDED_TABLES = frozenset(model.__tablename__ for model in GUARDED)
SWEEP_BOOKMARK = frozenset({"next_reminder_at"})
FLAG = "casetracker.cases.writing"


class WriteOutsideWorkflow(RuntimeError):
    """Code tried to change a case without going through the workflow."""


@contextmanager
def writing(db_session: Session) -> Iterator[None]:
    """Let the workflow write cases in this session for the duration of the block."""
    outer = db_session.info.get(FLAG, False)
    db_session.info[FLAG] = True
    try:
        yield
    finally:
        db_session.info[FLAG] = outer


@event.listens_for(Session, "before_flush")
def _refuse_unit_of_work(db_session: Session, flush_context, instances) -> None:
    if db_session.info.get(FLAG):
        return
    # Changing or deleting an event is refused everywhere (EventImmutable); adding one here.
    changed = [i for i in (*db_session.dirty, *db_session.deleted) if not isinstance(i, Event)]
    for state in (db_session.new, changed):
        for instance in state:
            if isinstance(instance, GUARDED) and db_session.is_modified(instance):
                raise WriteOutsideWorkflow(
                    f"{type(instance).__name__} changed outside the workflow: use "
                    "casetracker.cases.service.perform"
                )


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_write(orm_execute_state) -> None:
    if orm_execute_state.session.info.get(FLAG):
        return
    state = orm_execute_state
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    statement = state.statement
    table = getattr(statement, "table", None)
    if table is None or getattr(table, "name", None) not in GUARDED_TABLES:
        return
    if state.is_update and table.name == "clocks" and _bookmark_only(statement):
        return
    raise WriteOutsideWorkflow(
        f"bulk write to {table.name} outside the workflow: use casetracker.cases.service.perform"
    )


def _bookmark_only(statement) -> bool:
    values = getattr(statement, "_values", None) or {}
    columns = {getattr(key, "key", key) for key in values}
    return bool(columns) and columns <= SWEEP_BOOKMARK
