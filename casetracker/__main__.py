"""`python -m casetracker ...`: the same commands as `flask --app wsgi ...`."""

import importlib

from flask.cli import FlaskGroup, NoAppException

from casetracker.config import ConfigError
from casetracker.policy import PolicyError


def _wsgi_app():
    # The deployment's entry point joins the delivery channels (Slack) to the core;
    # load it by name so the domain package never imports them itself.
    try:
        return importlib.import_module("wsgi").app
    except (ConfigError, PolicyError) as exc:
        # A setting to fix, not a crash: one line naming it instead of a traceback.
        raise NoAppException(f"casetracker cannot start: {exc}") from exc


cli = FlaskGroup(create_app=_wsgi_app, help="casetracker: privacy cases on time.")

if __name__ == "__main__":
    cli()
