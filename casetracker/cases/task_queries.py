"""Reading tasks across cases: a person's queue (dashboard, Slack's `/case tasks`, App Home)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload

from casetracker.cases.models import Case
from casetracker.cases.task_models import FINISHED, Task


def unfinished_for(db_session: Session, *, owner_id: int, limit: int = 200) -> list[Task]:
    """Return the person's open and blocked tasks on open cases, soonest due first."""
    return list(
        db_session.scalars(
            select(Task)
            .join(Case, Case.id == Task.case_id)
            .options(contains_eager(Task.case), joinedload(Task.system))
            .where(Task.owner_id == owner_id, Task.status.not_in(FINISHED), Case.status != "closed")
            .order_by(Task.due_at, Task.id)
            .limit(limit)
        )
    )
