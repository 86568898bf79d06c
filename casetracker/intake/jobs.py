"""The identity job: remind once whoever has not used their link, then close the request."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casetracker import deadlines, timesource
from casetracker import policy as policies
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseError
from casetracker.cases.models import Case
from casetracker.intake import identity, messages
from casetracker.intake.models import IdentityLink, IntakeRecord
from casetracker.outbox.notifier import OutboxNotifier
from casetracker.people.actors import Actor

log = logging.getLogger(__name__)

SCHEDULER = Actor.system("scheduler")


@dataclass
class ChaseReport:
    reminded: int = 0
    closed: int = 0

    def __str__(self) -> str:
        return f"{self.reminded} identity reminders sent, {self.closed} requests closed unverified"


def chase_identity(db_session: Session, *, now: datetime) -> ChaseReport:
    """Remind those whose first link went unused, close those whose reminder did too."""
    check = policies.current().identity_check
    report = ChaseReport()
    remind_after = timedelta(days=check.remind_after.amount)
    for link, case in _waiting(db_session, kind="first"):
        if now >= link.sent_at + remind_after:
            _remind(db_session, link, case, now=now, report=report)
    rule = deadlines.ClockRule(duration=check.close_after_reminder)
    for link, case in _waiting(db_session, kind="reminder"):
        if now > deadlines.due_at(rule, started_at=link.sent_at, tz=timesource.team_tz()):
            _close(db_session, case, now=now, report=report)
    return report


def _waiting(db_session: Session, *, kind: str) -> list[tuple[IdentityLink, Case]]:
    """Return the cases still waiting on a link of this kind whose email went out.

    A link neither used nor replaced is its case's latest; a case on hold waits for staff.
    """
    found = (
        select(IdentityLink, Case)
        .join(Case, Case.id == IdentityLink.case_id)
        .where(
            IdentityLink.kind == kind,
            IdentityLink.sent_at.is_not(None),
            IdentityLink.used_at.is_(None),
            IdentityLink.revoked_at.is_(None),
            Case.stage == identity.WAITING,
            Case.status == "open",
        )
        .order_by(IdentityLink.id)
    )
    return [(link, case) for link, case in db_session.execute(found)]


def _remind(db_session: Session, first: IdentityLink, case: Case, *, now, report) -> None:
    record = db_session.scalar(select(IntakeRecord).where(IntakeRecord.case_id == case.id))
    if record is None or not identity.reachable_directly(case.subject):
        return
    notifier = OutboxNotifier(db_session, now=now)
    try:
        # Claimed first: a press of the link, or staff's check, landing meanwhile wins.
        if not identity.revoke(db_session, case_id=case.id, at=now, link_id=first.id):
            db_session.rollback()
            return
        identity.issue(db_session, notifier, case, record, kind="reminder", at=now)
        db_session.commit()
    except IntegrityError:  # another run reminded this round already
        db_session.rollback()
        return
    report.reminded += 1


def _close(db_session: Session, case: Case, *, now, report) -> None:
    try:
        case_service.perform_now(
            db_session,
            reference=case.reference,
            action="resolve",
            params={"outcome": "unverified", "reason": messages.UNCONFIRMED},
            actor=SCHEDULER,
            source="scheduler",
            at=now,
        )
    except CaseError as exc:  # changed meanwhile: verified, closed or put on hold
        db_session.rollback()
        log.info("identity: %s not closed: %s", case.reference, exc)
        return
    report.closed += 1
