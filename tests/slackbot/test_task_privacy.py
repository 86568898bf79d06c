"""A request's whole life in Slack as tasks: nothing about the individual reaches Slack."""

from datetime import UTC, datetime, timedelta

from casetracker.extensions import db
from casetracker.reminders import service as reminders
from tests.slackbot.conftest import PRIYA, SAM, TASK_SUBJECT, click, submission

TASK_DUE = datetime(2026, 12, 7, 22, 59, 59, tzinfo=UTC)
NOTE = f"The vendor's export still lists {TASK_SUBJECT['email']}; waiting for their fix"


def dm(fake_slack, user, prefix):
    posted = fake_slack.called("chat.postMessage")
    return [m for m in posted if m["channel"] == user and m["text"].startswith(prefix)]


def home_opened(user, event_id):
    event = {"type": "app_home_opened", "user": user, "channel": "D0DM", "tab": "home"}
    return {"team_id": "T0TEAM", "type": "event_callback", "event_id": event_id, "event": event}


def test_tasks_from_dm_to_done_never_show_the_individual_in_slack(
    slack, fake_slack, slack_traffic, api, clock, in_work
):
    before = len(slack_traffic.payloads)
    reference = in_work()["reference"]
    crm, newsletter = (
        dm(fake_slack, PRIYA, f"New task: {name} ")[0] for name in ("CRM", "Newsletter tool")
    )

    click(slack, crm, "task_block", user=PRIYA)
    (opened,) = fake_slack.called("views.open")
    slack.interact(submission(opened["view"], {"note": NOTE}, user=PRIYA))
    (blocked_crm,) = fake_slack.called("response_url")
    for at in (TASK_DUE - timedelta(days=2, minutes=-1), TASK_DUE + timedelta(days=1, minutes=1)):
        clock.set(at)
        reminders.sweep(db.session, now=at)
    for user in (PRIYA, SAM):
        slack.answer("tasks", user=user)
        slack.event(home_opened(user, f"Ev0{user}"))
    click(slack, blocked_crm, "task_done", user=PRIYA)
    click(slack, blocked_crm, "task_done", user=PRIYA)
    click(slack, newsletter, "task_no_data", user=PRIYA)

    tasks = api.get(f"/api/v1/cases/{reference}/tasks").json["items"]
    assert [(t["status"], t["note"]) for t in tasks] == [("done", NOTE), ("no_data", None)]
    methods = [call["method"] for call in fake_slack.calls]
    assert methods.count("views.open") == 1
    assert methods.count("views.publish") == 2
    assert methods.count("response_url") == 4
    assert len(dm(fake_slack, SAM, "Blocked task")) == 1
    assert len(dm(fake_slack, SAM, "Late task")) == 2
    assert len(dm(fake_slack, PRIYA, "Task reminder")) == 4
    sent = "\n".join(slack_traffic.payloads[before:]).lower()
    assert reference.lower() in sent
    personal = [*TASK_SUBJECT["name"].split(), TASK_SUBJECT["email"], "waiting for their fix"]
    assert [term for term in personal if term.lower() in sent] == []
