"""Start, meet, pause, resume and extend a case's clocks, following the policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from casetracker import deadlines
from casetracker.cases.models import Case, Clock
from casetracker.policy import ClockSpec, Policy

CLOSING_ACTIONS = frozenset({"resolve", "redirect"})
# Actions that move the case on because its stage's work is done (not because it went
# unresolved, as an escalation does).
DONE_ACTIONS = frozenset({"acknowledge", "verify_identity"})


def start_for_stage(case: Case, stage: str, *, at: datetime, tz: ZoneInfo, policy: Policy) -> None:
    """Start the clocks that begin when the case enters ``stage``."""
    running = {clock.name for clock in case.running_clocks}
    for spec in _specs(case, policy):
        if spec.starts_on is None and spec.stages[0] == stage and spec.name not in running:
            _start(case, spec, at=at, tz=tz)


def restart_after_reopen(case: Case, *, at: datetime, tz: ZoneInfo, policy: Policy) -> None:
    """Start afresh the clocks the closing stopped, or else those of the case's stage."""
    closing = case.closed_at
    stopped = [c for c in case.clocks if c.met_at == closing and c.met_by in CLOSING_ACTIONS]
    for clock in stopped:
        fresh = Clock(name=clock.name, rule=dict(clock.rule), started_at=at, pauses=[])
        fresh.due_at = deadlines.due_at(rule_of(fresh), started_at=at, tz=tz)
        fresh.target_at = _target(fresh, tz=tz)
        case.clocks.append(fresh)
    if stopped:
        return
    for spec in _specs(case, policy):
        if spec.starts_on is None and case.stage in spec.stages:
            _start(case, spec, at=at, tz=tz)


def on_action(case: Case, action: str, *, at: datetime, tz: ZoneInfo, policy: Policy) -> None:
    """Meet the clocks the action satisfies and start those it triggers."""
    for clock in case.running_clocks:
        if action in clock.rule.get("met_by", ()):
            meet(clock, at=at, by=action)
    for spec in _specs(case, policy):
        if spec.starts_on == action and case.stage in spec.stages:
            _start(case, spec, at=at, tz=tz)


def leave_stage(case: Case, new_stage: str, *, at: datetime, by: str) -> None:
    """Stop the running clocks that do not run in ``new_stage`` (see ``was_met``)."""
    for clock in case.running_clocks:
        if new_stage not in clock.rule["stages"]:
            meet(clock, at=at, by=by)


def meet(clock: Clock, *, at: datetime, by: str) -> None:
    """Stop a clock as met at ``at`` by an action, noting a breach if it was late."""
    if clock.paused_since is not None:
        _close_pause(clock, at)
    clock.met_at = at
    clock.met_by = by
    if at > clock.due_at and clock.breached_at is None:
        clock.breached_at = clock.due_at


def was_met(clock: Clock) -> bool:
    """Tell whether a stopped clock was met, not ended by escalating the case past it."""
    if clock.met_at is None:
        return False
    if clock.met_by is None:  # stopped before clocks recorded what stopped them
        return True
    meeting = {*clock.rule.get("met_by", ()), *CLOSING_ACTIONS, *DONE_ACTIONS}
    return clock.met_by in meeting


def ended_by(clock: Clock) -> str | None:
    """Return the action that stopped the clock without meeting it, or None."""
    return None if clock.met_at is None or was_met(clock) else clock.met_by


def pause_all(case: Case, *, at: datetime) -> None:
    """Stop the pausable clocks; the others keep running."""
    for clock in case.running_clocks:
        if clock.rule["pausable"] and clock.paused_since is None:
            clock.paused_since = at


def resume_all(case: Case, *, at: datetime, tz: ZoneInfo) -> None:
    """Restart paused clocks, moving each due time by the paused span."""
    for clock in case.running_clocks:
        if clock.paused_since is not None:
            _close_pause(clock, at)
            _recompute(clock, tz=tz)


def extendable(case: Case) -> list[Clock]:
    """Return the running clocks that may still be extended once."""
    return [
        clock
        for clock in case.running_clocks
        if clock.rule.get("extension") and clock.extended_at is None
    ]


def extend(clock: Clock, *, reason: str, told_at: datetime, at: datetime, tz: ZoneInfo) -> None:
    """Extend a clock once, before its due time; raises ExtensionRefused otherwise."""
    deadlines.check_extension(
        rule_of(clock), due_at=clock.due_at, now=at, already_extended=clock.extended_at is not None
    )
    clock.original_due_at = clock.due_at
    clock.extended_at = at
    clock.extension_reason = reason
    clock.extension_told_at = told_at
    clock.rule = {**clock.rule, "target": None}  # the individual was told the new date
    _recompute(clock, tz=tz)


def restart(clock: Clock, *, at: datetime, tz: ZoneInfo) -> None:
    """Count a clock afresh from ``at``, where the law starts it later (UK: the ID received)."""
    clock.started_at, clock.pauses, clock.breached_at = at, [], None
    _recompute(clock, tz=tz)
    if clock.extended_at is not None:
        clock.original_due_at = deadlines.due_at(rule_of(clock), started_at=at, tz=tz)


def next_due(case: Case) -> datetime | None:
    """Return the earliest due time among clocks that are running and not paused."""
    dues = [c.due_at for c in case.running_clocks if c.paused_since is None]
    return min(dues) if dues else None


def rule_of(clock: Clock) -> deadlines.ClockRule:
    """Rebuild the rule the clock was started under (kept on the row)."""
    rule = clock.rule
    return deadlines.ClockRule(
        duration=deadlines.Duration.parse(rule["duration"]),
        calendar=rule.get("calendar"),
        roll_forward=rule["roll_forward"],
        pausable=rule["pausable"],
        extension=deadlines.Duration.parse(rule["extension"]) if rule.get("extension") else None,
    )


def _specs(case: Case, policy: Policy) -> tuple[ClockSpec, ...]:
    return policy.clocks_for(kind=case.kind, jurisdiction=case.jurisdiction, right=case.right)


def _start(case: Case, spec: ClockSpec, *, at: datetime, tz: ZoneInfo) -> Clock:
    rule = spec.rule
    clock = Clock(
        name=spec.name,
        rule={
            "duration": str(rule.duration),
            "calendar": rule.calendar,
            "roll_forward": rule.roll_forward,
            "pausable": rule.pausable,
            "extension": str(rule.extension) if rule.extension else None,
            "stages": list(spec.stages),
            "met_by": list(spec.met_by),
            "starts_on": spec.starts_on,
            "source": spec.source,
            "target": str(spec.target) if spec.target else None,
            "target_source": spec.target_source,
        },
        started_at=at,
        due_at=deadlines.due_at(rule, started_at=at, tz=tz),
        pauses=[],
    )
    clock.target_at = _target(clock, tz=tz)
    case.clocks.append(clock)
    return clock


def _close_pause(clock: Clock, at: datetime) -> None:
    clock.pauses = [*clock.pauses, [clock.paused_since.isoformat(), at.isoformat()]]
    clock.paused_since = None


def _recompute(clock: Clock, *, tz: ZoneInfo) -> None:
    pauses = [
        deadlines.Pause(datetime.fromisoformat(start), datetime.fromisoformat(end))
        for start, end in clock.pauses
    ]
    clock.due_at = deadlines.due_at(
        rule_of(clock),
        started_at=clock.started_at,
        tz=tz,
        pauses=pauses,
        extended=clock.extended_at is not None,
    )
    clock.target_at = _target(clock, tz=tz, pauses=pauses)


def _target(clock: Clock, *, tz: ZoneInfo, pauses=()) -> datetime | None:
    """Return the promised time when the policy promises one earlier than the legal due time."""
    promised = clock.rule.get("target")
    if not promised:
        return None
    rule = replace(rule_of(clock), duration=deadlines.Duration.parse(promised), extension=None)
    target = deadlines.due_at(rule, started_at=clock.started_at, tz=tz, pauses=pauses)
    return target if target < clock.due_at else None


def reminder_anchor(clock) -> datetime:
    """Return the time reminders aim at: the promise when there is one, else the due time."""
    return clock.target_at or clock.due_at
