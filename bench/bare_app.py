"""Bare apps: the ceilings the case API and the Slack bot are compared with."""

import os
from collections.abc import Callable

from flask import Flask, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult

BODY = {"status": "ok", "service": "bare", "items": [1, 2, 3]}


def create_app() -> Flask:
    """Build the app; gunicorn serves it as ``bench.bare_app:create_app()``."""
    app = Flask(__name__)

    @app.get("/")
    def index():
        return BODY

    return app


def bolt_app(on_case: Callable) -> Flask:
    """A Flask app with a Bolt app built like the product's (verification on, ``authorize=``
    instead of ``auth.test``, answering in the request) whose ``/case`` runs ``on_case``."""
    bolt = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        authorize=lambda enterprise_id, team_id: AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, bot_token=None
        ),
        process_before_response=True,
    )
    bolt.command("/case")(on_case)
    handler = SlackRequestHandler(bolt)
    app = Flask(__name__)
    app.post("/slack/events")(lambda: handler.handle(request))
    return app
