"""The session-wide PII watch really catches personal data in Slack traffic."""

import json

from tests.slackbot.conftest import MODAL_SUBJECT, PII, Traffic


def test_the_watch_finds_a_name_planted_in_a_payload():
    traffic = Traffic()
    traffic.add({"channel": "C1", "text": "ok"})
    assert traffic.leaks(PII) == []
    traffic.add({"blocks": [{"text": {"text": f"from {MODAL_SUBJECT['name'].upper()}"}}]})
    assert traffic.leaks(PII) == [MODAL_SUBJECT["name"].lower()]


def test_the_watch_sees_this_sessions_slack_traffic(slack, api, staff, slack_traffic):
    before = len(slack_traffic.payloads)
    case = api.create(owner=staff.email)
    slack.answer("list")
    seen = [json.loads(payload) for payload in slack_traffic.payloads[before:]]
    announced = f"*New complaint {case['reference']}*"
    assert len(seen) == 3
    assert {(payload.get("channel"), payload["text"]) for payload in seen} == {
        ("C0CASES", announced),  # the cases channel, through the Web API
        ("U0SAM", announced),  # the owner, directly
        (None, "My open cases"),  # the answer to /case list
    }
