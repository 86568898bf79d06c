"""The one way to create and change a case: each function is one unit of work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache

from marshmallow import ValidationError
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from casetracker import policy as policies
from casetracker import timesource
from casetracker.cases import actions, audit, changes, clocks, workflow
from casetracker.cases.errors import ActionNotAllowed, CaseNotFound, StaleVersion
from casetracker.cases.handlers import Step
from casetracker.cases.models import Case, Event, Subject
from casetracker.cases.references import next_reference
from casetracker.cases.schemas import OUTCOMES, CaseCreateSchema
from casetracker.cases.writes import writing
from casetracker.people import service as people
from casetracker.people.actors import Actor
from casetracker.people.models import Staff
from casetracker.systems import service as systems

SYSTEM_TRIES = 3
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


class _Current:
    def __repr__(self) -> str:
        return "CURRENT"


# Act on the case as it is now: for jobs, deliveries and one-line commands that read no
# version. The row's version is still checked when the change is written.
CURRENT = _Current()


def create_case(
    db_session: Session,
    *,
    data: Mapping,
    actor: Actor,
    source: str,
    attach: Sequence[object] = (),
    reason: str | None = None,
) -> Case:
    """Validate and open a new case with its clocks, event and notifications.

    ``attach`` are rows that belong to the new case (an intake record): they get its id and
    are written in the same transaction, so a case never exists without them.
    """
    now = timesource.now()
    fields = _create_schema().load(data)
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
    with writing(db_session):
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
        for row in attach:
            row.case_id = case.id
            db_session.add(row)
        audit.record(
            db_session,
            case,
            actor=actor,
            source=source,
            action="create",
            before={},
            at=now,
            reason=reason,
            first=True,
        )
        changes.react(db_session, case, "create", fields, at=now, attached=attach)
        db_session.commit()
    return case


@cache
def _create_schema() -> CaseCreateSchema:
    # Every new case is read with it; building the schema costs as much as using it.
    return CaseCreateSchema()


def perform(
    db_session: Session,
    *,
    reference: str,
    action: str,
    version: int | _Current,
    params: Mapping,
    actor: Actor,
    source: str,
    at: datetime | None = None,
) -> Case:
    """Apply one action to a case, or refuse it and change nothing.

    ``version`` is the one the caller read, or ``CURRENT`` to act on the case as it is;
    ``at`` is the time of the change for jobs that run at a given time (default: now).
    """
    declared = actions.get(action)
    if declared is None:
        raise ValidationError({"action": [f"unknown action {action!r}"]})
    fields = declared.schema().load(params)
    case = get_case(db_session, reference=reference)
    policy = policies.current()
    allowed = workflow.allowed_actions(case, role=actor.role, policy=policy)
    if version is not CURRENT and case.version != version:
        raise StaleVersion(_stale_message(reference), allowed)
    step = Step(
        case=case,
        action=action,
        params=fields,
        at=at or timesource.now(),
        tz=timesource.team_tz(),
        policy=policy,
        actor=actor,
        reason=fields.get("reason") or fields.get("text"),
        serving=lambda context, right: systems.serving(db_session, context=context, right=right),
    )
    with writing(db_session):
        try:
            _apply(db_session, step, declared, source=source)
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
        db_session.commit()
    return case


def _apply(db_session: Session, step: Step, declared: actions.Action, *, source: str) -> None:
    """Change the case, its clocks and its version, append the event, run the reactions."""
    case, now = step.case, step.at
    _resolve_fields(db_session, case, step.action, step.params, now=now)
    before = audit.snapshot(case)
    workflow.apply(step, role=step.actor.role)
    case.next_due_at = clocks.next_due(case)
    if declared.bumps_version:
        case.updated_at = now
        case.version += 1
    else:
        _keep_version(db_session, case, at=now)
    db_session.flush()
    audit.record(
        db_session,
        case,
        actor=step.actor,
        source=source,
        action=step.action,
        before=before,
        at=now,
        reason=step.reason,
    )
    changes.react(db_session, case, step.action, step.params, at=now)


def perform_now(
    db_session: Session,
    *,
    reference: str,
    action: str,
    params: Mapping,
    actor: Actor,
    source: str,
    at: datetime | None = None,
) -> Case:
    """Apply an action to the case as it is now, for jobs and deliveries.

    A person's change that lands between the read and the write makes ``perform`` refuse;
    here nobody is there to reload, so the case is read again and the action retried.
    """
    for attempt in range(1, SYSTEM_TRIES + 1):
        try:
            return perform(
                db_session,
                reference=reference,
                action=action,
                version=CURRENT,
                params=params,
                actor=actor,
                source=source,
                at=at,
            )
        except StaleVersion:
            if attempt == SYSTEM_TRIES:
                raise
    raise AssertionError("unreachable")


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
    return people.active_by_email(db_session, email, field=field)


def _keep_version(db_session: Session, case: Case, *, at: datetime) -> None:
    """Check (and lock) the version read without bumping it: the ORM checks only bumps."""
    claimed = db_session.execute(
        update(Case)
        .where(Case.id == case.id, Case.version == case.version)
        .values(updated_at=at)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise StaleDataError(f"case {case.id} changed since version {case.version}")
    set_committed_value(case, "updated_at", at)
