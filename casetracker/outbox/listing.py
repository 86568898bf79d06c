"""What the outbox still has to deliver, and the emails that bounced, for the Outbox page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetracker.outbox.models import OutboxMessage


@dataclass(frozen=True)
class Undelivered:
    """Messages not sent yet: failed ones were given up on, pending ones will be tried."""

    failed: int = 0
    pending: int = 0


def undelivered_counts(db_session: Session) -> Undelivered:
    """Count the messages not sent yet, failed and pending."""
    failed = OutboxMessage.failed_at.is_not(None)
    rows = dict(
        db_session.execute(
            select(failed, func.count()).where(OutboxMessage.sent_at.is_(None)).group_by(failed)
        ).all()
    )
    return Undelivered(failed=rows.get(True, 0), pending=rows.get(False, 0))


def undelivered_messages(db_session: Session, *, limit: int = 50) -> list[OutboxMessage]:
    """Return messages not sent yet: failed ones first, then by next attempt."""
    return list(
        db_session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None))
            .order_by(
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at,
                OutboxMessage.id,
            )
            .limit(limit)
        )
    )


def bounced_emails(db_session: Session, *, limit: int = 50) -> list[OutboxMessage]:
    """Return the emails that were sent and came back undelivered, newest first."""
    return list(
        db_session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.bounced_at.is_not(None))
            .order_by(OutboxMessage.bounced_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )
