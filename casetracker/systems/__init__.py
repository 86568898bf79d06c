"""The inventory of systems that hold personal data: requests get a task for each."""

from __future__ import annotations

from flask import Flask

from casetracker import extensions
from casetracker.systems import api, cli, views


def init_app(app: Flask) -> None:
    """Register the Systems page, its API and the `systems` commands."""
    extensions.api.register_blueprint(api.bp)
    extensions.csrf.exempt(api.bp)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.group)
