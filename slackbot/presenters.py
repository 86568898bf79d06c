"""Cases and tasks as Slack may show them: the notification facts, plus clock deadlines."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from casetracker.cases.models import Case
from casetracker.cases.notifications import facts, task_facts
from casetracker.cases.presenters import is_breached
from casetracker.cases.task_models import Task


def facts_of(case: Case) -> dict:
    """Return the facts a Slack message may carry about the case."""
    return facts(case, base_url=current_app.config["CASETRACKER_BASE_URL"])


def task_facts_of(task: Task) -> dict:
    """Return the facts a Slack message may carry about a task (never its note)."""
    return task_facts(task.case, task, base_url=current_app.config["CASETRACKER_BASE_URL"])


def clocks_of(case: Case, *, now: datetime) -> list[dict]:
    """Return the running clocks' names and due times (no personal data in them)."""
    return [
        {
            "name": clock.name,
            "due_at": clock.due_at.isoformat(),
            "paused": clock.paused,
            "overdue": is_breached(clock, now=now),
        }
        for clock in case.running_clocks
    ]
