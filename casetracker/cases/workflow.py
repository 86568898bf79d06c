"""The state machine: which actions a case allows now, and what each one does.

Every channel (API, dashboard, Slack, jobs) changes a case through ``apply``; the service
wraps it in one transaction with the audit event and the notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from casetracker.cases import clocks
from casetracker.cases.errors import ActionNotAllowed, PermissionDenied
from casetracker.cases.models import Case
from casetracker.deadlines import ExtensionRefused
from casetracker.policy import ACTIONS, Policy

ROLE_ONLY = {"reopen": frozenset({"dpo"})}
OPEN_STAGES_FOR_REDIRECT = frozenset(
    {"received", "internal_review", "verifying_identity", "in_progress"}
)


@dataclass
class Step:
    """One action being applied: the case and everything the action may need."""

    case: Case
    action: str
    params: dict
    at: datetime
    tz: ZoneInfo
    policy: Policy

    def move_to(self, stage: str, *, clocks_from: datetime | None = None) -> None:
        clocks.leave_stage(self.case, stage, at=self.at, by=self.action)
        self.case.stage = stage
        start = clocks_from or self.at
        clocks.start_for_stage(self.case, stage, at=start, tz=self.tz, policy=self.policy)

    def close(self, outcome: str) -> None:
        for clock in self.case.running_clocks:
            clocks.meet(clock, at=self.at, by=self.action)
        self.case.closed_from_stage = self.case.stage
        self.case.stage = "closed"
        self.case.status = "closed"
        self.case.outcome = outcome
        self.case.closed_at = self.at


def may(role: str | None, action: str) -> bool:
    """Tell whether a role may ever perform the action."""
    return role in ROLE_ONLY.get(action, frozenset({"staff", "dpo", "admin", "system"}))


def allowed_actions(case: Case, *, role: str | None, policy: Policy) -> list[str]:
    """List the actions this role may take on the case right now."""
    possible = _possible(case, policy)
    return [action for action in ACTIONS if action in possible and may(role, action)]


def apply(step: Step, *, role: str | None) -> None:
    """Check and perform the step's action; raise instead of changing anything invalid."""
    action = step.action
    if not may(role, action):
        raise PermissionDenied(f"only the DPO may {action} a case")
    allowed = allowed_actions(step.case, role=role, policy=step.policy)
    if action not in allowed:
        raise ActionNotAllowed(_refusal(step.case, action))
    HANDLERS[action](step)


def escalation_targets(case: Case, policy: Policy) -> tuple[str, ...]:
    """Return the stages the case may be escalated to from where it is."""
    if case.kind != "complaint" or case.status == "closed":
        return ()
    return policy.route(case.route).escalation_targets(case.stage)


def _possible(case: Case, policy: Policy) -> set[str]:
    if case.status == "closed":
        return {"note", "reopen"}
    actions = {"assign", "note", "resolve"}
    actions.add("resume" if case.status == "on_hold" else "hold")
    if clocks.extendable(case):
        actions.add("extend")
    if case.status == "on_hold":
        return actions
    if case.stage == "received":
        actions.add("acknowledge")
    if case.stage == "verifying_identity":
        actions.add("verify_identity")
    if escalation_targets(case, policy):
        actions.add("escalate")
    if case.stage == "dpa_panel" and not _advice_recorded(case):
        actions.add("record_advice")
    if policy.is_redirectable(case.data_context) and case.stage in OPEN_STAGES_FOR_REDIRECT:
        actions.add("redirect")
    return actions


def _advice_recorded(case: Case) -> bool:
    return any(clock.rule.get("starts_on") == "record_advice" for clock in case.clocks)


def _refusal(case: Case, action: str) -> str:
    state = "closed" if case.status == "closed" else f"{case.status} at stage {case.stage}"
    return f"cannot {action} {case.reference}: the case is {state}"


def _acknowledge(step: Step) -> None:
    case = step.case
    case.acknowledged_at = step.at
    clocks.on_action(case, "acknowledge", at=step.at, tz=step.tz, policy=step.policy)
    if case.kind == "complaint":
        step.move_to("internal_review")
    elif step.policy.identity_required(right=case.right) and not _verified(case):
        step.move_to("verifying_identity")
    else:
        step.move_to("in_progress")


def _verified(case: Case) -> bool:
    return case.subject is not None and case.subject.identity_verified_at is not None


def _assign(step: Step) -> None:
    owner = step.params["owner"]
    if step.case.owner_id == owner.id:
        raise ActionNotAllowed(f"{owner.email} already owns {step.case.reference}")
    step.case.owner = owner


def _note(step: Step) -> None:
    """A note changes nothing but the audit trail."""


def _hold(step: Step) -> None:
    step.case.status = "on_hold"
    step.case.hold_reason = step.params["reason"]
    clocks.pause_all(step.case, at=step.at)


def _resume(step: Step) -> None:
    step.case.status = "open"
    step.case.hold_reason = None
    clocks.resume_all(step.case, at=step.at, tz=step.tz)


def _extend(step: Step) -> None:
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


def _escalate(step: Step) -> None:
    targets = escalation_targets(step.case, step.policy)
    target = step.params.get("to_stage") or targets[0]
    if target not in targets:
        raise ActionNotAllowed(
            f"{step.case.reference} can only be escalated to {' or '.join(targets)} from "
            f"{step.case.stage}"
        )
    step.case.body_reference = step.params.get("body_reference")
    step.move_to(target, clocks_from=step.params.get("referred_at"))


def _record_advice(step: Step) -> None:
    advice_at = step.params.get("advice_at") or step.at
    clocks.on_action(step.case, "record_advice", at=advice_at, tz=step.tz, policy=step.policy)


def _resolve(step: Step) -> None:
    step.close(step.params["outcome"])


def _redirect(step: Step) -> None:
    step.case.redirected_to = step.params["client"]
    step.close("redirected")


def _reopen(step: Step) -> None:
    case = step.case
    case.status = "open"
    case.stage = case.closed_from_stage or "received"
    clocks.restart_after_reopen(case, at=step.at, tz=step.tz, policy=step.policy)
    case.closed_from_stage = None
    case.outcome = None
    case.closed_at = None


def _verify_identity(step: Step) -> None:
    step.case.subject.identity_verified_at = step.at
    step.move_to("in_progress")


HANDLERS: dict[str, Callable[[Step], None]] = {
    "acknowledge": _acknowledge,
    "assign": _assign,
    "note": _note,
    "hold": _hold,
    "resume": _resume,
    "extend": _extend,
    "escalate": _escalate,
    "record_advice": _record_advice,
    "resolve": _resolve,
    "redirect": _redirect,
    "reopen": _reopen,
    "verify_identity": _verify_identity,
}
