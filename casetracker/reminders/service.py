"""The SLA sweep: enqueue each clock's due reminder exactly once, and mark breaches.

Which clocks a sweep reads: only those whose ``next_reminder_at`` has passed (index
``ix_clocks_next_reminder``). The sweep leaves on each clock the time of its next threshold,
and the Clock model resets it whenever the due time, a pause, a snooze or the met time
changes (start, hold, resume, extend, snooze, close), so the next sweep looks again. A sweep
thus costs in proportion to the clocks with something to do, not to the size of the table;
scanning every clock within seven days of due instead would reread each overdue clock on
every tick.

Exactly once: the ledger row (clock, threshold) is inserted with ON CONFLICT DO NOTHING in
the transaction that writes the outbox rows, and only the inserts that took write messages.
A late sweep sends only the latest threshold passed; the ones it overtook are skipped.
Thresholds are keyed by label ("2d"), and after an extension by label and extension time:
a pause keeps the remaining time, so a threshold once passed stays passed, while an
extension starts a new series.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session

from casetracker import policy as policies
from casetracker import timesource
from casetracker.cases import clocks
from casetracker.cases import service as case_service
from casetracker.cases.errors import ActionNotAllowed
from casetracker.cases.models import Case, Clock
from casetracker.db_types import UTCDateTime
from casetracker.people.actors import Actor
from casetracker.people.models import Staff
from casetracker.policy import Reminders
from casetracker.reminders import bulk, messages, task_reminders, thresholds

log = logging.getLogger(__name__)

BATCH = 500
RETRY_FAILED = timedelta(minutes=15)
BREACH_AFTER = timedelta(seconds=1)
SCHEDULER = Actor.system("scheduler")
CLOCKS = Clock.__table__
# Plain rows, not ORM objects: a sweep reads a thousand clocks and needs few of their columns.
CLOCK_COLUMNS = (
    Clock.id,
    Clock.name,
    Clock.due_at,
    Clock.target_at,
    Clock.started_at,
    Clock.extended_at,
    Clock.snoozed_until,
    Clock.paused_since,
    Clock.breached_at,
    Clock.next_reminder_at,
)
CASE_COLUMNS = (
    Case.id,
    Case.reference,
    Case.kind,
    Case.jurisdiction,
    Case.stage,
    Case.status,
    Case.next_due_at,
    Case.version,
)
OWNER_COLUMNS = (Staff.id, Staff.name, Staff.active)


@dataclass
class SweepReport:
    clocks: int = 0
    reminders: int = 0
    breached: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.reminders} reminders enqueued, {self.breached} clocks breached"
        return text + (
            f", {len(self.errors)} failed: {', '.join(self.errors)}" if self.errors else ""
        )


@dataclass(frozen=True)
class _Context:
    tz: ZoneInfo
    policy: Reminders
    base_url: str
    dpo_ids: tuple[int, ...]


@dataclass
class _Plan:
    clock: SimpleNamespace
    next_at: datetime | None
    key: str | None = None
    rows: list[dict] = field(default_factory=list)
    breach: bool = False


def sweep(db_session: Session, *, now: datetime) -> SweepReport:
    """Enqueue the reminders whose threshold has passed and mark breached clocks."""
    context = _context(db_session)
    report = SweepReport()
    after = None
    while batch := _due(db_session, now=now, after=after):
        after = (batch[-1].next_reminder_at, batch[-1].id)
        plans = [_plan_or_retry(clock, context, now=now, report=report) for clock in batch]
        _apply(db_session, plans, now=now, report=report)
        db_session.commit()
        _mark_breaches(db_session, plans, now=now, report=report)
        report.clocks += len(batch)
    report.reminders += task_reminders.remind(db_session, now=now)
    db_session.commit()
    return report


def _context(db_session: Session) -> _Context:
    dpos = db_session.scalars(
        select(Staff.id).where(Staff.role == "dpo", Staff.active.is_(True)).order_by(Staff.id)
    )
    return _Context(
        tz=timesource.team_tz(),
        policy=policies.current().reminders,
        base_url=current_app.config["CASETRACKER_BASE_URL"],
        dpo_ids=tuple(dpos),
    )


def _due(db_session: Session, *, now: datetime, after: tuple | None) -> list[SimpleNamespace]:
    query = (
        select(*CLOCK_COLUMNS, *CASE_COLUMNS, *OWNER_COLUMNS)
        .join(Case, Case.id == Clock.case_id)
        .outerjoin(Staff, Staff.id == Case.owner_id)
        .where(Clock.next_reminder_at <= now, Clock.met_at.is_(None))
        .order_by(Clock.next_reminder_at, Clock.id)
        .limit(BATCH)
    )
    if after is not None:
        at, clock_id = after
        query = query.where(
            tuple_(Clock.next_reminder_at, Clock.id)
            > tuple_(bindparam("after_at", at, type_=UTCDateTime()), clock_id)
        )
    return [_view(row) for row in db_session.execute(query)]


def _view(row) -> SimpleNamespace:
    """Shape a row as the clock, case and owner objects the messages read."""
    clock_end, case_end = len(CLOCK_COLUMNS), len(CLOCK_COLUMNS) + len(CASE_COLUMNS)
    owner = SimpleNamespace(**_named(OWNER_COLUMNS, row[case_end:]))
    case = SimpleNamespace(**_named(CASE_COLUMNS, row[clock_end:case_end]))
    case.owner = owner if owner.id is not None else None
    return SimpleNamespace(**_named(CLOCK_COLUMNS, row[:clock_end]), case=case)


def _named(columns, values) -> dict:
    return {column.key: value for column, value in zip(columns, values, strict=True)}


def _plan_or_retry(
    clock: SimpleNamespace, context: _Context, *, now: datetime, report: SweepReport
):
    try:
        return _plan(clock, context, now=now)
    except Exception:  # one bad case must not keep the others' reminders back
        reference = clock.case.reference
        log.exception("sla-sweep: case %s, clock %s failed; retrying later", reference, clock.name)
        report.errors.append(reference)
        return _Plan(clock, next_at=now + RETRY_FAILED)


def _plan(clock: SimpleNamespace, context: _Context, *, now: datetime) -> _Plan:
    """Decide what to send for one clock now, and when to look at it again."""
    case = clock.case
    if clock.paused_since is not None or case.status == "closed":
        return _Plan(clock, next_at=None)
    breach = clock.breached_at is None and now > clock.due_at
    watch = [] if breach or clock.breached_at else [clock.due_at + BREACH_AFTER]
    if clock.snoozed_until is not None and clock.snoozed_until > now:
        return _Plan(clock, next_at=min([clock.snoozed_until, *watch]), breach=breach)
    # Reminders aim at the company's promise when it comes first; the breach stays legal.
    anchor = clocks.reminder_anchor(clock)
    timing = {"since": clock.extended_at or clock.started_at, "now": now, "tz": context.tz}
    found = thresholds.latest_passed(anchor, policy=context.policy, **timing)
    coming = thresholds.next_after(anchor, policy=context.policy, **timing)
    plan = _Plan(clock, next_at=min([t for t in (coming, *watch) if t], default=None))
    plan.breach = breach
    if found is not None:
        plan.key = _key(clock, found)
        # Past a promise is not past the law: the DPOs hear only of legal lateness.
        dpos = context.dpo_ids if now > clock.due_at else ()
        to = messages.recipients(case, found, dpo_ids=dpos)
        plan.rows = messages.reminder(
            case, clock, found, plan.key, to=to, base_url=context.base_url
        )
    return plan


def _key(clock: SimpleNamespace, threshold: thresholds.Threshold) -> str:
    if clock.extended_at is None:
        return threshold.label
    return f"{threshold.label}@x{clock.extended_at:%Y%m%dT%H%M%SZ}"


def _apply(db_session: Session, plans: list[_Plan], *, now: datetime, report: SweepReport) -> None:
    """Write ledger, messages and next times in the caller's transaction."""
    claimed = messages.claim(db_session, [(p.clock.id, p.key) for p in plans if p.key], now=now)
    rows = [row for p in plans if (p.clock.id, p.key) in claimed for row in p.rows]
    report.reminders += messages.enqueue(db_session, rows, topic="reminder", now=now)
    bulk.set_next_reminders(
        db_session,
        CLOCKS,
        [{"clock_id": p.clock.id, "seen_due": p.clock.due_at, "next_at": p.next_at} for p in plans],
    )


def _mark_breaches(
    db_session: Session, plans: list[_Plan], *, now: datetime, report: SweepReport
) -> None:
    """Record each clock that has just missed its deadline, through the workflow."""
    for plan in sorted((p for p in plans if p.breach), key=lambda p: p.clock.id):
        try:
            case_service.perform_now(
                db_session,
                reference=plan.clock.case.reference,
                action="breach",
                params={"clock": plan.clock.name},
                actor=SCHEDULER,
                source="scheduler",
                at=now,
            )
        except ActionNotAllowed:
            continue  # met, paused or moved meanwhile: not missed after all
        report.breached += 1
