"""`flask slack socket-mode`: run the bot from a laptop that Slack cannot reach."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from slack_bolt.adapter.socket_mode import SocketModeHandler

from slackbot.bolt import build_bolt

group = AppGroup("slack", help="Run the Slack bot.")


@group.command("socket-mode")
@click.option(
    "--app-token",
    help="App-level token (xapp-…) with connections:write; default: SLACK_APP_TOKEN.",
)
def socket_mode(app_token):
    """Connect to Slack over a WebSocket instead of receiving requests at /slack/events."""
    token = app_token or current_app.config.get("SLACK_APP_TOKEN")
    if not token or not token.startswith("xapp-"):
        raise click.UsageError(
            "give an app-level token (xapp-…) with --app-token or SLACK_APP_TOKEN"
        )
    if not current_app.config.get("SLACK_BOT_TOKEN"):
        raise click.UsageError("set SLACK_BOT_TOKEN (xoxb-…) so the bot can answer")
    # Socket Mode requests come over the authenticated WebSocket: no signature to check.
    bolt = build_bolt(current_app._get_current_object(), signing_secret=None)
    click.echo("Connected to Slack in Socket Mode; press Ctrl+C to stop.")
    SocketModeHandler(bolt, token).start()
