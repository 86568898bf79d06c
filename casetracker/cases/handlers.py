"""What each action does to a case: one handler per action, all given the same Step.

Handlers change the case and its clocks in memory and raise ``ActionNotAllowed`` when the
case's history forbids the step; ``service.perform`` wraps them in one transaction with the
version check, the audit event and the reactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from casetracker.cases import clocks, tasks
from casetracker.cases.errors import ActionNotAllowed, PermissionDenied
from casetracker.cases.models import Case, Clock
from casetracker.deadlines import ExtensionRefused
from casetracker.people.actors import Actor
from casetracker.policy import Policy

# The hold a question puts a case on; the individual's answer lifts it.
AWAITING_INDIVIDUAL = "waiting for the individual's answer to our question (email sent)"


@dataclass
class Step:
    """One action being applied: the case, the action's fields, and the audit reason."""

    case: Case
    action: str
    params: dict
    at: datetime
    tz: ZoneInfo
    policy: Policy
    actor: Actor | None = None
    reason: str | None = None
    # The systems a request about (context, right) must reach: read by the service.
    serving: tasks.Serving | None = None

    def move_to(self, stage: str, *, clocks_from: datetime | None = None) -> None:
        clocks.leave_stage(self.case, stage, at=self.at, by=self.action)
        self.case.stage = stage
        start = clocks_from or self.at
        clocks.start_for_stage(self.case, stage, at=start, tz=self.tz, policy=self.policy)
        if stage == "in_progress" and self.serving is not None:
            opened = tasks.open_for(self, self.serving, legal_due=clocks.next_due(self.case))
            if opened:
                names = ", ".join(task.system.name for task in opened)
                said = f"{self.reason.rstrip('.')}. " if self.reason else ""
                self.reason = f"{said}Tasks opened: {names}."

    def close(self, outcome: str) -> None:
        for clock in self.case.running_clocks:
            clocks.meet(clock, at=self.at, by=self.action)
        self.case.closed_from_stage = self.case.stage
        self.case.stage = "closed"
        self.case.status = "closed"
        self.case.outcome = outcome
        self.case.closed_at = self.at

    def running_clock(self, name: str) -> Clock:
        clock = next((c for c in self.case.running_clocks if c.name == name), None)
        if clock is None:
            raise ActionNotAllowed(f"{self.case.reference} has no running {name} clock")
        return clock


def escalation_targets(case: Case, policy: Policy) -> tuple[str, ...]:
    """Return the stages the case may be escalated to from where it is."""
    if case.kind != "complaint" or case.status == "closed":
        return ()
    return policy.route(case.route).escalation_targets(case.stage)


def advice_recorded(case: Case) -> bool:
    """Tell whether the DPA panel's advice has started its compliance clock."""
    return any(clock.rule.get("starts_on") == "record_advice" for clock in case.clocks)


def verified(case: Case) -> bool:
    """Tell whether the individual's identity has been verified."""
    return case.subject is not None and case.subject.identity_verified_at is not None


def acknowledge(step: Step) -> None:
    case = step.case
    case.acknowledged_at = step.at
    clocks.on_action(case, "acknowledge", at=step.at, tz=step.tz, policy=step.policy)
    if case.kind == "complaint":
        step.move_to("internal_review")
    elif step.policy.identity_required(right=case.right) and not verified(case):
        step.move_to("verifying_identity")
    else:
        step.move_to("in_progress")


def assign(step: Step) -> None:
    owner = step.params["owner"]
    if step.case.owner_id == owner.id:
        raise ActionNotAllowed(f"{owner.email} already owns {step.case.reference}")
    step.case.owner = owner


def record_only(step: Step) -> None:
    """Change nothing but the audit trail (a note, an email sent, a question asked)."""


def hold(step: Step) -> None:
    step.case.status = "on_hold"
    step.case.hold_reason = step.params["reason"]
    clocks.pause_all(step.case, at=step.at)


def resume(step: Step) -> None:
    step.case.status = "open"
    step.case.hold_reason = None
    clocks.resume_all(step.case, at=step.at, tz=step.tz)


def extend(step: Step) -> None:
    candidates = clocks.extendable(step.case)
    name = step.params.get("clock")
    if name:
        candidates = [clock for clock in candidates if clock.name == name]
    if len(candidates) != 1:
        names = ", ".join(sorted(c.name for c in clocks.extendable(step.case)))
        raise ActionNotAllowed(f"clock: say which clock to extend ({names})")
    try:
        clocks.extend(
            candidates[0],
            reason=step.params["reason"],
            told_at=step.params.get("told_at") or step.at,
            at=step.at,
            tz=step.tz,
        )
    except ExtensionRefused as refusal:
        raise ActionNotAllowed(str(refusal)) from refusal


def escalate(step: Step) -> None:
    targets = escalation_targets(step.case, step.policy)
    target = step.params.get("to_stage") or targets[0]
    if target not in targets:
        raise ActionNotAllowed(
            f"{step.case.reference} can only be escalated to {' or '.join(targets)} from "
            f"{step.case.stage}"
        )
    step.case.body_reference = step.params.get("body_reference")
    step.move_to(target, clocks_from=step.params.get("referred_at"))


def record_advice(step: Step) -> None:
    advice_at = step.params.get("advice_at") or step.at
    clocks.on_action(step.case, "record_advice", at=advice_at, tz=step.tz, policy=step.policy)


def resolve(step: Step) -> None:
    outcome = step.params["outcome"]
    tasks.check_resolvable(step.case, outcome)
    step.close(outcome)


def update_task(step: Step) -> None:
    task = tasks.find(step.case, step.params["task"])
    tasks.change(step, task, status=step.params["status"], note=step.params.get("note"))


def redirect(step: Step) -> None:
    step.case.redirected_to = step.params["client"]
    step.close("redirected")


def reopen(step: Step) -> None:
    case = step.case
    case.status = "open"
    case.stage = case.closed_from_stage or "received"
    clocks.restart_after_reopen(case, at=step.at, tz=step.tz, policy=step.policy)
    case.closed_from_stage = None
    case.outcome = None
    case.closed_at = None


def verify_identity(step: Step) -> None:
    step.case.subject.identity_verified_at = step.at
    if step.case.jurisdiction in step.policy.identity_check.respond_from_verification:
        _respond_from_now(step)
    step.move_to("in_progress")


def _respond_from_now(step: Step) -> None:
    """Count the respond clock from the identity check, where the law says it runs from then."""
    clock = next((c for c in step.case.running_clocks if c.name == "respond"), None)
    if clock is None or step.at <= clock.started_at:
        return
    clocks.restart(clock, at=step.at, tz=step.tz)
    until = clock.due_at.astimezone(step.tz).strftime("%d %b %Y")
    note = f"respond clock counted from the identity check: due {until}"
    step.reason = "; ".join(filter(None, (step.reason, note)))


def snooze(step: Step) -> None:
    """Hold back a running clock's reminders; the deadline itself stays."""
    name = step.params["clock"]
    clock = step.running_clock(name)
    since = max(step.at, clock.snoozed_until or step.at)
    clock.snoozed_until = since + timedelta(days=step.params["days"])
    until = clock.snoozed_until.astimezone(step.tz).strftime("%d %b %Y %H:%M")
    step.reason = f"{name} reminders snoozed until {until}"


def breach(step: Step) -> None:
    """Mark a clock that passed its due time unmet, once."""
    name = step.params["clock"]
    clock = step.running_clock(name)
    if clock.breached_at is not None or clock.paused_since is not None or clock.due_at >= step.at:
        raise ActionNotAllowed(f"the {name} deadline of {step.case.reference} is not missed")
    clock.breached_at = clock.due_at
    step.reason = f"the {name} deadline passed unmet"


def erase(step: Step) -> None:
    """Erase the individual's personal data and the complaint text; keep the rest."""
    subject = step.case.subject
    subject.name = subject.email = subject.agent_name = subject.agent_email = None
    subject.erased_at = step.at
    step.case.summary = None
    step.reason = (
        f"personal data erased: closed more than {step.params['period']} ago (retention policy)"
    )


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
