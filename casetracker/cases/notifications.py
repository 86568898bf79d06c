"""Which changes are worth telling whom; facts only, never the individual's data."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker.cases.models import Case
from casetracker.outbox.notifier import Notifier
from casetracker.people.models import Staff

CASES_CHANNEL = "channel:cases"
HOOKS = "casetracker.cases.notification_hooks"


def add_hook(app: Flask, hook) -> None:
    """Let another package add its own messages to each change: hook(notifier, case, action)."""
    app.extensions.setdefault(HOOKS, []).append(hook)


def _run_hooks(notifier: Notifier, case: Case, action: str) -> None:
    for hook in current_app.extensions.get(HOOKS, ()):
        hook(notifier, case, action)


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


def case_created(notifier: Notifier, case: Case, *, base_url: str) -> None:
    """Tell the cases channel, and the owner if there is one."""
    recipients = [CASES_CHANNEL]
    if case.owner is not None:
        recipients.append(f"staff:{case.owner.id}")
    _send(notifier, "case_created", case, recipients, base_url=base_url)
    _run_hooks(notifier, case, "create")


def after_action(
    notifier: Notifier, db_session: Session, case: Case, action: str, *, base_url: str
) -> None:
    """Tell the new owner of an assignment, and the DPO of an escalation."""
    if action == "assign":
        _send(notifier, "case_assigned", case, [f"staff:{case.owner.id}"], base_url=base_url)
    elif action == "escalate":
        dpos = db_session.scalars(
            select(Staff.id).where(Staff.role == "dpo", Staff.active.is_(True))
        )
        _send(notifier, "case_escalated", case, [f"staff:{i}" for i in dpos], base_url=base_url)
    _run_hooks(notifier, case, action)


def _send(notifier: Notifier, topic: str, case: Case, recipients, *, base_url: str) -> None:
    payload = {"topic": topic, **facts(case, base_url=base_url)}
    for recipient in recipients:
        notifier.notify(
            topic=topic,
            recipient=recipient,
            payload=payload,
            dedupe_key=f"{topic}:{case.reference}:v{case.version}:{recipient}",
            case_id=case.id,
        )
