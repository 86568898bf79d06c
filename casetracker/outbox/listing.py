"""What the outbox still has to deliver, and the emails that bounced, for the Outbox page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from casetracker.outbox.models import OutboxMessage
from casetracker.people.models import Staff

PAGE_SIZE = 50
STAFF_PREFIX = "staff:"
# casetracker.cases.notifications.CASES_CHANNEL (the cases package imports this one).
CASES_CHANNEL = "channel:cases"
SUBJECT_PREFIX = "subject:"
ERASED = "erased"
CHANNEL_NAMES = {"slack": "Slack message", "email": "Email", "opengdpr": "OpenGDPR callback"}


@dataclass(frozen=True)
class Undelivered:
    """Messages not sent yet: failed ones were given up on, pending ones will be tried."""

    failed: int = 0
    pending: int = 0
    channels: frozenset[str] = frozenset()

    @property
    def total(self) -> int:
        return self.failed + self.pending


@dataclass(frozen=True)
class Page:
    """One page of a list of messages, and where it sits in the whole list."""

    items: list[OutboxMessage]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return _pages(self.total, self.size)

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to, in words; an email address is kept apart, to be masked."""

    text: str
    address: str | None = None


def undelivered_counts(db_session: Session) -> Undelivered:
    """Count the messages not sent yet, failed and pending, and name their channels."""
    failed = OutboxMessage.failed_at.is_not(None)
    rows = db_session.execute(
        select(OutboxMessage.channel, failed, func.count())
        .where(OutboxMessage.sent_at.is_(None))
        .group_by(OutboxMessage.channel, failed)
    ).all()
    return Undelivered(
        failed=sum(count for _, is_failed, count in rows if is_failed),
        pending=sum(count for _, is_failed, count in rows if not is_failed),
        channels=frozenset(channel for channel, _, _ in rows),
    )


def undelivered_messages(db_session: Session, *, number: int, total: int) -> Page:
    """Return a page of the messages not sent yet: failed ones first, then by next attempt."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None))
        .order_by(
            OutboxMessage.failed_at.is_(None), OutboxMessage.next_attempt_at, OutboxMessage.id
        )
    )
    return _page(db_session, query, number=number, total=total)


def bounced_emails(db_session: Session, *, number: int) -> Page:
    """Return a page of the emails that were sent and came back undelivered, newest first."""
    bounced = OutboxMessage.bounced_at.is_not(None)
    total = db_session.scalar(select(func.count()).select_from(OutboxMessage).where(bounced))
    query = (
        select(OutboxMessage)
        .where(bounced)
        .order_by(OutboxMessage.bounced_at.desc(), OutboxMessage.id.desc())
    )
    return _page(db_session, query, number=number, total=total)


def _page(db_session: Session, query: Select, *, number: int, total: int) -> Page:
    # A page past the end (messages went out meanwhile) shows the last one instead.
    number = min(number, _pages(total, PAGE_SIZE))
    items = db_session.scalars(query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE))
    return Page(items=list(items), number=number, total=total)


def recipients(
    db_session: Session, messages: Sequence[OutboxMessage], *, cases_channel: str | None
) -> dict[int, Recipient]:
    """Say to whom each message goes, by message id; one query for the staff among them."""
    ids = {_staff_id(m.recipient) for m in messages if m.channel == "slack"} - {None}
    staff = {}
    if ids:
        columns = (Staff.id, Staff.name, Staff.slack_user_id, Staff.active)
        staff = {
            row.id: row for row in db_session.execute(select(*columns).where(Staff.id.in_(ids)))
        }
    return {
        message.id: _recipient(message, staff=staff, cases_channel=cases_channel)
        for message in messages
    }


def _recipient(message: OutboxMessage, *, staff: dict, cases_channel: str | None) -> Recipient:
    channel, to = message.channel, message.recipient
    if to == ERASED:
        return Recipient(f"{CHANNEL_NAMES.get(channel, channel)} (erased by the retention purge)")
    if channel == "slack" and (staff_id := _staff_id(to)) is not None:
        return Recipient(_direct_message(staff.get(staff_id), staff_id))
    if channel == "slack" and to == CASES_CHANNEL:
        where = cases_channel or "SLACK_CASES_CHANNEL is not set"
        return Recipient(f"Slack post in the cases channel ({where})")
    if channel == "email" and to.startswith(SUBJECT_PREFIX):
        return Recipient(f"Email to the individual of {to.removeprefix(SUBJECT_PREFIX)}")
    if channel == "email" and "@" in to:
        return Recipient("Email to ", address=to)
    if channel == "opengdpr" and (host := urlsplit(message.payload.get("url") or "").hostname):
        return Recipient(f"OpenGDPR callback to {host}")
    return Recipient(f"{channel}: {to}")


def _direct_message(member, staff_id: int) -> str:
    if member is None:
        return f"Slack DM to staff member {staff_id} (no longer on the team)"
    if not member.active:
        return f"Slack DM to {member.name} (account deactivated)"
    if not member.slack_user_id:
        return f"Slack DM to {member.name} (no Slack user linked)"
    return f"Slack DM to {member.name}"


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


def _staff_id(recipient: str) -> int | None:
    number = recipient.removeprefix(STAFF_PREFIX)
    if number == recipient or not number.isascii() or not number.isdigit():
        return None
    return int(number)
