"""The Slack outbox transport: one chat.postMessage per message, patient with rate limits."""

from __future__ import annotations

import logging

from flask import Flask
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import object_session

from casetracker.cases.notifications import CASES_CHANNEL
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.people.models import Staff
from slackbot import blocks

log = logging.getLogger(__name__)

STAFF_PREFIX = "staff:"
DEFAULT_RETRY_AFTER = 30
# Slack errors that no retry can fix; anything else is worth another attempt later.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "msg_too_long",
        "cannot_dm_bot",
        "user_disabled",
    }
)


def web_client(config, *, token: str | None) -> WebClient:
    """Build a Web API client, pointed at SLACK_API_BASE_URL when set."""
    base_url = config.get("SLACK_API_BASE_URL") or WebClient.BASE_URL
    return WebClient(token=token, base_url=base_url, timeout=10)


class SlackTransport:
    """Sends outbox messages of the ``slack`` channel."""

    channel = "slack"

    def __init__(self, client: WebClient, *, cases_channel: str | None):
        self.client = client
        self.cases_channel = cases_channel

    def send(self, message: OutboxMessage) -> None:
        """Post the message; raise RetryAfter, Undeliverable or any error to retry."""
        channel = self._resolve(message)
        rendered = blocks.message_for({"topic": message.topic, **message.payload})
        try:
            self.client.chat_postMessage(
                channel=channel, text=rendered["text"], blocks=rendered["blocks"]
            )
        except SlackApiError as exc:
            raise _classified(exc) from exc

    def _resolve(self, message: OutboxMessage) -> str:
        recipient = message.recipient
        if recipient == CASES_CHANNEL:
            if not self.cases_channel:
                raise delivery.Undeliverable("SLACK_CASES_CHANNEL is not set")
            return self.cases_channel
        if recipient.startswith(STAFF_PREFIX):
            staff_id = int(recipient.removeprefix(STAFF_PREFIX))
            staff = object_session(message).get(Staff, staff_id)
            if staff is None or not staff.active or not staff.slack_user_id:
                raise delivery.Undeliverable(f"staff member {staff_id} has no active Slack account")
            # A user id as channel opens (or reuses) the bot's DM with that person.
            return staff.slack_user_id
        raise delivery.Undeliverable(f"unknown recipient {recipient!r}")


def init_app(app: Flask) -> None:
    """Register the transport, or say once that Slack messages will wait in the outbox."""
    if not app.config.get("SLACK_BOT_TOKEN"):
        log.info("Slack is offline (no SLACK_BOT_TOKEN): messages stay in the outbox")
        return
    client = web_client(app.config, token=app.config["SLACK_BOT_TOKEN"])
    transport = SlackTransport(client, cases_channel=app.config["SLACK_CASES_CHANNEL"])
    delivery.register_transport(app, transport)


def _classified(exc: SlackApiError) -> Exception:
    response = exc.response
    if response.status_code == 429:
        seconds = float(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER))
        return delivery.RetryAfter(seconds, reason="Slack rate limit")
    error = response.get("error") if isinstance(response.data, dict) else None
    if error in PERMANENT_ERRORS:
        return delivery.Undeliverable(f"Slack refused the message: {error}")
    return RuntimeError(f"Slack answered {response.status_code}: {error or 'no error code'}")
