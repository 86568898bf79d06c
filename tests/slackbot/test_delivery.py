"""Notifications reach Slack through the outbox: once each, patient, never silently lost."""

import hashlib
import io
import logging
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

import slackbot
from casetracker import create_app
from casetracker.extensions import db
from casetracker.mail import notices as mail_notices
from casetracker.mail import service as mail_service
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import OutboxNotifier
from tests import factories
from tests.conftest import _settings
from tests.mail_from_people import german_request
from tests.mail_generated import plain
from tests.slackbot.conftest import CASES_CHANNEL, DANA, SAM, slack_settings, visible_text


def messages():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def posted(fake_slack, channel):
    return [m for m in fake_slack.called("chat.postMessage") if m["channel"] == channel]


def test_a_new_case_goes_to_the_cases_channel_and_the_owner(api, staff, fake_slack):
    case = api.create(owner=staff.email)
    (announcement,) = posted(fake_slack, CASES_CHANNEL)
    (dm,) = posted(fake_slack, SAM)
    for message in (announcement, dm):
        text = visible_text(message)
        assert f"New complaint {case['reference']}" in text
        assert "EU" in text
        assert "received (open)" in text
        assert "Sam Staff" in text
        link = message["blocks"][-1]["elements"][0]
        assert link["url"] == f"http://casetracker.test/cases/{case['reference']}"
    assert all(m.sent_at is not None for m in messages())


def test_assignment_tells_the_new_owner_and_escalation_the_dpo(api, staff, dpo, fake_slack):
    case = api.create(owner=staff.email)
    case = api.act(case, "assign", owner=dpo.email).get_json()
    assert "now assigned to Dana DPO" in posted(fake_slack, DANA)[0]["text"]
    case = api.act(case, "acknowledge").get_json()
    api.act(case, "escalate", body_reference="BBB-1").get_json()
    escalated = posted(fake_slack, DANA)[-1]
    assert "was escalated to independent_recourse" in escalated["text"]


def test_digest_and_unknown_topics_are_rendered(app, clock, fake_slack):
    notifier = OutboxNotifier(db.session, now=clock())
    digest = {
        "topic": "digest",
        "date": "2026-11-02",
        "owners": [{"owner": "Sam Staff", "due_this_week": 3, "overdue": 1}],
    }
    notifier.notify(topic="digest", recipient="channel:cases", payload=digest, dedupe_key="d1")
    notifier.notify(topic="policy_changed", recipient="channel:cases", payload={}, dedupe_key="u1")
    db.session.commit()
    digest_message, other = posted(fake_slack, CASES_CHANNEL)
    assert "Sam Staff: 3 due this week, 1 overdue" in visible_text(digest_message)
    assert other["text"] == "policy_changed"


def test_a_colleague_without_slack_is_failed_at_once_and_kept(api, fake_slack):
    quiet = factories.staff(email="quiet@example.com", name="Quiet Person")
    api.create(owner=quiet.email)
    dm = next(m for m in messages() if m.recipient == f"staff:{quiet.id}")
    assert dm.failed_at is not None
    assert "has no active Slack account" in dm.last_error
    assert len(fake_slack.called("chat.postMessage")) == 1


def test_rate_limited_then_delivered_once_after_the_wait(api, fake_slack, clock):
    fake_slack.script("chat.postMessage", (429, {"Retry-After": "30"}))
    api.create()
    (message,) = messages()
    assert message.sent_at is None
    assert message.next_attempt_at == clock() + timedelta(seconds=30)
    assert message.attempts == 0
    delivery.deliver_due(db.session, now=clock() + timedelta(seconds=29))
    assert posted(fake_slack, CASES_CHANNEL) == []
    delivery.deliver_due(db.session, now=clock() + timedelta(seconds=30))
    delivery.deliver_due(db.session, now=clock() + timedelta(hours=1))
    assert len(posted(fake_slack, CASES_CHANNEL)) == 1
    assert messages()[0].sent_at is not None


def test_slack_failing_for_a_while_then_delivered_once(api, fake_slack, clock):
    fake_slack.script("chat.postMessage", *[(500, {})] * 3)
    api.create()
    at = clock()
    for _ in range(3):
        at = messages()[0].next_attempt_at
        delivery.deliver_due(db.session, now=at)
    (message,) = messages()
    assert message.sent_at is not None
    assert message.attempts == 4
    delivery.deliver_due(db.session, now=at + timedelta(hours=2))
    assert len(posted(fake_slack, CASES_CHANNEL)) == 1


@pytest.fixture
def unreachable_app(database_url, clock, fake_slack):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/api/"
    settings = slack_settings(fake_slack, SLACK_API_BASE_URL=dead)
    app = create_app(_settings(database_url, clock, **settings))
    slackbot.init_app(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_slack_never_reachable_marks_the_message_failed_and_lists_it(
    unreachable_app, clock, monkeypatch
):
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 3)
    client = factories.ApiClient(
        unreachable_app.test_client(),
        factories.token(factories.staff(email="sam@example.com", name="Sam"), scopes=["pii"]),
    )
    client.create()
    at = clock()
    for _ in range(5):
        at += delivery.MAX_BACKOFF
        delivery.deliver_due(db.session, now=at)
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None)))
    (message,) = list(failed)
    assert message.attempts == 3
    assert message.sent_at is None
    assert "Connection refused" in message.last_error or "URLError" in message.last_error


def test_offline_without_a_bot_token_messages_wait_and_nothing_breaks(
    database_url, clock, fake_slack, caplog
):
    settings = slack_settings(fake_slack, SLACK_BOT_TOKEN=None)
    caplog.set_level(logging.INFO, logger="slackbot.delivery")
    app = create_app(_settings(database_url, clock, **settings))
    slackbot.init_app(app)
    with app.app_context():
        api = factories.ApiClient(
            app.test_client(),
            factories.token(factories.staff(email="sam@example.com", name="Sam"), scopes=["pii"]),
        )
        api.create()
        report = delivery.deliver_due(db.session, now=clock())
        pending = messages()
        db.session.remove()
        db.engine.dispose()
    assert report.sent == 0
    assert [(m.sent_at, m.failed_at) for m in pending] == [(None, None)]
    assert fake_slack.calls == []
    assert ["Slack is offline" in r.message for r in caplog.records].count(True) == 1


@pytest.mark.postgres
def test_two_deliverers_on_postgresql_send_every_message_exactly_once(
    postgres_url, clock, fake_slack
):
    from tests.conftest import _truncate

    _truncate(postgres_url)
    settings = slack_settings(fake_slack, OUTBOX_AFTER_COMMIT="off")
    app = create_app(_settings(postgres_url, clock, **settings))
    slackbot.init_app(app)
    with app.app_context():
        notifier = OutboxNotifier(db.session, now=clock())
        for n in range(60):
            payload = {"topic": "note", "reference": f"PC-2026-{n:05d}"}
            notifier.notify(
                topic="note", recipient="channel:cases", payload=payload, dedupe_key=f"k{n}"
            )
        db.session.commit()
        factories.deliver_concurrently(app, now=clock())
        sent = sorted(m["text"] for m in fake_slack.called("chat.postMessage"))
        assert sent == sorted(f"note · PC-2026-{n:05d}" for n in range(60))
        assert all(m.sent_at is not None for m in messages())
        db.session.remove()
        db.engine.dispose()


def test_mail_is_announced_by_reference_and_count_never_by_sender(api, staff, clock, fake_slack):
    case = api.create(owner=staff.email)
    raw = plain(
        f"Re: [{case['reference']}]", "Here is my new address: Hauptstraße 1, Berlin.",
        sender="Erika Mustermann <erika@example.org>",
    )  # fmt: skip
    for message in (raw, german_request()):
        mail_service.import_message(
            db.session, io.BytesIO(message), digest=hashlib.sha256(message).hexdigest(),
            received_at=clock(), now=clock(), max_attachment=1024,
        )  # fmt: skip
    mail_notices.new_mail_waits(db.session, now=clock())

    dm = posted(fake_slack, SAM)[-1]
    assert f"{case['reference']} has a new email from the individual" in visible_text(dm)
    (waiting,) = [m for m in posted(fake_slack, CASES_CHANNEL) if "inbox" in m["text"]]
    assert "1 new email waits in the inbox" in visible_text(waiting)
    for message in (dm, waiting):
        assert "Erika" not in str(message)
        assert "Hauptstraße" not in str(message)
        assert "Auskunft" not in str(message)
