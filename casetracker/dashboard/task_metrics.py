"""Figures on fulfilment: how fast each system's owners finish their tasks, and what is late.

A task is late when it finished after its due time, or is unfinished past it. A request is
delayed by a task when one of its tasks finished late, or was still unfinished when its due
time passed before the request closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from casetracker.cases.models import Case
from casetracker.cases.task_models import FINISHED, Task
from casetracker.dashboard.metrics import Period, percentile_days
from casetracker.systems.models import System


@dataclass(frozen=True)
class SystemTasks:
    system: str
    finished: int = 0
    no_data: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    finished_late: int = 0
    late_now: int = 0


@dataclass(frozen=True)
class Delayed:
    """Requests closed in the period: all, those that had tasks, those a task delayed."""

    closed: int
    with_tasks: int
    delayed: int

    @property
    def rate(self) -> float | None:
        return self.delayed / self.with_tasks if self.with_tasks else None


def per_system(db_session: Session, *, period: Period, now: datetime) -> list[SystemTasks]:
    """Per system: tasks finished in the period, how many days they took, and the late ones."""
    in_period = (
        Task.finished_at >= period.start,
        Task.finished_at < period.end,
        Task.status.in_(FINISHED),
    )
    finished = {
        system_id: (count, int(no_data or 0), int(late or 0))
        for system_id, count, no_data, late in db_session.execute(
            select(
                Task.system_id,
                func.count(),
                func.sum(case((Task.status == "no_data", 1), else_=0)),
                func.sum(case((Task.finished_at > Task.due_at, 1), else_=0)),
            )
            .where(*in_period)
            .group_by(Task.system_id)
        )
    }
    days = percentile_days(
        db_session,
        Task.created_at,
        Task.finished_at,
        *in_period,
        group=Task.system_id,
        fractions=(0.5, 0.9),
    )
    late_now = dict(
        db_session.execute(
            select(Task.system_id, func.count())
            .join(Case, Case.id == Task.case_id)
            .where(Task.status.not_in(FINISHED), Task.due_at < now, Case.status != "closed")
            .group_by(Task.system_id)
        ).all()
    )
    names = _names(db_session, {*finished, *late_now})
    rows = []
    for system_id, name in names.items():
        count, no_data, late = finished.get(system_id, (0, 0, 0))
        median, p90 = days.get(system_id, (None, None))
        rows.append(
            SystemTasks(name, count, no_data, median, p90, late, late_now.get(system_id, 0))
        )
    return sorted(rows, key=lambda row: row.system.casefold())


def delayed_requests(db_session: Session, *, period: Period) -> Delayed:
    """Count the requests closed in the period, those with tasks, and those a task delayed."""
    own_task = Task.case_id == Case.id
    late = or_(
        Task.finished_at > Task.due_at,
        and_(Task.finished_at.is_(None), Task.due_at < Case.closed_at),
    )
    closed, with_tasks, delayed = db_session.execute(
        select(
            func.count(),
            func.sum(case((exists().where(own_task), 1), else_=0)),
            func.sum(case((exists().where(own_task, late), 1), else_=0)),
        ).where(
            Case.kind == "request",
            Case.closed_at >= period.start,
            Case.closed_at < period.end,
        )
    ).one()
    return Delayed(closed, int(with_tasks or 0), int(delayed or 0))


def _names(db_session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db_session.execute(select(System.id, System.name).where(System.id.in_(ids))).all())
