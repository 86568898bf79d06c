"""Which changes are worth telling whom; facts only, never the individual's data."""

from __future__ import annotations

from sqlalchemy import select

from casetracker.cases.changes import Change
from casetracker.cases.models import Case
from casetracker.people.models import Staff

CASES_CHANNEL = "channel:cases"


def facts(case: Case, *, base_url: str) -> dict:
    """Describe a case without personal data: what a Slack message may carry."""
    return {
        "reference": case.reference,
        "kind": case.kind,
        "jurisdiction": case.jurisdiction,
        "stage": case.stage,
        "status": case.status,
        "owner": case.owner.name if case.owner else None,
        "due_at": case.next_due_at.isoformat() if case.next_due_at else None,
        "link": f"{base_url}/cases/{case.reference}",
    }


def case_created(change: Change) -> None:
    """Tell the cases channel, and the owner if there is one."""
    case = change.case
    recipients = [CASES_CHANNEL]
    if case.owner is not None:
        recipients.append(f"staff:{case.owner.id}")
    _send(change, "case_created", recipients)


def case_assigned(change: Change) -> None:
    """Tell the new owner."""
    _send(change, "case_assigned", [f"staff:{change.case.owner.id}"])


def case_escalated(change: Change) -> None:
    """Tell every DPO: escalations are theirs to review."""
    dpos = change.db_session.scalars(
        select(Staff.id).where(Staff.role == "dpo", Staff.active.is_(True))
    )
    _send(change, "case_escalated", [f"staff:{i}" for i in dpos])


def tasks_opened(change: Change) -> None:
    """Tell each system owner, by DM, about the task the request just gave them."""
    case = change.case
    for task in case.tasks:
        if task.created_at != change.at:
            continue
        recipient = f"staff:{task.owner_id}"
        change.notifier.notify(
            topic="task_assigned",
            recipient=recipient,
            payload={**task_facts(case, task, base_url=change.base_url), "topic": "task_assigned"},
            dedupe_key=f"task_assigned:{task.id}:{recipient}",
            case_id=case.id,
        )


def task_blocked(change: Change) -> None:
    """Tell the case owner (or the cases channel) a task is blocked; the why stays on the case."""
    case = change.case
    task = next((t for t in case.tasks if t.id == change.params["task"]), None)
    if task is None or task.status != "blocked":
        return
    owner = case.owner
    recipient = f"staff:{owner.id}" if owner is not None and owner.active else CASES_CHANNEL
    change.notifier.notify(
        topic="task_blocked",
        recipient=recipient,
        payload={**task_facts(case, task, base_url=change.base_url), "topic": "task_blocked"},
        dedupe_key=f"task_blocked:{task.id}:v{task.version}:{recipient}",
        case_id=case.id,
    )


def task_facts(case: Case, task, *, base_url: str) -> dict:
    """Describe a task without personal data (no note: it may quote the individual's data)."""
    return {
        "reference": case.reference,
        "kind": case.kind,
        "right": case.right,
        "jurisdiction": case.jurisdiction,
        "task": task.id,
        "system": task.system.name,
        "instructions": task.system.instructions,
        "status": task.status,
        "due_at": task.due_at.isoformat(),
        "link": f"{base_url}/cases/{case.reference}",
    }


def _send(change: Change, topic: str, recipients) -> None:
    case = change.case
    payload = {"topic": topic, **facts(case, base_url=change.base_url)}
    for recipient in recipients:
        change.notifier.notify(
            topic=topic,
            recipient=recipient,
            payload=payload,
            dedupe_key=f"{topic}:{case.reference}:v{case.version}:{recipient}",
            case_id=case.id,
        )
