"""A case as its readers may see it: personal data only for those allowed."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from casetracker import policy as policies
from casetracker.cases import clocks, workflow
from casetracker.cases.models import Case, Clock, Subject
from casetracker.cases.records import CaseRecord
from casetracker.people.actors import Actor


def case_view(case: Case | CaseRecord, *, actor: Actor, now: datetime) -> dict:
    """Return the case's fields, its clocks and the actions this actor may take."""
    view = {
        "reference": case.reference,
        "kind": case.kind,
        "jurisdiction": case.jurisdiction,
        "data_context": case.data_context,
        "right": case.right,
        "route": case.route,
        "stage": case.stage,
        "status": case.status,
        "owner": case.owner.email if case.owner else None,
        "priority": case.priority,
        "outcome": case.outcome,
        "version": case.version,
        "channel": case.channel,
        "body_reference": case.body_reference,
        "hold_reason": case.hold_reason,
        "received_at": case.received_at,
        "acknowledged_at": case.acknowledged_at,
        "closed_at": case.closed_at,
        "next_due_at": case.next_due_at,
        "clocks": [clock_view(clock, now=now) for clock in case.clocks],
        "allowed_actions": workflow.allowed_actions(
            case, role=actor.role, policy=policies.current()
        ),
        "links": {"dashboard": dashboard_link(case)},
    }
    if actor.sees_pii:
        view["summary"] = case.summary
        view["subject"] = subject_view(case.subject) if case.subject else None
    return view


def subject_view(subject: Subject) -> dict:
    """Return the individual's details (personal data: only for those allowed)."""
    return {
        "name": subject.name,
        "email": subject.email,
        "country": subject.country,
        "agent_name": subject.agent_name,
        "agent_email": subject.agent_email,
        "identity_verified_at": subject.identity_verified_at,
    }


def clock_view(clock: Clock, *, now: datetime) -> dict:
    """Return a clock's times, whether it is (or was) late, and what ended it unmet."""
    return {
        "name": clock.name,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "target_at": clock.target_at,
        "target_source": clock.rule.get("target_source") if clock.target_at else None,
        "original_due_at": clock.original_due_at,
        "paused": clock.paused,
        "met_at": clock.met_at,
        "ended_by": clocks.ended_by(clock),
        "breached": is_breached(clock, now=now),
        "extension_reason": clock.extension_reason,
        "extension_told_at": clock.extension_told_at,
        "source": clock.rule.get("source"),
    }


def is_breached(clock: Clock, *, now: datetime) -> bool:
    """Tell whether the clock missed its due time, or is running past it."""
    if clock.breached_at is not None:
        return True
    return clock.met_at is None and clock.paused_since is None and now > clock.due_at


def dashboard_link(case: Case) -> str:
    """Return the address of the case's page on the dashboard."""
    return f"{current_app.config['CASETRACKER_BASE_URL']}/cases/{case.reference}"
