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
from casetracker.cases.errors import ActionNotAllowed
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
    """Erase the individual's personal data, the complaint text and the task notes (they may
    quote the individual); keep the rest."""
    subject = step.case.subject
    subject.name = subject.email = subject.agent_name = subject.agent_email = None
    subject.erased_at = step.at
    step.case.summary = None
    for task in step.case.tasks:
        task.note = None
    step.reason = (
        f"personal data erased: closed more than {step.params['period']} ago (retention policy)"
    )
