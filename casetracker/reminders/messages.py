"""What reminders say and to whom, and how the ledger and the outbox take each one once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from casetracker.cases.models import Case, Clock
from casetracker.cases.notifications import CASES_CHANNEL, facts
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage, ReminderSent
from casetracker.reminders import bulk
from casetracker.reminders.thresholds import Threshold


def recipients(case: Case, threshold: Threshold, *, dpo_ids: Sequence[int]) -> list[str]:
    """Return the owner (or the cases channel), and the DPOs when the clock is overdue."""
    owner = case.owner
    people = [f"staff:{owner.id}" if owner is not None and owner.active else CASES_CHANNEL]
    if threshold.overdue:
        people += [f"staff:{i}" for i in dpo_ids if f"staff:{i}" not in people]
    return people


def reminder(
    case: Case, clock: Clock, threshold: Threshold, key: str, *, to: Iterable[str], base_url: str
) -> list[dict]:
    """Build the outbox rows of one reminder: facts about the case, never personal data."""
    payload = {
        **facts(case, base_url=base_url),
        "topic": "reminder",
        "clock": clock.name,
        "clock_due_at": clock.due_at.isoformat(),
        "target_at": clock.target_at.isoformat() if clock.target_at else None,
        "threshold": threshold.label,
        "overdue": threshold.overdue,
        "version": case.version,
    }
    return [
        {
            "clock_id": clock.id,
            "threshold": key,
            "recipient": recipient,
            "dedupe_key": f"reminder:{clock.id}:{key}:{recipient}",
            "payload": payload,
            "case_id": case.id,
        }
        for recipient in to
    ]


def claim(db_session: Session, keys: Iterable[tuple[int, str]], *, now: datetime) -> set:
    """Write (clock, threshold) ledger rows; return the pairs nobody had written before."""
    rows = [{"clock_id": c, "threshold": t, "sent_at": now} for c, t in sorted(set(keys))]
    if not rows:
        return set()
    # Sorted, so that two sweeps racing on the same rows queue rather than deadlock.
    key = ["clock_id", "threshold"]
    return set(bulk.insert_new(db_session, ReminderSent.__table__, rows, unique=key, returning=key))


def enqueue(db_session: Session, rows: list[dict], *, topic: str, now: datetime) -> int:
    """Write outbox rows, skipping those whose dedupe key exists; return how many were new."""
    if not rows:
        return 0
    values = [
        {
            "channel": "slack",
            "recipient": row["recipient"],
            "topic": topic,
            "payload": row["payload"],
            "dedupe_key": row["dedupe_key"],
            "case_id": row.get("case_id"),
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": now,
        }
        for row in sorted(rows, key=lambda row: row["dedupe_key"])
    ]
    written = len(
        bulk.insert_new(
            db_session, OutboxMessage.__table__, values, unique=["dedupe_key"], returning=["id"]
        )
    )
    if written:
        db_session.info[delivery.PENDING] = True
    return written
