"""`python -m casetracker ...`: the same commands as `flask --app wsgi ...`."""

import importlib

from flask.cli import FlaskGroup


def _wsgi_app():
    # The deployment's entry point joins the delivery channels (Slack) to the core;
    # load it by name so the domain package never imports them itself.
    return importlib.import_module("wsgi").app


cli = FlaskGroup(create_app=_wsgi_app, help="casetracker: privacy cases on time.")

if __name__ == "__main__":
    cli()
