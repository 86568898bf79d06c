"""Handlers of the actions that record what happened beside the case: emails sent,
received and bounced, questions asked, files added, the response to the individual.

They change nothing but the audit trail (and, for an answer to our question, the hold);
each checks who may take it, like the workflow's own handlers in ``handlers``.
"""

from __future__ import annotations

from casetracker.cases import tasks
from casetracker.cases.errors import PermissionDenied
from casetracker.cases.handlers import AWAITING_INDIVIDUAL, Step, resume


def message_sent(step: Step) -> None:
    """Record that a message to the individual or a controller went out (no content)."""
    step.reason = " ".join(filter(None, (step.params["topic"], step.params.get("language"))))


def ask_individual(step: Step) -> None:
    """Record that a question was emailed; the question itself stays in the email."""
    step.reason = "question emailed to the individual; the case goes on hold when it is sent"


def message_received(step: Step) -> None:
    """Record the individual's email; an answer to our question takes the case off hold."""
    number, foreign = step.params["message"], step.params["foreign_sender"]
    who = "someone other than the individual" if foreign else "the individual"
    step.reason = f"email #{number} from {who}"
    case = step.case
    if case.status == "on_hold" and case.hold_reason == AWAITING_INDIVIDUAL:
        resume(step)


def link_message(step: Step) -> None:
    foreign = " (from someone other than the individual)" if step.params["foreign_sender"] else ""
    step.reason = f"email #{step.params['message']} from the inbox added to the case{foreign}"


def reply(step: Step) -> None:
    """Record an email to the individual written on the case (the text stays in the email)."""
    _owner_or_dpo(step, "write to the individual")
    step.reason = "email to the individual written on the case"


def add_attachment(step: Step) -> None:
    """Record a file kept with the case; a task's owner may add the result of their task."""
    number, task_id = step.params["attachment"], step.params.get("task")
    if task_id is None:
        _owner_or_dpo(step, "add files to")
        step.reason = f"file #{number} added to the case"
        return
    task, actor = tasks.find(step.case, task_id), step.actor
    if not tasks.may_change(actor.role, actor.staff_id, task, step.case):
        raise PermissionDenied(
            f"only the task's owner, the case owner or the DPO may add files for the "
            f"{task.system.name} task of {step.case.reference}"
        )
    step.reason = f"file #{number} added for the {task.system.name} task"


def release_response(step: Step) -> None:
    _owner_or_dpo(step, "send the response of")
    until = step.params["until"].astimezone(step.tz)
    step.reason = (
        f"response package #{step.params['package']} ready for the individual: "
        f"{step.params['count']} files; the link works until {until:%d %b %Y %H:%M}, "
        f"{step.params['of']} downloads"
    )


def response_downloaded(step: Step) -> None:
    p = step.params
    step.reason = f"response package #{p['package']} downloaded ({p['count']} of {p['of']})"


def revoke_response(step: Step) -> None:
    _owner_or_dpo(step, "revoke the response of")
    step.reason = f"response package #{step.params['package']} revoked: its link no longer works"


def message_bounced(step: Step) -> None:
    step.reason = f"email #{step.params['message']} to the individual bounced"


def _owner_or_dpo(step: Step, what: str) -> None:
    actor = step.actor
    if actor is None or actor.role == "system":
        return
    if actor.role != "dpo" and actor.staff_id != step.case.owner_id:
        raise PermissionDenied(f"only the DPO or the case owner may {what} {step.case.reference}")
