"""The WSGI entry point: the one place that joins the case core and the Slack bot."""

import slackbot
from casetracker import create_app

app = create_app()
slackbot.init_app(app)
