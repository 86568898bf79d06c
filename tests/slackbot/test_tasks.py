"""Tasks in Slack: the owner's DM and its buttons, the blocked modal, reminders, lists."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from casetracker.cases import service as case_service
from casetracker.extensions import db
from casetracker.reminders import service as reminders
from slackbot import blocks
from tests import factories
from tests.slackbot.conftest import PRIYA, SAM, click, submission, visible_text

TASK_DUE = datetime(2026, 12, 7, 22, 59, 59, tzinfo=UTC)
RETRY = [None, {"X-Slack-Retry-Num": "1"}, {"X-Slack-Retry-Num": "2"}]
OLGA = "U0OLGA"


def dms(fake_slack, user, prefix):
    """Return the messages posted to this user whose notification text starts so."""
    posted = fake_slack.called("chat.postMessage")
    return [m for m in posted if m["channel"] == user and m["text"].startswith(prefix)]


def task_dm(fake_slack, system="CRM"):
    (message,) = [
        m for m in dms(fake_slack, PRIYA, "New task") if f"New task: {system} " in m["text"]
    ]
    return message


def buttons(message):
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def labels(message):
    return [button["text"]["text"] for button in buttons(message)]


def tasks_of(api, reference):
    return {t["system"]: t for t in api.get(f"/api/v1/cases/{reference}/tasks").json["items"]}


def task_events(reference):
    db.session.expire_all()
    events = case_service.events_of(db.session, reference=reference)
    return [e for e in events if e.action == "update_task"]


def answers(fake_slack):
    return fake_slack.called("response_url")


def test_the_system_owner_gets_the_task_by_dm_with_its_buttons(api, fake_slack, in_work):
    case = in_work()
    reference = case["reference"]
    message = task_dm(fake_slack)
    text = visible_text(message)
    assert message["text"] == f"New task: CRM task of {reference}"
    link = f"<http://casetracker.test/cases/{reference}|*{reference}*>"
    assert (
        f"A new task for you: *CRM* for {link}\nErasure request · US-CA · task open · due" in text
    )
    assert TASK_DUE.isoformat() in text
    assert "Erase the contact in Admin &gt; Contacts &amp; keep the suppression entry." in text
    assert labels(message) == ["Done", "No data found", "Blocked…", "Open in dashboard"]
    crm = tasks_of(api, reference)["CRM"]["id"]
    assert {json.loads(b["value"])["task"] for b in buttons(message)[:3]} == {crm}
    assert json.loads(buttons(message)[0]["value"]) == {"reference": reference, "task": crm}
    assert buttons(message)[-1]["url"] == f"http://casetracker.test/cases/{reference}"
    newsletter = task_dm(fake_slack, "Newsletter tool")
    assert "Instructions" not in visible_text(newsletter)


@pytest.mark.parametrize(
    ("button", "status", "said"),
    [("task_done", "done", "Marked done"), ("task_no_data", "no_data", "Marked no data found")],
)
def test_a_button_marks_the_task_and_says_who_in_place_of_the_buttons(
    slack, fake_slack, api, in_work, button, status, said
):
    reference = in_work()["reference"]
    click(slack, task_dm(fake_slack), button, user=PRIYA)
    assert tasks_of(api, reference)["CRM"]["status"] == status
    assert tasks_of(api, reference)["Newsletter tool"]["status"] == "open"
    (answer,) = answers(fake_slack)
    assert answer["replace_original"] is True
    assert f"{said} by <@{PRIYA}>: the *CRM* task of" in visible_text(answer)
    assert labels(answer) == ["Open in dashboard"]
    (event,) = task_events(reference)
    assert event.source == "slack"


def test_a_double_click_marks_once_and_then_says_already_done(slack, fake_slack, api, in_work):
    reference = in_work()["reference"]
    message = task_dm(fake_slack)
    click(slack, message, "task_done", user=PRIYA)
    click(slack, message, "task_done", user=PRIYA)
    first, second = answers(fake_slack)
    assert "Marked done" in visible_text(first)
    assert second["replace_original"] is False
    assert second["response_type"] == "ephemeral"
    assert f"the CRM task of {reference} is already done" in visible_text(second)
    assert len(task_events(reference)) == 1


def test_a_click_delivered_three_times_marks_once_and_answers_once(slack, fake_slack, in_work):
    reference = in_work()["reference"]
    message = task_dm(fake_slack)
    for headers in RETRY:
        click(slack, message, "task_no_data", user=PRIYA, headers=headers)
    (answer,) = answers(fake_slack)
    assert "Marked no data found" in visible_text(answer)
    assert len(task_events(reference)) == 1


def test_someone_who_neither_owns_the_task_nor_the_case_changes_nothing(
    slack, fake_slack, api, in_work
):
    factories.staff(email="olga@example.com", name="Olga", role="staff", slack_user_id=OLGA)
    reference = in_work()["reference"]
    click(slack, task_dm(fake_slack), "task_done", user=OLGA)
    (answer,) = answers(fake_slack)
    assert answer["replace_original"] is False
    assert "only the task's owner, the case owner or the DPO may change" in visible_text(answer)
    assert tasks_of(api, reference)["CRM"]["status"] == "open"
    assert task_events(reference) == []


@pytest.mark.parametrize("button", ["task_done", "task_no_data", "task_block"])
def test_a_stranger_clicking_a_task_button_changes_nothing(slack, fake_slack, api, in_work, button):
    reference = in_work()["reference"]
    click(slack, task_dm(fake_slack), button, user="U0STRANGER")
    (answer,) = answers(fake_slack)
    assert "not linked to anyone on the privacy team" in visible_text(answer)
    assert fake_slack.called("views.open") == []
    assert tasks_of(api, reference)["CRM"]["status"] == "open"


def open_blocked_modal(slack, fake_slack, message, *, headers=None):
    click(slack, message, "task_block", user=PRIYA, headers=headers)
    (call,) = fake_slack.called("views.open")
    assert call["trigger_id"] == "trigger.click"
    return call["view"]


def test_blocked_asks_why_and_tells_the_case_owner_without_saying_it(
    slack, fake_slack, api, in_work
):
    reference = in_work()["reference"]
    view = open_blocked_modal(slack, fake_slack, task_dm(fake_slack))
    assert visible_text(view).startswith(f"The *CRM* task of *{reference}*")
    (field,) = [b for b in view["blocks"] if b["type"] == "input"]
    assert (field["label"]["text"], field["optional"]) == ("What blocks it?", False)
    why = "Legal hold on the CRM export until the audit ends"

    answer = slack.interact(submission(view, {"note": why}, user=PRIYA)).get_json()

    assert answer["response_action"] == "update"
    assert "is marked blocked" in visible_text(answer["view"])
    crm = tasks_of(api, reference)["CRM"]
    assert (crm["status"], crm["note"]) == ("blocked", why)
    (told,) = dms(fake_slack, SAM, "Blocked task")
    assert f"The *CRM* task of <http://casetracker.test/cases/{reference}|" in visible_text(told)
    assert "is blocked" in visible_text(told)
    assert labels(told) == ["Open in dashboard"]
    (replaced,) = answers(fake_slack)
    assert replaced["replace_original"] is True
    assert f"Marked blocked by <@{PRIYA}>" in visible_text(replaced)
    assert labels(replaced) == ["Done", "No data found", "Open in dashboard"]
    traffic = json.dumps(fake_slack.calls) + json.dumps(answer)
    assert "Legal hold" not in traffic

    click(slack, replaced, "task_done", user=PRIYA)
    assert tasks_of(api, reference)["CRM"]["status"] == "done"


@pytest.mark.parametrize("note", ["   ", None])
def test_blocked_without_saying_why_shows_the_field_error(slack, fake_slack, api, in_work, note):
    reference = in_work()["reference"]
    view = open_blocked_modal(slack, fake_slack, task_dm(fake_slack))
    answer = slack.interact(submission(view, {"note": note}, user=PRIYA)).get_json()
    assert answer == {"response_action": "errors", "errors": {"note": "say what blocks the task"}}
    assert tasks_of(api, reference)["CRM"]["status"] == "open"
    assert task_events(reference) == []


def test_the_blocked_modal_submitted_twice_blocks_once(slack, fake_slack, in_work):
    reference = in_work()["reference"]
    view = open_blocked_modal(slack, fake_slack, task_dm(fake_slack))
    payload = submission(view, {"note": "waiting for the vendor"}, user=PRIYA)
    first, second = (slack.interact(payload).get_json() for _ in range(2))
    assert "is marked blocked" in visible_text(first["view"])
    assert "Already marked blocked" in visible_text(second["view"])
    assert len(task_events(reference)) == 1
    assert len(dms(fake_slack, SAM, "Blocked task")) == 1


def test_a_retried_blocked_click_opens_no_second_modal(slack, fake_slack, in_work):
    in_work()
    message = task_dm(fake_slack)
    open_blocked_modal(slack, fake_slack, message)
    click(slack, message, "task_block", user=PRIYA, headers=RETRY[1])
    assert len(fake_slack.called("views.open")) == 1


def sweep(clock, at):
    clock.set(at)
    reminders.sweep(db.session, now=at)


def test_reminders_give_the_owner_the_buttons_and_the_case_owner_the_late_task(
    slack, fake_slack, api, clock, in_work
):
    reference = in_work()["reference"]
    sweep(clock, TASK_DUE - timedelta(days=7, minutes=-1))
    (soon,) = [m for m in dms(fake_slack, PRIYA, "Task reminder") if "CRM" in m["text"]]
    assert f"Your *CRM* task for <http://casetracker.test/cases/{reference}|" in visible_text(soon)
    assert "is due" in visible_text(soon)
    assert labels(soon) == ["Done", "No data found", "Blocked…", "Open in dashboard"]

    sweep(clock, TASK_DUE + timedelta(days=1, minutes=1))
    late = [m for m in dms(fake_slack, PRIYA, "Task reminder") if "is late" in visible_text(m)]
    assert len(late) == 2
    told = dms(fake_slack, SAM, "Late task")
    assert sorted(m["text"] for m in told) == [
        f"Late task: CRM task of {reference}",
        f"Late task: Newsletter tool task of {reference}",
    ]
    assert all(labels(m) == ["Open in dashboard"] for m in told)
    assert "is late (it was due" in visible_text(told[0])

    click(slack, late[0], "task_done", user=PRIYA)
    assert "Marked done" in visible_text(answers(fake_slack)[0])


def test_case_tasks_lists_my_open_and_blocked_tasks_soonest_first(
    slack, fake_slack, api, clock, in_work
):
    californian = in_work()["reference"]
    click(slack, task_dm(fake_slack), "task_done", user=PRIYA)
    clock.advance(days=1)
    european = in_work(jurisdiction="EU")["reference"]

    text = slack.answer("tasks", user=PRIYA)

    lines = text.splitlines()
    assert lines[0] == "*My tasks*"
    assert [(line.split(" · ")[0], line.split("|*")[1].split("*")[0]) for line in lines[1:]] == [
        ("• *CRM*", european),
        ("• *Newsletter tool*", european),
        ("• *Newsletter tool*", californian),
    ]
    assert " · open · due " in lines[1]
    assert "You have no open or blocked tasks." in slack.answer("tasks")


def test_help_names_case_tasks(slack, staff):
    assert "`/case tasks` — my open and blocked tasks, soonest due first" in slack.answer("help")


def home_opened(user, event_id):
    event = {"type": "app_home_opened", "user": user, "channel": "D0DM", "tab": "home"}
    return {"team_id": "T0TEAM", "type": "event_callback", "event_id": event_id, "event": event}


def test_app_home_shows_my_tasks(slack, fake_slack, in_work):
    reference = in_work()["reference"]
    slack.event(home_opened(PRIYA, "Ev0TASKS1"))
    slack.event(home_opened(SAM, "Ev0TASKS2"))
    priyas, sams = (c["view"] for c in fake_slack.called("views.publish"))
    mine = visible_text(priyas).split("My tasks")[1]
    assert f"• *CRM* · <http://casetracker.test/cases/{reference}|*{reference}*> · open" in mine
    assert "• *Newsletter tool*" in mine
    assert "No open or blocked tasks are assigned to you." in visible_text(sams)
    assert reference in visible_text(sams).split("My tasks")[0]


def test_a_full_app_home_stays_within_slacks_100_blocks(clock):
    now = clock()
    case = {
        "reference": "DSR-2026-00001",
        "kind": "request",
        "jurisdiction": "US-CA",
        "stage": "in_progress",
        "status": "open",
        "owner": "Sam Staff",
        "due_at": now.isoformat(),
        "link": "http://casetracker.test/cases/DSR-2026-00001",
    }
    task = {**case, "system": "CRM", "task": 1, "due_at": now.isoformat()}
    view = blocks.home_view(overdue=[case] * 60, mine=[case] * 60, tasks=[task] * 15, now=now)
    assert len(view["blocks"]) <= 100
    assert "5 more: `/case tasks`" in visible_text(view)
