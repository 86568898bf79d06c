"""Reminder buttons: act through the case services, once per (case, action, version)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from casetracker.cases import service as case_service
from casetracker.cases import workflow
from casetracker.extensions import db
from casetracker.outbox.notifier import OutboxNotifier
from casetracker.people.actors import Actor
from tests import factories
from tests.slackbot.conftest import SAM, click, visible_text

RETRY = [None, {"X-Slack-Retry-Num": "1"}, {"X-Slack-Retry-Num": "2"}]


def current(reference):
    db.session.expire_all()
    return case_service.get_case(db.session, reference=reference)


@pytest.fixture
def reminder(api, staff, clock, fake_slack):
    """A reminder DM as the scheduler enqueues it, delivered to the owner."""
    case = api.create(owner=staff.email)
    clock_row = next(c for c in current(case["reference"]).clocks if c.name == "acknowledge")
    payload = {
        "topic": "reminder",
        "reference": case["reference"],
        "kind": "complaint",
        "jurisdiction": "EU",
        "stage": "received",
        "status": "open",
        "owner": "Sam Staff",
        "due_at": clock_row.due_at.isoformat(),
        "link": case["links"]["dashboard"],
        "clock": "acknowledge",
        "clock_due_at": clock_row.due_at.isoformat(),
        "threshold": "2d",
        "overdue": False,
        "version": case["version"],
    }
    OutboxNotifier(db.session, now=clock()).notify(
        topic="reminder",
        recipient=f"staff:{staff.id}",
        payload=payload,
        dedupe_key=f"reminder:{case['reference']}:acknowledge:2d",
    )
    db.session.commit()
    (message,) = [
        m for m in fake_slack.called("chat.postMessage") if m["text"].startswith("Reminder")
    ]
    return message


def test_the_reminder_reaches_the_owner_with_three_buttons(reminder):
    assert reminder["channel"] == SAM
    buttons = [e for b in reminder["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons] == [
        "Acknowledge",
        "Snooze 1 day",
        "Open in dashboard",
    ]
    assert buttons[2]["url"].startswith("http://casetracker.test/cases/PC-")
    assert "the *acknowledge* deadline is near" in visible_text(reminder)


def test_acknowledge_replayed_three_times_changes_the_case_once(slack, fake_slack, reminder):
    reference = json.loads(reminder["blocks"][-1]["elements"][0]["value"])["reference"]
    for headers in RETRY:
        click(slack, reminder, "reminder_acknowledge", headers=headers)
    acknowledged = current(reference)
    assert (acknowledged.stage, acknowledged.version) == ("internal_review", 2)
    events = case_service.events_of(db.session, reference=reference)
    assert [e.action for e in events] == ["create", "acknowledge"]
    (answer,) = fake_slack.called("response_url")
    assert answer["replace_original"] is True
    assert f"Acknowledged {reference} (by <@{SAM}>)" in visible_text(answer)


def test_a_double_click_says_it_was_already_done(slack, fake_slack, reminder):
    click(slack, reminder, "reminder_acknowledge")
    click(slack, reminder, "reminder_acknowledge")
    _first, second = fake_slack.called("response_url")
    assert second["replace_original"] is False
    assert "already done, or a colleague acted" in visible_text(second)


def test_snooze_holds_reminders_back_a_day_and_keeps_the_deadline(slack, reminder, clock):
    reference = json.loads(reminder["blocks"][-1]["elements"][0]["value"])["reference"]
    due = next(c.due_at for c in current(reference).clocks if c.name == "acknowledge")
    click(slack, reminder, "reminder_snooze")
    snoozed = next(c for c in current(reference).clocks if c.name == "acknowledge")
    assert snoozed.snoozed_until == clock() + timedelta(days=1)
    assert snoozed.due_at == due


def test_the_dashboard_link_button_changes_nothing(slack, fake_slack, reminder):
    before = factories.row_counts()
    click(slack, reminder, "open_dashboard")
    assert factories.row_counts() == before
    assert fake_slack.called("response_url") == []


def test_a_stranger_clicking_changes_nothing(slack, fake_slack, reminder):
    before = factories.row_counts()
    click(slack, reminder, "reminder_acknowledge", user="U0STRANGER")
    assert factories.row_counts() == before
    (answer,) = fake_slack.called("response_url")
    assert "not linked to anyone on the privacy team" in visible_text(answer)


@pytest.fixture
def lands_midway(monkeypatch):
    """Make the next action's write meet a change committed from elsewhere after its read."""
    real_apply = workflow.apply
    pending = []

    def apply(step, *, role):
        while pending:
            pending.pop()()
        real_apply(step, role=role)

    monkeypatch.setattr(workflow, "apply", apply)
    return pending.append


def test_a_snooze_that_loses_to_an_api_action_says_reload(
    slack, fake_slack, api, reminder, lands_midway
):
    reference = json.loads(reminder["blocks"][-1]["elements"][0]["value"])["reference"]
    case = api.get(f"/api/v1/cases/{reference}").get_json()
    lands_midway(lambda: _in_other_session(reference, "note", {"text": "Called them"}))

    click(slack, reminder, "reminder_snooze")

    (answer,) = fake_slack.called("response_url")
    assert "reload it and try again" in visible_text(answer)
    assert "Sorry, something went wrong" not in visible_text(answer)
    events = case_service.events_of(db.session, reference=reference)
    assert [e.action for e in events] == ["create", "note"]
    assert current(reference).version == case["version"] + 1


def test_an_api_action_that_loses_to_a_snooze_says_reload(slack, api, reminder, lands_midway):
    reference = json.loads(reminder["blocks"][-1]["elements"][0]["value"])["reference"]
    case = api.get(f"/api/v1/cases/{reference}").get_json()
    lands_midway(lambda: _in_other_session(reference, "snooze", {"clock": "acknowledge"}))

    response = api.act(case, "note", text="Called them")

    assert response.status_code == 409
    assert response.get_json()["error"].endswith("reload it and try again")
    events = case_service.events_of(db.session, reference=reference)
    assert [e.action for e in events] == ["create", "snooze"]


def _in_other_session(reference, action, params):
    with Session(db.engine) as other:
        case_service.perform(
            other, reference=reference, action=action, version=case_service.CURRENT,
            params=params, actor=Actor.system(), source="slack",
        )  # fmt: skip
