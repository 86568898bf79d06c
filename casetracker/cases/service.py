"""The one way to create and change a case: each function is one unit of work."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from casetracker import policy as policies
from casetracker import timesource
from casetracker.cases import audit, clocks, notifications, workflow
from casetracker.cases.errors import ActionNotAllowed, CaseNotFound, StaleVersion
from casetracker.cases.models import Case, Event, Subject
from casetracker.cases.references import next_reference
from casetracker.cases.schemas import ACTION_SCHEMAS, OUTCOMES, CaseCreateSchema
from casetracker.outbox.notifier import OutboxNotifier
from casetracker.people.actors import Actor
from casetracker.people.models import Staff

# One round trip: a case has a handful of clocks, one subject and one owner (of whom only
# what cases show: not the sign-in columns). Built once: building it and its loader options
# anew cost a fifth of the whole read.
CASE_BY_REFERENCE = (
    select(Case)
    .where(Case.reference == bindparam("reference"))
    .options(
        joinedload(Case.clocks),
        joinedload(Case.subject),
        joinedload(Case.owner).load_only(
            Staff.name, Staff.email, Staff.role, Staff.active, Staff.slack_user_id
        ),
    )
)


def create_case(db_session: Session, *, data: Mapping, actor: Actor, source: str) -> Case:
    """Validate and open a new case with its clocks, event and notifications."""
    now = timesource.now()
    fields = CaseCreateSchema().load(data)
    owner = _staff_by_email(db_session, fields.get("owner"), field="owner")
    received_at = fields.get("received_at") or now
    if received_at > now:
        raise ValidationError({"received_at": ["cannot be in the future"]})
    policy, tz = policies.current(), timesource.team_tz()
    route = policy.route_for(
        kind=fields["kind"],
        jurisdiction=fields["jurisdiction"],
        data_context=fields["data_context"],
    )
    case = Case(
        reference=next_reference(
            db_session, kind=fields["kind"], year=received_at.astimezone(tz).year
        ),
        kind=fields["kind"],
        jurisdiction=fields["jurisdiction"],
        data_context=fields["data_context"],
        right=fields.get("right"),
        summary=fields["summary"],
        channel=fields["channel"],
        route=route.name,
        stage="received",
        status="open",
        owner=owner,
        priority=fields["priority"],
        received_at=received_at,
        created_at=now,
        updated_at=now,
        version=1,
        subject=Subject(**fields["subject"]),
    )
    clocks.start_for_stage(case, "received", at=received_at, tz=tz, policy=policy)
    case.next_due_at = clocks.next_due(case)
    db_session.add(case)
    db_session.flush()
    audit.record(db_session, case, actor=actor, source=source, action="create", before={}, at=now)
    notifier = OutboxNotifier(db_session, now=now)
    notifications.case_created(notifier, case, base_url=_base_url())
    db_session.commit()
    return case


def perform(
    db_session: Session,
    *,
    reference: str,
    action: str,
    version: int,
    params: Mapping,
    actor: Actor,
    source: str,
) -> Case:
    """Apply one action to a case, or refuse it and change nothing."""
    schema = ACTION_SCHEMAS.get(action)
    if schema is None:
        raise ValidationError({"action": [f"unknown action {action!r}"]})
    fields = schema().load(params)
    case = get_case(db_session, reference=reference)
    allowed = workflow.allowed_actions(case, role=actor.role, policy=policies.current())
    if case.version != version:
        raise StaleVersion(_stale_message(reference), allowed)
    now = timesource.now()
    try:
        _resolve_fields(db_session, case, action, fields, now=now)
        before = audit.snapshot(case)
        step = workflow.Step(
            case=case,
            action=action,
            params=fields,
            at=now,
            tz=timesource.team_tz(),
            policy=policies.current(),
        )
        workflow.apply(step, role=actor.role)
        case.next_due_at = clocks.next_due(case)
        case.updated_at = now
        case.version += 1
        db_session.flush()
    except StaleDataError as exc:
        db_session.rollback()
        raise StaleVersion(_stale_message(reference), allowed) from exc
    except ActionNotAllowed as exc:
        db_session.rollback()
        exc.allowed_actions = exc.allowed_actions or allowed
        raise
    except Exception:
        db_session.rollback()
        raise
    reason = fields.get("reason") or fields.get("text")
    audit.record(
        db_session,
        case,
        actor=actor,
        source=source,
        action=action,
        before=before,
        at=now,
        reason=reason,
    )
    notifier = OutboxNotifier(db_session, now=now)
    notifications.after_action(notifier, db_session, case, action, base_url=_base_url())
    db_session.commit()
    return case


def snooze(
    db_session: Session,
    *,
    reference: str,
    version: int,
    clock_name: str,
    actor: Actor,
    source: str,
    days: int = 1,
) -> Case:
    """Hold back a running clock's reminders for ``days``; the deadline itself stays."""
    case = get_case(db_session, reference=reference)
    allowed = workflow.allowed_actions(case, role=actor.role, policy=policies.current())
    if case.version != version:
        raise StaleVersion(_stale_message(reference), allowed)
    clock = next((c for c in case.running_clocks if c.name == clock_name), None)
    if clock is None:
        raise ActionNotAllowed(f"{reference} has no running {clock_name} clock", allowed)
    now = timesource.now()
    before = audit.snapshot(case)
    clock.snoozed_until = max(now, clock.snoozed_until or now) + timedelta(days=days)
    case.updated_at = now
    case.version += 1
    until = clock.snoozed_until.astimezone(timesource.team_tz()).strftime("%d %b %Y %H:%M")
    audit.record(
        db_session,
        case,
        actor=actor,
        source=source,
        action="snooze",
        before=before,
        at=now,
        reason=f"{clock_name} reminders snoozed until {until}",
    )
    db_session.commit()
    return case


def get_case(db_session: Session, *, reference: str) -> Case:
    """Return the case with this reference, or raise CaseNotFound."""
    case = db_session.scalars(CASE_BY_REFERENCE, {"reference": reference}).unique().first()
    if case is None:
        raise CaseNotFound(f"no case with reference {reference!r}")
    return case


def events_of(db_session: Session, *, reference: str) -> list[Event]:
    """Return the audit trail of a case, oldest first."""
    case = get_case(db_session, reference=reference)
    return list(
        db_session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
    )


def _stale_message(reference: str) -> str:
    return f"someone else changed {reference} since you read it; reload it and try again"


def _resolve_fields(
    db_session: Session, case: Case, action: str, fields: dict, *, now: datetime
) -> None:
    """Turn references in the fields into objects, and check what needs the case."""
    if action == "assign":
        fields["owner"] = _staff_by_email(db_session, fields["owner"], field="owner")
    if action == "resolve" and fields["outcome"] not in OUTCOMES[case.kind]:
        allowed = ", ".join(OUTCOMES[case.kind])
        raise ValidationError({"outcome": [f"a {case.kind} closes as one of: {allowed}"]})
    for name in ("told_at", "referred_at", "advice_at"):
        value = fields.get(name)
        if value is not None and not case.received_at <= value <= now:
            raise ValidationError({name: ["must lie between the case's receipt and now"]})


def _staff_by_email(db_session: Session, email: str | None, *, field: str) -> Staff | None:
    if email is None:
        return None
    staff = db_session.scalar(select(Staff).where(Staff.email == email.lower()))
    if staff is None or not staff.active:
        raise ValidationError({field: [f"no active staff member with email {email}"]})
    return staff


def _base_url() -> str:
    return current_app.config["CASETRACKER_BASE_URL"]
