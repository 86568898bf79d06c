"""A request's tasks: one per system that holds the data, opened when the request enters work.

Handlers call these inside ``service.perform``, so opening and changing a task is part of an
audited action like any other change to the case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from casetracker.cases.errors import ActionNotAllowed, CaseNotFound, PermissionDenied
from casetracker.cases.models import Case
from casetracker.cases.task_models import FINISHED, Task
from casetracker.systems.models import System

# Outcomes that claim the request was carried out: every task must be finished first.
FULFILLING = frozenset({"complied", "partially_complied"})
ALREADY = {
    "open": "open",
    "done": "done",
    "no_data": "marked no data found",
    "blocked": "blocked",
}
STATUS_WORDS = {
    "open": "open",
    "done": "done",
    "no_data": "no data found",
    "blocked": "blocked",
}

Serving = Callable[[str, str | None], Sequence[System]]


def open_for(step, serving: Serving, *, legal_due: datetime | None) -> list[Task]:
    """Open a task for each system the request must reach and that has none on the case yet."""
    case = step.case
    if case.kind != "request" or legal_due is None:
        return []
    had = {task.system_id for task in case.tasks}
    targets = step.policy.tasks
    opened = []
    for system in serving(case.data_context, case.right):
        if system.id in had:
            continue
        task = Task(
            system=system,
            system_id=system.id,
            owner=system.owner,
            owner_id=system.owner_id,
            status="open",
            due_at=targets.due_at(legal_due=legal_due, entered_work=step.at, tz=step.tz),
            created_at=step.at,
            updated_at=step.at,
        )
        case.tasks.append(task)
        opened.append(task)
    return opened


def unfinished(case: Case) -> list[Task]:
    """Return the tasks that still stand between the request and its answer."""
    return [task for task in case.tasks if task.status not in FINISHED]


def find(case: Case, task_id: int) -> Task:
    task = next((task for task in case.tasks if task.id == task_id), None)
    if task is None:
        raise CaseNotFound(f"{case.reference} has no task {task_id}")
    return task


def may_change(role: str | None, staff_id: int | None, task: Task, case: Case) -> bool:
    """Tell whether someone may change the task: its owner, the case owner or the DPO."""
    if case.status == "closed":
        return False
    return role == "dpo" or (staff_id is not None and staff_id in (task.owner_id, case.owner_id))


def change(step, task: Task, *, status: str, note: str | None) -> None:
    """Set a task's status as its owner, the case owner or the DPO; the same twice is refused."""
    actor = step.actor
    if actor is None or not may_change(actor.role, actor.staff_id, task, step.case):
        raise PermissionDenied(
            f"only the task's owner, the case owner or the DPO may change the "
            f"{task.system.name} task of {step.case.reference}"
        )
    if task.status == status:
        raise ActionNotAllowed(
            f"the {task.system.name} task of {step.case.reference} is already {ALREADY[status]}"
        )
    was = task.status
    task.status = status
    task.note = note if note is not None else task.note
    task.updated_at = step.at
    task.finished_at = step.at if status in FINISHED else None
    # The note may quote the individual's data: it stays on the task, out of the audit trail
    # that API tokens without the pii scope read.
    step.reason = f"{task.system.name} task: {STATUS_WORDS[was]} → {STATUS_WORDS[status]}" + (
        "; note on the task" if note else ""
    )


def check_resolvable(case: Case, outcome: str) -> None:
    """Refuse an outcome that claims the request was carried out while a task is unfinished."""
    if outcome not in FULFILLING:
        return
    waiting = unfinished(case)
    if waiting:
        names = ", ".join(f"{t.system.name} ({STATUS_WORDS[t.status]})" for t in waiting)
        raise ActionNotAllowed(
            f"{case.reference} cannot close as {outcome}: {len(waiting)} task(s) not finished: "
            f"{names}. Mark each done or no data found first."
        )
