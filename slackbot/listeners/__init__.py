"""Bolt listeners, grouped by the Slack surface they serve."""

from __future__ import annotations

import json
import traceback

from slack_bolt import App, BoltResponse

from casetracker.extensions import db
from slackbot import blocks
from slackbot.listeners import actions, commands, events, views

SORRY = "Sorry, something went wrong on our side. Nothing was changed; try again in a moment."


def register(app: App) -> None:
    """Attach every listener and the one error handler to the Bolt app."""
    for surface in (commands, actions, views, events):
        surface.register(app)
    app.error(unexpected_error)


def unexpected_error(error, body, logger):
    """Log a failure no listener expected (without its message: it may hold personal data)."""
    db.session.rollback()
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    location = f"{where.filename}:{where.lineno}" if where else "unknown"
    logger.error("Slack listener failed: %s at %s", type(error).__name__, location)
    if isinstance(body, dict) and body.get("command"):
        answer = {"response_type": "ephemeral", **blocks.reply(SORRY)}
        headers = {"content-type": ["application/json;charset=utf-8"]}
        return BoltResponse(status=200, body=json.dumps(answer), headers=headers)
    return None
