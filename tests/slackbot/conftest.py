"""Slack fixtures: a recording fake Web API, requests signed as Slack signs them, PII watch."""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest
from slack_sdk.signature import SignatureVerifier

import slackbot
from casetracker import create_app
from casetracker.extensions import db
from casetracker.systems import service as systems
from tests import factories
from tests.conftest import _settings
from tests.serving import serve
from tests.slackbot.web_api import FakeSlack, Traffic

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SAM = "U0SAM"
DANA = "U0DANA"
PRIYA = "U0PRIYA"
CASES_CHANNEL = "C0CASES"

# Everything the suite types in about individuals; none of it may ever reach Slack.
DEFAULT_CASE = factories.case_payload()
MODAL_SUBJECT = {"name": "Jean-Baptiste Dupont", "email": "jb.dupont@example.fr", "country": "FR"}
MODAL_SUMMARY = "Mon ancien employeur garde mes fiches de paie en ligne."
TASK_SUBJECT = {
    "name": "Rosalía Gutiérrez",
    "email": "rosalia.gutierrez@example.net",
    "country": "US",
}
TASK_SUMMARY = "Rosalía Gutiérrez asks us to erase everything marketing holds about her."
PII = [
    DEFAULT_CASE["subject"]["name"],
    DEFAULT_CASE["subject"]["email"],
    DEFAULT_CASE["summary"],
    MODAL_SUBJECT["name"],
    MODAL_SUBJECT["email"],
    MODAL_SUMMARY,
    TASK_SUBJECT["name"],
    TASK_SUBJECT["email"],
    TASK_SUMMARY,
]


@pytest.fixture(scope="session")
def slack_traffic():
    """Collect the whole session's Slack traffic and fail if any of it carries PII."""
    traffic = Traffic()
    yield traffic
    leaks = traffic.leaks(PII)
    assert not leaks, f"personal data sent to Slack: {sorted(set(leaks))}"


@pytest.fixture
def fake_slack(slack_traffic):
    server = FakeSlack(slack_traffic)
    stop = serve(server)
    yield server
    stop()


def slack_settings(fake: FakeSlack, **extra) -> dict:
    """Settings for an app with Slack fully configured against the fake."""
    return {
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_API_BASE_URL": f"{fake.url}/api/",
        "SLACK_CASES_CHANNEL": CASES_CHANNEL,
        "OUTBOX_AFTER_COMMIT": "inline",
        **extra,
    }


@pytest.fixture
def app(database_url, clock, fake_slack):
    """The app as wsgi.py builds it, with Slack pointed at the fake."""
    app = create_app(_settings(database_url, clock, **slack_settings(fake_slack)))
    slackbot.init_app(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def staff(app):
    return factories.staff(
        email="sam@example.com", name="Sam Staff", role="staff", slack_user_id=SAM
    )


@pytest.fixture
def dpo(app):
    return factories.staff(
        email="dana@example.com", name="Dana DPO", role="dpo", slack_user_id=DANA
    )


@pytest.fixture
def priya(app):
    """The owner of the systems that hold marketing data."""
    return factories.staff(
        email="priya@example.com", name="Priya Owner", role="staff", slack_user_id=PRIYA
    )


CRM_INSTRUCTIONS = "Erase the contact in Admin > Contacts & keep the suppression entry."


@pytest.fixture
def inventory(app, priya):
    """Two marketing systems owned by Priya: a request to erase gets a task on each."""
    for name, instructions in (("CRM", CRM_INSTRUCTIONS), ("Newsletter tool", "")):
        data = {"name": name, "owner": priya.email, "contexts": "marketing", "rights": "erasure"}
        systems.add_system(db.session, data={**data, "instructions": instructions})


@pytest.fixture
def in_work(api, staff, inventory):
    """Make an erasure request about marketing, owned by Sam, verified and in work."""

    def make(jurisdiction="US-CA"):
        case = api.create(
            kind="request",
            right="erasure",
            jurisdiction=jurisdiction,
            data_context="marketing",
            owner=staff.email,
            summary=TASK_SUMMARY,
            subject=TASK_SUBJECT,
        )
        for action in ("acknowledge", "verify_identity"):
            case = api.act(case, action).get_json()
        assert case["stage"] == "in_progress", case
        return case

    return make


class SignedSlack:
    """Posts to /slack/events exactly as Slack does: form bodies signed with the secret."""

    def __init__(self, client, fake: FakeSlack, traffic: Traffic):
        self.client = client
        self.fake = fake
        self.traffic = traffic
        self.verifier = SignatureVerifier(SIGNING_SECRET)
        self.sequence = 0

    def post(self, body: bytes, *, content_type: str, headers=None, timestamp=None):
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        signed = {
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=timestamp, body=body),
            **(headers or {}),
        }
        response = self.client.post(
            "/slack/events", data=body, headers=signed, content_type=content_type
        )
        self.traffic.add(response.get_data(as_text=True))
        return response

    def command_body(self, text: str, *, user: str = SAM) -> bytes:
        self.sequence += 1
        fields = {
            "token": "unused",
            "team_id": "T0TEAM",
            "team_domain": "privacy",
            "channel_id": "D0DM",
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/case",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": f"{self.fake.url}/response/{self.sequence}",
            "trigger_id": f"trigger.{self.sequence}",
        }
        return urllib.parse.urlencode(fields).encode()

    def command(self, text: str, *, user: str = SAM):
        """Run /case TEXT as this Slack user; return the HTTP response."""
        body = self.command_body(text, user=user)
        return self.post(body, content_type="application/x-www-form-urlencoded")

    def answer(self, text: str, *, user: str = SAM) -> str:
        """Run /case TEXT and return the visible text of the ephemeral answer."""
        response = self.command(text, user=user)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        assert body.get("response_type") == "ephemeral", body
        return visible_text(body)

    def interaction_body(self, payload: dict) -> bytes:
        return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()

    def interact(self, payload: dict, *, headers=None):
        body = self.interaction_body(payload)
        return self.post(body, content_type="application/x-www-form-urlencoded", headers=headers)

    def event(self, payload: dict, *, headers=None):
        body = json.dumps(payload).encode()
        return self.post(body, content_type="application/json", headers=headers)


def visible_text(message: dict) -> str:
    """Return the text a person would read in a message's blocks."""
    parts = []
    for block in message.get("blocks", []):
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [e.get("text", "") for e in block.get("elements", []) if isinstance(e, dict)]
    return "\n".join(str(part) for part in parts) or message.get("text", "")


@pytest.fixture
def slack(client, fake_slack, slack_traffic):
    return SignedSlack(client, fake_slack, slack_traffic)


def click(slack, message, action_id, *, user=SAM, headers=None):
    """Click a button of a message the bot posted, as this Slack user."""
    button = next(
        element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    )
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0TEAM"},
        "api_app_id": "A0APP",
        "trigger_id": "trigger.click",
        "channel": {"id": "D0DM"},
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "D0DM"},
        "message": {"ts": "1.0", "text": message["text"], "blocks": message["blocks"]},
        "response_url": f"{slack.fake.url}/response/click",
        "actions": [{**button, "block_id": "b0", "action_ts": "2.0"}],
    }
    response = slack.interact(payload, headers=headers)
    assert response.status_code == 200
    return response


def submission(view, values, *, view_id="V0MODAL", user=SAM):
    """Build the view_submission Slack sends for this modal filled in with ``values``."""
    state = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        kind, value = block["element"]["type"], values.get(block["block_id"])
        if kind == "static_select":
            option = {"text": {"type": "plain_text", "text": value}, "value": value}
            action = {"type": kind, "selected_option": option if value else None}
        else:
            action = {"type": kind, "value": value}
        state[block["block_id"]] = {"value": action}
    return {
        "type": "view_submission",
        "team": {"id": "T0TEAM"},
        "user": {"id": user},
        "api_app_id": "A0APP",
        "trigger_id": "trigger.submit",
        "view": {**view, "id": view_id, "state": {"values": state}},
    }
