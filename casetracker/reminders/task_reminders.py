"""Task reminders: owners before their task's target, the case owner once a task is late.

Each (task, threshold, recipient) is written once: the outbox's dedupe key refuses a second
row, whichever sweep gets there first. Thresholds are the clocks' (the policy's
``reminders``), counted from the task's own due time.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload

from casetracker import policy as policies
from casetracker import timesource
from casetracker.cases.models import Case
from casetracker.cases.notifications import CASES_CHANNEL
from casetracker.cases.task_models import FINISHED, Task
from casetracker.reminders import messages, thresholds

TOPIC = "task_reminder"


def remind(db_session: Session, *, now: datetime) -> int:
    """Enqueue the task reminders whose threshold has passed; return how many were new."""
    policy = policies.current().reminders
    tz, base_url = timesource.team_tz(), current_app.config["CASETRACKER_BASE_URL"]
    first = max(policy.before_due, default=None)
    query = (
        select(Task)
        .join(Case, Case.id == Task.case_id)
        .options(
            contains_eager(Task.case).joinedload(Case.owner),
            joinedload(Task.system),
            joinedload(Task.owner),
        )
        .where(Task.status.not_in(FINISHED), Case.status == "open")
        .order_by(Task.id)
    )
    if first is not None:
        query = query.where(Task.due_at <= now + first)
    rows = []
    for task in db_session.scalars(query):
        found = thresholds.latest_passed(
            task.due_at, since=task.created_at, now=now, tz=tz, policy=policy
        )
        if found is not None:
            rows += _rows(task, found, base_url=base_url)
    return messages.enqueue(db_session, rows, topic=TOPIC, now=now)


def _rows(task: Task, found: thresholds.Threshold, *, base_url: str):
    case = task.case
    to = [f"staff:{task.owner_id}"] if task.owner.active else []
    if found.overdue:
        owner = case.owner
        to.append(f"staff:{owner.id}" if owner is not None and owner.active else CASES_CHANNEL)
    payload = {
        "topic": TOPIC,
        "reference": case.reference,
        "task": task.id,
        "system": task.system.name,
        "kind": case.kind,
        "right": case.right,
        "jurisdiction": case.jurisdiction,
        "instructions": task.system.instructions,
        "status": task.status,
        "due_at": task.due_at.isoformat(),
        "threshold": found.label,
        "overdue": found.overdue,
        "link": f"{base_url}/cases/{case.reference}",
    }
    return [
        {
            "recipient": recipient,
            "dedupe_key": f"{TOPIC}:{task.id}:{found.label}:{recipient}",
            "payload": {**payload, "to_case_owner": recipient != f"staff:{task.owner_id}"},
            "case_id": case.id,
        }
        for recipient in dict.fromkeys(to)
    ]
