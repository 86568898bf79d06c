"""casetracker: privacy complaints and data-subject requests, on time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from casetracker import (
    accesslog,
    dashboard,
    database,
    errors,
    health,
    intake,
    jobs,
    policy,
    reactions,
    responses,
    security,
    systems,
    timesource,
)
from casetracker import config as settings
from casetracker.cases import actions, task_api
from casetracker.cases import api as cases_api
from casetracker.cases import cli as cases_cli
from casetracker.demo import cli as demo_cli
from casetracker.docs import swagger_ui
from casetracker.extensions import api, babel, csrf, db, limiter, migrate
from casetracker.intake import languages
from casetracker.mail import api as mail_api
from casetracker.mail import views as mail_views
from casetracker.outbox import delivery
from casetracker.people import cli as people_cli
from casetracker.people import login as people_login

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: Mapping | None = None) -> Flask:
    """Build the application: settings, policy, database, extensions, pages, reactions, jobs."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings.defaults())
    app.config.update(settings.from_environment())
    if config:
        app.config.update(config)
    settings.check(app.config, development=app.debug or app.testing)
    os.makedirs(app.instance_path, exist_ok=True)

    # What everything else reads: the policy (checked against the actions), "now", the database.
    policy.init_app(app, actions=actions.NAMES)
    timesource.init_app(app, app.config.get("NOW"))
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    delivery.init_app(app)

    # Request-level extensions, before any blueprint: CSRF protection and the rate limiter
    # hook in ahead of the views they guard, and the blueprints below exempt themselves.
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=languages.select_locale,
        timezone_selector=lambda: timesource.team_tz().key,
    )
    people_login.init_app(app)

    api.init_app(app)
    api.register_blueprint(cases_api.bp)
    api.register_blueprint(task_api.bp)
    api.register_blueprint(mail_api.bp)
    app.register_blueprint(swagger_ui.bp)
    dashboard.init_app(app)
    app.register_blueprint(mail_views.bp)
    intake.init_app(app)
    systems.init_app(app)
    responses.init_app(app)
    accesslog.init_app(app)
    errors.init_app(app)
    health.init_app(app)
    security.init_app(app)

    reactions.init_app(app)
    app.cli.add_command(cases_cli.group)
    app.cli.add_command(demo_cli.group)
    app.cli.add_command(people_cli.staff_group)
    app.cli.add_command(people_cli.tokens_group)
    jobs.init_app(app)
    return app
