"""The outbox page: undelivered messages, failed ones with a retry, addresses masked."""

from __future__ import annotations

from casetracker import timesource
from casetracker.extensions import db
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import OutboxNotifier


def _message(recipient: str, key: str, *, failed: bool = False) -> OutboxMessage:
    OutboxNotifier(db.session, now=timesource.now()).notify(
        topic="case_created",
        recipient=recipient,
        payload={"text": "hi"},
        dedupe_key=key,
        channel="email" if "@" in recipient else "slack",
    )
    db.session.commit()
    message = db.session.query(OutboxMessage).filter_by(dedupe_key=key).one()
    if failed:
        message.failed_at = timesource.now()
        message.attempts = 8
        message.last_error = "smtp: connection refused"
        db.session.commit()
    return message


def test_failed_messages_can_be_retried(web, priya):
    failed = _message("erika@example.org", "a", failed=True)
    _message("U06PR1Y4RM", "b")
    web.sign_in(priya.email)
    page = web.get("/outbox").text
    assert "1</strong> failed" in page
    assert "1</strong> pending" in page
    assert "smtp: connection refused" in page
    assert page.count('action="/outbox/') == 1

    assert web.post(f"/outbox/{failed.id}/retry").status_code == 302
    db.session.expire_all()
    retried = db.session.get(OutboxMessage, failed.id)
    assert retried.failed_at is None
    assert retried.attempts == 0


def test_email_recipients_are_masked_except_for_the_dpo(web, priya, dana):
    _message("erika@example.org", "a", failed=True)
    web.sign_in(priya.email)
    page = web.get("/outbox").text
    assert "erika@example.org" not in page
    assert "e\u2022\u2022\u2022\u2022@\u2022\u2022\u2022\u2022" in page
    web.post("/sign-out")
    web.sign_in(dana.email)
    assert "erika@example.org" in web.get("/outbox").text


def test_retry_needs_the_csrf_token(web, priya):
    failed = _message("U06PR1Y4RM", "a", failed=True)
    web.sign_in(priya.email)
    assert web.post(f"/outbox/{failed.id}/retry", csrf=False).status_code == 400
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).failed_at is not None
