"""Only requests signed by Slack, within five minutes, reach the listeners."""

import json
import time

import pytest

import slackbot
from casetracker import create_app
from tests import factories
from tests.conftest import _settings
from tests.slackbot.test_events import home_opened


@pytest.fixture
def case(api, staff):
    return api.create(owner=staff.email)


def forged(slack, body, content_type, how):
    timestamp = str(int(time.time()))
    if how == "unsigned":
        headers = {}
    elif how == "forged":
        signature = slack.verifier.generate_signature(timestamp=timestamp, body=body + b"&x=1")
        headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}
    else:
        old = str(int(time.time()) - 6 * 60)
        signature = slack.verifier.generate_signature(timestamp=old, body=body)
        headers = {"X-Slack-Request-Timestamp": old, "X-Slack-Signature": signature}
    return slack.client.post("/slack/events", data=body, headers=headers, content_type=content_type)


@pytest.mark.parametrize("how", ["unsigned", "forged", "six minutes old"])
def test_unverified_requests_get_401_and_change_nothing(slack, fake_slack, case, how):
    before = factories.row_counts()
    calls = len(fake_slack.calls)
    requests = [
        (slack.command_body(f"ack {case['reference']}"), "application/x-www-form-urlencoded"),
        (slack.command_body("new"), "application/x-www-form-urlencoded"),
        (
            slack.interaction_body({"type": "block_actions", "actions": []}),
            "application/x-www-form-urlencoded",
        ),
        (json.dumps(home_opened()).encode(), "application/json"),
    ]
    for body, content_type in requests:
        assert forged(slack, body, content_type, how).status_code == 401
    assert factories.row_counts() == before
    assert len(fake_slack.calls) == calls


def test_the_same_request_properly_signed_goes_through(slack, case):
    assert f"Acknowledged {case['reference']}" in slack.answer(f"ack {case['reference']}")


def test_without_a_signing_secret_there_is_no_slack_route(clock):
    app = create_app(_settings("sqlite://", clock))
    slackbot.init_app(app)
    assert app.test_client().post("/slack/events", data=b"x").status_code == 404
