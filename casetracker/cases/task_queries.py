"""Reading tasks across cases: a person's queue (dashboard, Slack's `/case tasks`, App Home)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from casetracker.cases.models import Case
from casetracker.cases.task_models import FINISHED, Task


def _unfinished_on_open_cases(owner_id: int):
    return (Task.owner_id == owner_id, Task.status.not_in(FINISHED), Case.status != "closed")


def unfinished_for(db_session: Session, *, owner_id: int, limit: int = 200) -> list[Task]:
    """Return the person's open and blocked tasks on open cases, soonest due first."""
    return list(
        db_session.scalars(
            select(Task)
            .join(Case, Case.id == Task.case_id)
            .options(contains_eager(Task.case), joinedload(Task.system))
            .where(*_unfinished_on_open_cases(owner_id))
            .order_by(Task.due_at, Task.id)
            .limit(limit)
        )
    )


def count_unfinished_for(db_session: Session, *, owner_id: int) -> int:
    """Count the person's open and blocked tasks on open cases (the navigation's badge)."""
    query = (
        select(func.count())
        .select_from(Task)
        .join(Case, Case.id == Task.case_id)
        .where(*_unfinished_on_open_cases(owner_id))
    )
    return db_session.scalar(query) or 0


def of_case(db_session: Session, *, case_id: int) -> list[Task]:
    """Return a case's tasks with their systems and owners, in the order they were opened."""
    return list(
        db_session.scalars(
            select(Task)
            .options(joinedload(Task.system), joinedload(Task.owner))
            .where(Task.case_id == case_id)
            .order_by(Task.id)
        )
    )
