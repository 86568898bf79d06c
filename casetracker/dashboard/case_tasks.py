"""A request's tasks as the case page and the case file show them, and the form that changes one.

The service decides whether a change is allowed; this module offers the buttons by the same
rule (``tasks.may_change``), so that people are not offered what would be refused.
"""

from __future__ import annotations

from casetracker.cases import task_queries
from casetracker.cases.models import Case
from casetracker.cases.tasks import STATUS_WORDS, may_change
from casetracker.extensions import db
from casetracker.people.models import Staff


def context(case: Case, *, viewer: Staff, forms: bool = True) -> dict:
    """What the Tasks section needs: the tasks, which ones the viewer may change, and words."""
    tasks = task_queries.of_case(db.session, case_id=case.id)
    changeable = {
        task.id for task in tasks if forms and may_change(viewer.role, viewer.id, task, case)
    }
    return {
        "tasks": tasks,
        "changeable": changeable,
        # A request in work reached no system: say so, rather than show nothing.
        "no_system": not tasks and case.kind == "request" and case.stage == "in_progress",
        "task_words": STATUS_WORDS,
    }


def params_from_form(task_id: int, form) -> dict:
    """Turn the submitted task form into the update_task action's input."""
    note = (form.get("note") or "").strip()
    return {"task": task_id, "status": form.get("status", ""), "note": note or None}
