"""The hash chain that makes each case's audit trail tamper-evident.

Event ``seq`` of a case is sealed with ``hash = SHA-256(canonical record)``, where the record
holds the event's fields and the previous event's hash (``GENESIS`` for ``seq`` 1). The
record is a JSON object with sorted keys, no spaces, non-ASCII characters as themselves,
encoded as UTF-8: anyone holding the case file can compute it again, with any JSON library.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from casetracker.cases.models import Event

ALGORITHM = "casetracker audit chain v1 (SHA-256 over canonical JSON)"
GENESIS = "0" * 64
# The (case_id, seq) unique index answers this with one row.
LAST_LINK = (
    select(Event.seq, Event.hash)
    .where(Event.case_id == bindparam("case_id"))
    .order_by(Event.seq.desc())
    .limit(1)
)


def plain(value):
    """Return ``value`` as the database hands it back: through a JSON round trip."""
    return json.loads(json.dumps(value))


def stamp(at: datetime) -> str:
    """Write a time as it is hashed: UTC with microseconds, 2026-11-02T09:00:00.000000+00:00."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record(event: Event, *, reference: str, previous: str) -> dict:
    """Return what the hash of ``event`` (a row with the same names will do) covers."""
    return {
        "case": reference,
        "seq": event.seq,
        "at": stamp(event.at),
        "actor_type": event.actor_type,
        "actor": event.actor,
        "source": event.source,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "previous": previous,
    }


def canonical(fields: dict) -> str:
    """Encode a record the one way it is hashed: sorted keys, compact, unescaped Unicode."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    """Return the hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(event: Event, *, reference: str, previous: str) -> str:
    """Return the hex SHA-256 that seals ``event`` after the link ``previous``."""
    return sha256(canonical(record(event, reference=reference, previous=previous)))


@dataclass(frozen=True)
class Link:
    seq: int
    hash: str
    record: str
    sound: bool


def links(events: Iterable[Event], *, reference: str) -> list[Link]:
    """Return each event's record as hashed, and whether it checks against its stored hash."""
    found, previous, expected = [], GENESIS, 1
    for event in sorted(events, key=lambda e: e.seq):
        text = canonical(record(event, reference=reference, previous=previous))
        found.append(
            Link(event.seq, event.hash, text, event.seq == expected and sha256(text) == event.hash)
        )
        previous, expected = event.hash, event.seq + 1
    return found


def seal(db_session: Session, event: Event, *, reference: str, first: bool) -> None:
    """Give a new event of the case its ``seq`` and ``hash``, after the case's last event.

    The caller holds the case row (its version is checked and bumped in this transaction),
    so no other writer appends to this case meanwhile; the unique (case_id, seq) is the
    backstop. ``first`` (a case being created) spares the read.
    """
    seq, previous = 0, GENESIS
    if not first:
        last = db_session.execute(LAST_LINK, {"case_id": event.case_id}).first()
        if last is not None:
            seq, previous = last
    event.before, event.after = plain(event.before), plain(event.after)
    event.at = event.at.astimezone(UTC)
    event.seq = seq + 1
    event.hash = digest(event, reference=reference, previous=previous)
