"""The outbox page: undelivered messages, to whom in words, a retry for failed ones,
addresses masked, and which channels are offline."""

from __future__ import annotations

import re

from casetracker import timesource
from casetracker.extensions import db
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import OutboxNotifier
from slackbot import delivery as slack_delivery

SLACK_OFFLINE = "Slack is offline:</strong> SLACK_BOT_TOKEN is not set"
EMAIL_OFFLINE = "Email is offline:</strong> SMTP_HOST is not set"


def _message(
    recipient: str,
    key: str,
    *,
    failed: bool = False,
    channel: str | None = None,
    payload: dict | None = None,
) -> OutboxMessage:
    OutboxNotifier(db.session, now=timesource.now()).notify(
        topic="case_created",
        recipient=recipient,
        payload=payload or {"text": "hi"},
        dedupe_key=key,
        channel=channel or ("email" if "@" in recipient else "slack"),
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


def _recipients(page: str) -> list[str]:
    row = r'<th scope="row">#\d+<br>.*?</th>\s*<td>.*?</td>\s*<td>(.*?)</td>'
    cells = re.findall(row, page, re.S)
    return [" ".join(cell.split()) for cell in cells]


def test_recipients_are_named_in_words(app, web, priya, tomasz, dana):
    app.config["SLACK_CASES_CHANNEL"] = "C0CASES"
    tomasz.slack_user_id = "U0TOMASZ"
    db.session.commit()
    _message(f"staff:{tomasz.id}", "a")
    _message(f"staff:{priya.id}", "b")
    _message("staff:9999", "c")
    _message("channel:cases", "d")
    _message("subject:PC-2026-00042", "e", channel="email")
    callback = {"url": "https://controller.example:8443/opengdpr/status", "body": {}}
    _message("opengdpr:a7551968", "f", channel="opengdpr", payload=callback)
    _message("erased", "g", channel="email")
    web.sign_in(priya.email)
    assert _recipients(web.get("/outbox").text) == [
        "Slack DM to Tomasz Nowak",
        "Slack DM to Priya Raman (no Slack user linked)",
        "Slack DM to staff member 9999 (no longer on the team)",
        "Slack post in the cases channel (C0CASES)",
        "Email to the individual of PC-2026-00042",
        "OpenGDPR callback to controller.example",
        "Email (erased by the retention purge)",
    ]


def test_the_cases_channel_says_when_no_channel_is_configured(web, priya):
    _message("channel:cases", "a")
    web.sign_in(priya.email)
    page = web.get("/outbox").text
    assert _recipients(page) == ["Slack post in the cases channel (SLACK_CASES_CHANNEL is not set)"]


def test_the_page_says_which_channels_are_offline_and_what_to_set(web, priya):
    web.sign_in(priya.email)
    assert "offline" not in web.get("/outbox").text
    _message("channel:cases", "a")
    _message("subject:PC-2026-00042", "b", channel="email")
    page = web.get("/outbox").text
    assert f"{SLACK_OFFLINE}, so messages to Slack wait here." in page
    assert f"{EMAIL_OFFLINE}, so emails to individuals wait here." in page
    assert page.index(SLACK_OFFLINE) < page.index("pending")


def test_slack_is_not_called_offline_once_its_token_is_set(app, web, priya):
    app.config["SLACK_BOT_TOKEN"] = "xoxb-configured"
    slack_delivery.init_app(app)
    assert delivery.can_deliver("slack")
    assert not delivery.can_deliver("email")
    _message("channel:cases", "a")
    web.sign_in(priya.email)
    page = web.get("/outbox").text
    assert "Slack post in the cases channel" in page
    assert "offline" not in page
