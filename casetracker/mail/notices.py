"""What the team is told about mail in Slack: counts and references, never who or what."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casetracker.cases.changes import Change
from casetracker.cases.notifications import CASES_CHANNEL, facts
from casetracker.mail.models import MailMessage
from casetracker.outbox.notifier import OutboxNotifier


def new_mail_waits(db_session: Session, *, now: datetime) -> None:
    """Tell the cases channel how many emails wait in the inbox (no sender, no subject)."""
    count = db_session.scalar(
        select(func.count()).select_from(MailMessage).where(MailMessage.status == "new")
    )
    base = current_app.config["CASETRACKER_BASE_URL"]
    OutboxNotifier(db_session, now=now).notify(
        topic="inbox_waiting",
        recipient=CASES_CHANNEL,
        payload={"topic": "inbox_waiting", "count": count, "link": f"{base}/inbox"},
        dedupe_key=f"inbox_waiting:{now.isoformat()}",
    )
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()  # a second fetcher at the same moment told the channel already


def tell_owner(change: Change) -> None:
    """Tell the case's owner (or the cases channel) that the individual wrote."""
    case = change.case
    recipient = f"staff:{case.owner.id}" if case.owner else CASES_CHANNEL
    change.notifier.notify(
        topic="message_received",
        recipient=recipient,
        payload={"topic": "message_received", **facts(case, base_url=change.base_url)},
        dedupe_key=f"message_received:{case.reference}:{change.params['message']}",
        case_id=case.id,
    )
