"""Outbox delivery: once each, patient with a struggling receiver, never silently lost."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from casetracker.extensions import db
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import OutboxNotifier
from tests import factories


class RecordingTransport:
    """Delivers into a list; can be told to fail first."""

    channel = "slack"

    def __init__(self, failures=()):
        self.failures = list(failures)
        self.sent = []
        self.lock = threading.Lock()

    def send(self, message):
        if self.failures:
            raise self.failures.pop(0)
        with self.lock:
            self.sent.append(message.dedupe_key)


def enqueue(clock, count=1):
    notifier = OutboxNotifier(db.session, now=clock())
    for n in range(count):
        notifier.notify(
            topic="case_created", recipient="channel:cases", payload={"n": n}, dedupe_key=f"k{n}"
        )
    db.session.commit()


def message(key="k0") -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key == key)).one()


def test_without_a_transport_messages_wait_in_the_outbox(app, clock):
    enqueue(clock)
    report = delivery.deliver_due(db.session, now=clock())
    assert report.sent == 0
    assert message().sent_at is None
    assert message().failed_at is None


def test_a_message_is_sent_once(app, clock):
    transport = RecordingTransport()
    delivery.register_transport(app, transport)
    enqueue(clock)
    delivery.deliver_due(db.session, now=clock())
    delivery.deliver_due(db.session, now=clock() + timedelta(hours=1))
    assert transport.sent == ["k0"]
    assert message().sent_at == clock()


def test_rate_limit_waits_as_asked_then_delivers_once(app, clock):
    transport = RecordingTransport([delivery.RetryAfter(30)])
    delivery.register_transport(app, transport)
    enqueue(clock)
    delivery.deliver_due(db.session, now=clock())
    assert transport.sent == []
    assert message().next_attempt_at == clock() + timedelta(seconds=30)
    delivery.deliver_due(db.session, now=clock() + timedelta(seconds=10))
    assert transport.sent == []
    delivery.deliver_due(db.session, now=clock() + timedelta(seconds=30))
    assert transport.sent == ["k0"]


def test_errors_back_off_and_recover(app, clock):
    transport = RecordingTransport([ConnectionError("down")] * 3)
    delivery.register_transport(app, transport)
    enqueue(clock)
    at = clock()
    for _ in range(3):
        delivery.deliver_due(db.session, now=at)
        at = message().next_attempt_at
    assert message().last_error == "ConnectionError: down"
    delivery.deliver_due(db.session, now=at)
    assert transport.sent == ["k0"]
    assert message().attempts == 4


def test_a_receiver_never_reachable_marks_the_message_failed_and_kept(app, clock):
    transport = RecordingTransport([ConnectionError("refused")] * 100)
    delivery.register_transport(app, transport)
    enqueue(clock)
    at = clock()
    for _ in range(delivery.MAX_ATTEMPTS + 3):
        delivery.deliver_due(db.session, now=at)
        at += delivery.MAX_BACKOFF
    failed = message()
    assert failed.failed_at is not None
    assert failed.attempts == delivery.MAX_ATTEMPTS
    assert "refused" in failed.last_error
    retried = delivery.retry(db.session, message_id=failed.id, now=at)
    assert (retried.failed_at, retried.attempts) == (None, 0)


def test_undeliverable_fails_at_once(app, clock):
    delivery.register_transport(app, RecordingTransport([delivery.Undeliverable("no such user")]))
    enqueue(clock)
    report = delivery.deliver_due(db.session, now=clock())
    assert report.failed == 1
    assert message().last_error == "no such user"


def test_sent_hooks_run_in_the_delivery_transaction(app, clock):
    seen = []
    delivery.register_transport(app, RecordingTransport())
    hooks = {"case_created": [lambda session, msg, now: seen.append(msg.dedupe_key)]}
    delivery.set_sent_hooks(app, hooks)
    enqueue(clock)
    delivery.deliver_due(db.session, now=clock())
    assert seen == ["k0"]


def test_fresh_messages_go_out_right_after_commit(app, clock):
    app.config["OUTBOX_AFTER_COMMIT"] = "inline"
    transport = RecordingTransport()
    delivery.register_transport(app, transport)
    enqueue(clock)
    assert transport.sent == ["k0"]


@pytest.mark.postgres
def test_two_deliverers_on_postgresql_send_each_message_exactly_once(postgres_app, clock):
    transport = RecordingTransport()
    delivery.register_transport(postgres_app, transport)
    enqueue(clock, count=200)
    factories.deliver_concurrently(postgres_app, now=clock())
    assert sorted(transport.sent) == sorted(f"k{n}" for n in range(200))
