"""The retention purge: erase personal data of cases closed longer than the policy allows.

The case row, its clocks and its events stay, so every statistic still counts the case;
only the subject's name and email, the agent's, the complaint text and the addresses of the
case's email messages go. Each case is erased by the ``retention_purge`` action in its own
transaction; what else is erased with it is listed in ``casetracker.reactions``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casetracker import deadlines, timesource
from casetracker import policy as policies
from casetracker.cases import service as case_service
from casetracker.cases.changes import Change
from casetracker.cases.models import Case, Subject
from casetracker.outbox.models import OutboxMessage
from casetracker.people.actors import Actor

log = logging.getLogger(__name__)

BATCH = 200
ERASED = "erased"


@dataclass
class PurgeReport:
    erased: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.erased} closed cases erased"
        return text + (
            f", {len(self.errors)} failed: {', '.join(self.errors)}" if self.errors else ""
        )


def purge(db_session: Session, *, now: datetime) -> PurgeReport:
    """Erase the personal data of every case closed before the retention cutoff."""
    period = policies.current().retention.closed_case_pii
    cutoff = cutoff_for(period, now=now, tz=timesource.team_tz())
    report = PurgeReport()
    after = 0
    while ids := _expired(db_session, cutoff=cutoff, after=after):
        for case_id in ids:
            _erase_one(db_session, case_id, period=period, now=now, report=report)
        after = ids[-1]
    return report


def cutoff_for(period: deadlines.Duration, *, now: datetime, tz: ZoneInfo) -> datetime:
    """Return the instant before which a closing is older than ``period``."""
    if period.unit != "months":
        return now - timedelta(days=period.amount)
    local = now.astimezone(tz)
    day = deadlines.add_months(local.date(), -period.amount)
    return datetime.combine(day, local.timetz()).astimezone(now.tzinfo)


def _expired(db_session: Session, *, cutoff: datetime, after: int) -> list[int]:
    query = (
        select(Case.id)
        .join(Subject, Subject.case_id == Case.id)
        .where(
            Case.status == "closed",
            Case.closed_at < cutoff,
            Subject.erased_at.is_(None),
            Case.id > after,
        )
        .order_by(Case.id)
        .limit(BATCH)
    )
    return list(db_session.scalars(query))


def _erase_one(db_session, case_id: int, *, period, now: datetime, report: PurgeReport) -> None:
    reference = db_session.scalar(select(Case.reference).where(Case.id == case_id))
    try:
        case_service.perform_now(
            db_session,
            reference=reference,
            action="retention_purge",
            params={"period": str(period)},
            actor=Actor.system(),
            source="scheduler",
            at=now,
        )
        report.erased += 1
    except Exception:  # one case that cannot be erased must not keep the others
        db_session.rollback()
        log.exception("retention-purge: case %s could not be erased", reference)
        report.errors.append(reference)


def erase_outbox_emails(change: Change) -> None:
    """Erase the addresses and contents of the case's emails, sent or waiting."""
    change.db_session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.case_id == change.case.id, OutboxMessage.channel == "email")
        .values(recipient=ERASED, payload={"erased": True})
    )
