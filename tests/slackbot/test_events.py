"""App Home: my cases by next deadline and overdue; Events API retries handled once."""

import pytest

from tests.slackbot.conftest import DANA, SAM, visible_text


def home_opened(user=SAM, event_id="Ev0HOME1", tab="home"):
    return {
        "token": "unused",
        "team_id": "T0TEAM",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": user, "channel": "D0DM", "tab": tab},
    }


def test_home_lists_overdue_then_my_cases_by_next_deadline(
    slack, fake_slack, api, staff, dpo, clock
):
    late = api.create(owner=staff.email)
    clock.advance(days=20)
    soon = api.create(owner=staff.email)
    other = api.create(owner=dpo.email)
    assert slack.event(home_opened()).status_code == 200
    (call,) = fake_slack.called("views.publish")
    assert call["user_id"] == SAM
    text = visible_text(call["view"])
    overdue, mine = text.split("My cases by next deadline")
    assert late["reference"] in overdue
    assert soon["reference"] not in overdue
    assert mine.index(late["reference"]) < mine.index(soon["reference"])
    assert other["reference"] not in text
    assert len(call["view"]["blocks"]) <= 100


def test_the_dpo_sees_the_whole_teams_overdue_work(slack, fake_slack, api, staff, dpo, clock):
    late = api.create(owner=staff.email)
    clock.advance(days=20)
    slack.event(home_opened(user=DANA))
    (call,) = fake_slack.called("views.publish")
    overdue = visible_text(call["view"]).split("My cases by next deadline")[0]
    assert late["reference"] in overdue


def test_an_event_delivered_three_times_is_handled_once(slack, fake_slack, staff):
    for retry in (None, "1", "2"):
        headers = (
            {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        )
        assert slack.event(home_opened(), headers=headers).status_code == 200
    assert len(fake_slack.called("views.publish")) == 1
    slack.event(home_opened(event_id="Ev0HOME2"))
    assert len(fake_slack.called("views.publish")) == 2


@pytest.mark.parametrize(("user", "expected"), [("U0STRANGER", "for the privacy team")])
def test_a_stranger_sees_how_to_get_linked(slack, fake_slack, staff, user, expected):
    slack.event(home_opened(user=user))
    (call,) = fake_slack.called("views.publish")
    assert expected in visible_text(call["view"])


def test_the_messages_tab_publishes_nothing(slack, fake_slack, staff):
    slack.event(home_opened(tab="messages"))
    assert fake_slack.called("views.publish") == []


def test_url_verification_answers_the_challenge(slack):
    response = slack.event({"type": "url_verification", "challenge": "c-123", "token": "x"})
    assert response.get_json() == {"challenge": "c-123"}
