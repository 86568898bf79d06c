"""Check the audit trail against its hash chains: an edited or removed event shows.

Events are read a batch at a time in (case, seq) order, so a trail of any size is checked
in constant memory. Each case's chain is checked up to its first broken link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import exists, select, tuple_
from sqlalchemy.orm import Session

from casetracker.cases import chain
from casetracker.cases.models import Case, Event

BATCH = 1000
HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
COLUMNS = (
    Event.id,
    Event.case_id,
    Event.seq,
    Event.hash,
    Event.at,
    Event.actor_type,
    Event.actor,
    Event.source,
    Event.action,
    Event.before,
    Event.after,
    Event.reason,
    Case.reference,
)


@dataclass(frozen=True)
class Break:
    reference: str
    seq: int | None
    event_id: int | None
    why: str

    def __str__(self) -> str:
        if self.event_id:
            where = f"seq {self.seq} (event id {self.event_id})"
        else:
            where = f"seq {self.seq}" if self.seq else "no events"
        return f"{self.reference}: {where}: {self.why}"


@dataclass
class Report:
    cases: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify(db_session: Session, *, case_id: int | None = None, batch: int = BATCH) -> Report:
    """Check every case's chain (or one case's), naming each case's first broken link."""
    report = Report()
    current, seq, previous, broken = None, 0, chain.GENESIS, False
    for row in _events(db_session, case_id=case_id, batch=batch):
        if row.case_id != current:
            current, seq, previous, broken = row.case_id, 0, chain.GENESIS, False
            report.cases += 1
        report.events += 1
        if broken:
            continue
        why = _problem(row, expected=seq + 1, previous=previous)
        if why:
            report.breaks.append(Break(row.reference, row.seq, row.id, why))
            broken = True
            continue
        seq, previous = row.seq, row.hash
    for reference in _without_events(db_session, case_id=case_id):
        report.cases += 1
        report.breaks.append(Break(reference, None, None, "no audit events: all were deleted"))
    return report


def against_head(db_session: Session, *, case_id: int, head: tuple[int, str]) -> list[Break]:
    """Compare a case's chain with a head recorded earlier: a shorter or other chain breaks."""
    seq, expected = head
    reference = db_session.scalar(select(Case.reference).where(Case.id == case_id))
    row = db_session.execute(
        select(Event.id, Event.hash).where(Event.case_id == case_id, Event.seq == seq)
    ).first()
    if row is None:
        return [Break(reference, seq, None, "the chain no longer reaches the given head")]
    if row.hash != expected:
        return [Break(reference, seq, row.id, "the given head's hash differs from the chain's")]
    return []


def _problem(row, *, expected: int, previous: str) -> str | None:
    if not row.hash or not HEX_SHA256.fullmatch(row.hash):
        return "no hash recorded: the event was written outside the workflow"
    if row.seq != expected:
        if row.seq > expected:
            gone = f"seq {expected}" if row.seq == expected + 1 else f"seq {expected}-{row.seq - 1}"
            return f"{gone} missing: deleted from the trail"
        return f"out of order: seq {row.seq} follows seq {expected - 1}"
    if chain.digest(row, reference=row.reference, previous=previous) != row.hash:
        return "hash mismatch: the event, or one before it, was changed after it was recorded"
    return None


def _events(db_session: Session, *, case_id: int | None, batch: int) -> Iterator:
    """Yield events as plain rows (nothing kept in the session), keyset-paged."""
    query = select(*COLUMNS).join(Case, Case.id == Event.case_id)
    if case_id is not None:
        query = query.where(Event.case_id == case_id)
    query = query.order_by(Event.case_id, Event.seq).limit(batch)
    after = (0, 0)
    while rows := db_session.execute(query.where(tuple_(Event.case_id, Event.seq) > after)).all():
        yield from rows
        after = (rows[-1].case_id, rows[-1].seq)


def _without_events(db_session: Session, *, case_id: int | None) -> Iterator[str]:
    query = select(Case.reference).where(~exists().where(Event.case_id == Case.id))
    if case_id is not None:
        query = query.where(Case.id == case_id)
    return iter(db_session.scalars(query.order_by(Case.id)).all())
