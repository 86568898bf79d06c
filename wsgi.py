"""The WSGI entry point: the one place that joins the case core and the Slack bot."""

from casetracker import create_app

app = create_app()
