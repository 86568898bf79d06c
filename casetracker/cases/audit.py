"""The audit trail: what a case looked like before and after each change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from casetracker.cases import chain, clocks
from casetracker.cases.models import Case, Event
from casetracker.people.actors import Actor


def snapshot(case: Case) -> dict:
    """Describe the case's state in plain values, without personal data."""
    latest = {}
    for clock in case.clocks:
        latest[clock.name] = {"due_at": clock.due_at.isoformat(), "state": _state(clock)}
    return {
        "stage": case.stage,
        "status": case.status,
        "owner": case.owner.email if case.owner else None,
        "priority": case.priority,
        "outcome": case.outcome,
        "hold_reason": case.hold_reason,
        "body_reference": case.body_reference,
        "redirected_to": case.redirected_to,
        "acknowledged_at": _iso(case.acknowledged_at),
        "closed_at": _iso(case.closed_at),
        "identity_verified": bool(case.subject and case.subject.identity_verified_at),
        "clocks": latest,
    }


def record(
    db_session: Session,
    case: Case,
    *,
    actor: Actor,
    source: str,
    action: str,
    before: dict,
    at: datetime,
    reason: str | None = None,
    first: bool = False,
) -> Event:
    """Append the event for a change: only the fields that changed, before and after.

    The event is sealed into the case's hash chain; ``first`` says the case is being
    created, so it has no event yet.
    """
    old, new = _changes(before, snapshot(case))
    event = Event(
        case_id=case.id,
        at=at,
        actor_type=actor.kind,
        actor=actor.label,
        source=source,
        action=action,
        before=old,
        after=new,
        reason=reason,
    )
    chain.seal(db_session, event, reference=case.reference, first=first)
    db_session.add(event)
    return event


def _state(clock) -> str:
    if clock.met_at:
        return "ended" if clocks.ended_by(clock) else "met"
    if clock.paused_since:
        return "paused"
    return "breached" if clock.breached_at else "running"


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Keep only what changed; for clocks, only the clocks that changed."""
    old, new = {}, {}
    for key, value in after.items():
        previous = before.get(key)
        if key == "clocks" and before:
            names = [n for n in value if previous.get(n) != value[n]]
            value = {n: value[n] for n in names}
            previous = {n: previous[n] for n in names if n in previous}
        if value != previous:
            new[key] = value
            if key in before:
                old[key] = previous
    return old, new


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
