"""The daily integrity check: verify every case's audit chain, tell the DPOs of new breaks.

The check reads the trail outside any long transaction (each batch on its own, read-only),
so case writes go on while it runs. It changes no case: it writes only its own ledger of
reported breaks and the outbox rows that tell the DPOs, each break once, by case reference,
seq and reason — never the individual's data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casetracker.cases import verify as chains
from casetracker.cases.models import AuditBreak, Case
from casetracker.cases.notifications import CASES_CHANNEL
from casetracker.outbox.notifier import OutboxNotifier
from casetracker.people.models import Staff

TOPIC = "audit_break"
# The Jobs page keeps 500 characters of an outcome: the first breaks, and where to see the rest.
SHOWN = 3
LIST_ALL = "flask --app wsgi audit verify"


@dataclass
class CheckReport:
    cases: int = 0
    events: int = 0
    # One line per broken chain: the runner records a run with errors as such.
    errors: list[str] = field(default_factory=list)
    reported: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.errors:
            return f"{self.cases} cases, {self.events} events: intact"
        chains_text = (
            "1 broken chain" if len(self.errors) == 1 else f"{len(self.errors)} broken chains"
        )
        told = f"{len(self.reported)} newly reported"
        shown = "; ".join(self.errors[:SHOWN])
        if len(self.errors) > SHOWN:
            shown += f"; and {len(self.errors) - SHOWN} more ({LIST_ALL} lists them all)"
        return f"{chains_text} ({told}): {shown}"


def check_chains(db_session: Session, *, now: datetime) -> CheckReport:
    """Verify every case's chain; tell the DPOs once about each newly broken case."""
    with read_only(db_session) as reader:
        report = chains.verify(reader)
    result = CheckReport(
        cases=report.cases, events=report.events, errors=[str(b) for b in report.breaks]
    )
    if report.breaks:
        result.reported = _report_new(db_session, report.breaks, now=now)
    return result


@contextmanager
def read_only(db_session: Session) -> Iterator[Session]:
    """Yield a session that reads each statement on its own, and may not write."""
    engine = db_session.get_bind()
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # No transaction spans the batches: nothing held back while cases are written.
            connection.execution_options(isolation_level="AUTOCOMMIT")
            on, off = (
                "SET default_transaction_read_only = on",
                "RESET default_transaction_read_only",
            )
        else:
            on, off = "PRAGMA query_only = ON", "PRAGMA query_only = OFF"
        connection.execute(text(on))
        try:
            with Session(bind=connection) as reader:
                yield reader
        finally:
            connection.execute(text(off))
            connection.rollback()


def _report_new(db_session: Session, breaks: list[chains.Break], *, now: datetime) -> list[str]:
    """Record the breaks not reported before and queue their messages; return their lines.

    A case is told of again when its break is no longer the one reported: found at another
    seq or for another reason (a second edit, or events deleted after one was edited).
    """
    ids = dict(
        db_session.execute(
            select(Case.reference, Case.id).where(Case.reference.in_([b.reference for b in breaks]))
        ).all()
    )
    reported = select(AuditBreak).where(AuditBreak.case_id.in_(ids.values()))
    known = {row.case_id: row for row in db_session.scalars(reported)}
    fresh = [b for b in breaks if b.reference in ids and _news(known.get(ids[b.reference]), b)]
    if not fresh:
        return []
    try:
        _tell(db_session, fresh, ids=ids, known=known, now=now)
        db_session.commit()
    except (IntegrityError, StaleDataError):
        db_session.rollback()  # another check recorded and reported these breaks first
        return []
    return [str(b) for b in fresh]


def _tell(db_session: Session, fresh: list[chains.Break], *, ids, known, now) -> None:
    recipients = _dpos(db_session) or [CASES_CHANNEL]
    base_url = current_app.config["CASETRACKER_BASE_URL"]
    notifier = OutboxNotifier(db_session, now=now)
    for found in fresh:
        case_id = ids[found.reference]
        _record(db_session, known.get(case_id), case_id=case_id, found=found, now=now)
        payload = {
            "topic": TOPIC,
            "reference": found.reference,
            "seq": found.seq,
            "why": found.why,
            "link": f"{base_url}/cases/{found.reference}",
        }
        for recipient in recipients:
            notifier.notify(
                topic=TOPIC,
                recipient=recipient,
                payload=payload,
                dedupe_key=f"{TOPIC}:{found.reference}:{now.isoformat()}:{recipient}",
                case_id=case_id,
            )


def _news(reported: AuditBreak | None, found: chains.Break) -> bool:
    return reported is None or (reported.seq, reported.why) != (found.seq, found.why[:200])


def _record(db_session, reported: AuditBreak | None, *, case_id: int, found, now) -> None:
    """Write the break now reported into the ledger, the case's row replaced if it had one."""
    if reported is None:
        db_session.add(
            AuditBreak(case_id=case_id, seq=found.seq, why=found.why[:200], first_seen_at=now)
        )
        return
    # Only if the row is still what was read: two checks at once report a change once.
    changed = db_session.execute(
        update(AuditBreak)
        .where(
            AuditBreak.case_id == case_id,
            AuditBreak.why == reported.why,
            AuditBreak.first_seen_at == reported.first_seen_at,
        )
        .values(seq=found.seq, why=found.why[:200], first_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise StaleDataError(f"the break of case {case_id} was reported meanwhile")


def _dpos(db_session: Session) -> list[str]:
    query = select(Staff.id).where(Staff.role == "dpo", Staff.active.is_(True)).order_by(Staff.id)
    return [f"staff:{i}" for i in db_session.scalars(query)]
