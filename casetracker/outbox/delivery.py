"""Deliver outbox messages through the transports registered for their channel.

Each message is claimed alone (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), sent, marked and
committed before the next, so any number of processes can drain one outbox and each message
is sent once. Channels without a transport (Slack offline, no SMTP) simply wait.

Messages about one case reach each recipient in the order they were written: a message waits
while an older one of the same case, channel and recipient is still pending (rate limited,
backing off, or being sent by another process). Only pending ones hold others back: a message
failed for good (after MAX_ATTEMPTS, or undeliverable) lets the next one go.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session, aliased

from casetracker import timesource
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage

log = logging.getLogger(__name__)

TRANSPORTS = "casetracker.outbox.transports"
SENT_HOOKS = "casetracker.outbox.sent_hooks"
EXECUTOR = "casetracker.outbox.executor"
PENDING = "casetracker.outbox.pending"
MAX_ATTEMPTS = 8
_SQLITE_LOCK = threading.Lock()
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class PartlyDelivered:
    """Some recipients of a message took it and others refused it: it is sent, once, and
    ``note`` says who missed it (in words, no addresses). ``bounced`` when the one it was
    written to missed it and only copies went out."""

    note: str
    bounced: bool = False


class Transport(Protocol):
    """Sends one message of its channel; raises to say it could not, returns a
    ``PartlyDelivered`` to say it reached some of its recipients only."""

    channel: str

    def send(self, message: OutboxMessage) -> PartlyDelivered | None: ...


class RetryAfter(Exception):
    """The receiver asked us to wait (rate limit); not counted as a failed attempt."""

    def __init__(self, seconds: float, reason: str = "rate limited"):
        super().__init__(f"{reason}; retry after {seconds:g} s")
        self.seconds = seconds


class Undeliverable(Exception):
    """The message can never be delivered (unknown recipient…); fail it at once."""


SentHook = Callable[[Session, OutboxMessage, datetime], None]


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} failed"


def init_app(app: Flask) -> None:
    """Prepare the transport and hook registries, and deliver after each commit."""
    app.extensions.setdefault(TRANSPORTS, {})
    app.extensions.setdefault(SENT_HOOKS, {})
    app.extensions.setdefault(EXECUTOR, ThreadPoolExecutor(1, thread_name_prefix="outbox"))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(PENDING, False) and has_app_context():
        deliver_soon()


def register_transport(app: Flask, transport: Transport) -> None:
    """Let a delivery channel (Slack, email) send its messages."""
    app.extensions[TRANSPORTS][transport.channel] = transport


def can_deliver(channel: str) -> bool:
    """Tell whether messages of this channel go out now, or wait for its transport."""
    return channel in current_app.extensions[TRANSPORTS]


def set_sent_hooks(app: Flask, hooks: Mapping[str, Sequence[SentHook]]) -> None:
    """Say what runs, in the delivery transaction, when a message of each topic is sent."""
    app.extensions[SENT_HOOKS] = hooks


def deliver_due(db_session: Session, *, now: datetime, limit: int = 500) -> Report:
    """Send up to ``limit`` messages whose time has come; one transaction per message."""
    transports = current_app.extensions[TRANSPORTS]
    report = Report()
    if not transports:
        return report
    # SQLite has no row locks to skip: one deliverer at a time in this process instead.
    serial = db_session.get_bind().dialect.name == "sqlite"
    with _SQLITE_LOCK if serial else nullcontext():
        for _ in range(limit):
            message = _claim(db_session, channels=list(transports), now=now)
            if message is None:
                break
            _attempt(db_session, message, transports[message.channel], now=now, report=report)
            db_session.commit()
    return report


def deliver_soon() -> None:
    """Deliver fresh messages right after the commit that wrote them, off the request path."""
    app = current_app._get_current_object()
    mode = app.config["OUTBOX_AFTER_COMMIT"]
    if not app.extensions[TRANSPORTS] or mode == "off":
        return
    if mode == "inline":
        _drain(app)
    else:
        app.extensions[EXECUTOR].submit(_drain, app)


def _drain(app: Flask) -> None:
    with app.app_context():
        try:
            report = deliver_due(db.session, now=timesource.now())
            if report.failed:
                log.error("outbox: %s", report)
        except Exception:
            log.exception("outbox delivery stopped; the deliver-outbox job will retry")
            db.session.rollback()
        finally:
            db.session.remove()


def retry(db_session: Session, *, message_id: int, now: datetime) -> OutboxMessage | None:
    """Give a failed message a fresh set of attempts."""
    message = db_session.get(OutboxMessage, message_id)
    if message is None or message.sent_at is not None:
        return None
    message.failed_at = None
    message.attempts = 0
    message.next_attempt_at = now
    db_session.commit()
    return message


def _claim(db_session: Session, *, channels: list[str], now: datetime) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(channels),
            ~_older_pending(),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db_session.scalars(query).first()


def _older_pending():
    """An older message of the same case to the same recipient that is not yet sent."""
    older = aliased(OutboxMessage)
    return (
        select(older.id)
        .where(
            older.case_id == OutboxMessage.case_id,
            older.channel == OutboxMessage.channel,
            older.recipient == OutboxMessage.recipient,
            older.id < OutboxMessage.id,
            older.sent_at.is_(None),
            older.failed_at.is_(None),
        )
        .exists()
    )


def _attempt(db_session, message, transport, *, now: datetime, report: Report) -> None:
    try:
        partly = transport.send(message)
    except RetryAfter as wait:
        message.next_attempt_at = now + timedelta(seconds=wait.seconds)
        message.last_error = str(wait)
        report.retried += 1
        return
    except Undeliverable as exc:
        _fail(message, str(exc), now=now, report=report)
        return
    except Exception as exc:  # a transport may fail in any way; the message must survive it
        message.attempts += 1
        error = f"{type(exc).__name__}: {exc}"[:500]
        if message.attempts >= MAX_ATTEMPTS:
            _fail(message, error, now=now, report=report)
        else:
            message.last_error = error
            message.next_attempt_at = now + backoff(message.attempts)
            report.retried += 1
        log.warning("outbox message %s (%s) not sent: %s", message.id, message.topic, error)
        return
    message.attempts += 1
    message.sent_at = now
    # Sending again would repeat it to those who took it: what was missed is said instead.
    message.last_error = partly.note if partly else None
    if partly and partly.bounced:
        message.bounced_at = now
    report.sent += 1
    for hook in current_app.extensions[SENT_HOOKS].get(message.topic, ()):
        hook(db_session, message, now)


def _fail(message: OutboxMessage, error: str, *, now: datetime, report: Report) -> None:
    message.failed_at = now
    message.last_error = error
    report.failed += 1
    report.errors.append(f"message {message.id} ({message.topic}): {error}")
    log.error("outbox message %s (%s) failed for good: %s", message.id, message.topic, error)


def backoff(attempts: int) -> timedelta:
    """Wait 30 s after the first failure, doubling each time, at most an hour."""
    return min(FIRST_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
