"""The Slack bot: /case, buttons, modals, App Home, and delivery of outbox messages."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, request
from slack_bolt.adapter.flask import SlackRequestHandler

from casetracker.extensions import csrf
from slackbot import cli, delivery
from slackbot.bolt import build_bolt

EXTENSION_KEY = "slackbot"
bp = Blueprint("slack", __name__)


def init_app(app: Flask) -> None:
    """Mount the bot when Slack is configured and register Slack as an outbox transport."""
    delivery.init_app(app)
    app.cli.add_command(cli.group)
    if not app.config.get("SLACK_SIGNING_SECRET"):
        return
    bolt = build_bolt(app, signing_secret=app.config["SLACK_SIGNING_SECRET"])
    app.extensions[EXTENSION_KEY] = SlackRequestHandler(bolt)
    csrf.exempt(bp)
    app.register_blueprint(bp)


@bp.post("/slack/events")
def events():
    """Hand Slack's commands, interactions and events to Bolt (it verifies the signature)."""
    return current_app.extensions[EXTENSION_KEY].handle(request)
