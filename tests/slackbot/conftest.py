"""Slack fixtures: a recording fake Web API, requests signed as Slack signs them, PII watch."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_sdk.signature import SignatureVerifier

import slackbot
from casetracker import create_app
from casetracker.extensions import db
from tests import factories
from tests.conftest import _settings

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SAM = "U0SAM"
DANA = "U0DANA"
CASES_CHANNEL = "C0CASES"

# Everything the suite types in about individuals; none of it may ever reach Slack.
DEFAULT_CASE = factories.case_payload()
MODAL_SUBJECT = {"name": "Jean-Baptiste Dupont", "email": "jb.dupont@example.fr", "country": "FR"}
MODAL_SUMMARY = "Mon ancien employeur garde mes fiches de paie en ligne."
PII = [
    DEFAULT_CASE["subject"]["name"],
    DEFAULT_CASE["subject"]["email"],
    DEFAULT_CASE["summary"],
    MODAL_SUBJECT["name"],
    MODAL_SUBJECT["email"],
    MODAL_SUMMARY,
]


class Traffic:
    """Every payload that went to Slack: Web API calls and the bot's HTTP answers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.payloads: list[str] = []

    def add(self, payload) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        with self.lock:
            self.payloads.append(text)

    def leaks(self, terms) -> list[str]:
        lowered = [term.lower() for term in terms]
        return [t for p in self.payloads for t in lowered if t in p.lower()]


@pytest.fixture(scope="session")
def slack_traffic():
    """Collect the whole session's Slack traffic and fail if any of it carries PII."""
    traffic = Traffic()
    yield traffic
    leaks = traffic.leaks(PII)
    assert not leaks, f"personal data sent to Slack: {sorted(set(leaks))}"


class FakeSlack(ThreadingHTTPServer):
    """Slack's Web API and response URLs on 127.0.0.1, recording every call."""

    daemon_threads = True

    def __init__(self, traffic: Traffic):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.traffic = traffic
        self.calls: list[dict] = []
        self.scripts: dict[str, list[tuple[int, dict]]] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def script(self, method: str, *answers: tuple[int, dict]) -> None:
        """Answer the next calls of ``method`` with these (status, headers) first."""
        self.scripts.setdefault(method, []).extend(answers)

    def called(self, method: str) -> list[dict]:
        """Return the bodies of the calls of ``method`` that Slack accepted."""
        with self.lock:
            return [c["body"] for c in self.calls if c["method"] == method and c["status"] == 200]

    def answer(self, method: str, body: dict) -> tuple[int, dict, dict]:
        self.traffic.add(body)
        with self.lock:
            scripted = self.scripts.get(method)
            status, headers = scripted.pop(0) if scripted else (200, {})
            self.calls.append({"method": method, "body": body, "status": status})
        if status == 200:
            return status, headers, {"ok": True, "channel": body.get("channel"), "ts": "1.0"}
        return status, headers, {"ok": False, "error": "ratelimited" if status == 429 else "fatal"}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or "{}")
        else:
            body = dict(urllib.parse.parse_qsl(raw))
        path = self.path.strip("/")
        method = "response_url" if path.startswith("response/") else path.removeprefix("api/")
        status, headers, answer = self.server.answer(method, body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_slack(slack_traffic):
    server = FakeSlack(slack_traffic)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


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
