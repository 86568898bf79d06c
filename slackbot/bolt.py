"""The Bolt app: verification on, authorized by the configured token, in the app context."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from casetracker.extensions import db
from slackbot import delivery
from slackbot.listeners import register

log = logging.getLogger(__name__)


class _TokenFromEnvironment(logging.Filter):
    """Drop Bolt's warning that a token is unused: Bolt reads SLACK_BOT_TOKEN from the
    environment by itself, while our client is tokenless on purpose (``authorize`` gives
    each request the token), so the warning would print on every command."""

    def filter(self, record: logging.LogRecord) -> bool:
        return warning_client_prioritized_and_token_skipped() not in record.getMessage()


TOKEN_FROM_ENVIRONMENT = _TokenFromEnvironment()


def build_bolt(app: Flask, *, signing_secret: str | None) -> App:
    """Build the one Bolt app of this process, with its listeners registered."""
    log.addFilter(TOKEN_FROM_ENVIRONMENT)
    token = app.config.get("SLACK_BOT_TOKEN")

    def authorize(enterprise_id, team_id):
        # The bot token is configured, so Slack never needs to be asked (no auth.test).
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    bolt = App(
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,
        authorize=authorize,
        # Tokenless: each request's client gets the token from ``authorize``.
        client=delivery.web_client(app.config, token=None),
        # /case answers in the ack body: the request does the (fast) work before answering.
        process_before_response=True,
        listener_executor=AppContextExecutor(app),
        logger=log,
    )
    register(bolt)
    return bolt


class AppContextExecutor(ThreadPoolExecutor):
    """Run whatever Bolt runs on its threads inside the Flask app context."""

    def __init__(self, app: Flask, max_workers: int = 5):
        super().__init__(max_workers, thread_name_prefix="slack")
        self.flask_app = app

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(self._in_app_context, fn, *args, **kwargs)

    def _in_app_context(self, fn, *args, **kwargs):
        with self.flask_app.app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()
