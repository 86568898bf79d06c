"""The interface the domain uses to say something to someone; it never sends itself."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from casetracker.outbox.models import OutboxMessage


class Notifier(Protocol):
    """Records what should be said, to whom; delivery channels do the sending."""

    def notify(
        self,
        *,
        topic: str,
        recipient: str,
        payload: Mapping,
        dedupe_key: str,
        case_id: int | None = None,
        channel: str = "slack",
    ) -> None: ...


class OutboxNotifier:
    """Writes one outbox row per message, in the caller's transaction."""

    def __init__(self, db_session: Session, *, now: datetime):
        self.db_session = db_session
        self.now = now

    def notify(
        self,
        *,
        topic: str,
        recipient: str,
        payload: Mapping,
        dedupe_key: str,
        case_id: int | None = None,
        channel: str = "slack",
    ) -> None:
        # Read by outbox.delivery after commit, to send fresh messages at once.
        self.db_session.info["casetracker.outbox.pending"] = True
        self.db_session.add(
            OutboxMessage(
                channel=channel,
                recipient=recipient,
                topic=topic,
                payload=dict(payload),
                dedupe_key=dedupe_key,
                case_id=case_id,
                created_at=self.now,
                next_attempt_at=self.now,
                attempts=0,
            )
        )
