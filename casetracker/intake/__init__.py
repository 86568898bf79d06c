"""Public intake: the complaint/request form, emails to individuals, the OpenGDPR API."""

from __future__ import annotations

from flask import Flask

from casetracker import timesource
from casetracker.cases import notifications, purge
from casetracker.extensions import babel, csrf, limiter
from casetracker.intake import api, languages, messages, opengdpr, signing, views
from casetracker.intake.callbacks import CallbackTransport
from casetracker.intake.mail import EmailTransport
from casetracker.outbox import delivery


def init_app(app: Flask) -> None:
    """Wire the public pages, the OpenGDPR API and the email and callback transports."""
    babel.init_app(
        app,
        locale_selector=languages.select_locale,
        timezone_selector=lambda: timesource.team_tz().key,
    )
    limiter.init_app(app)
    signing.init_app(app)
    app.register_blueprint(views.bp)
    # First of all hooks: CSRF protection and the rate limiter read the form before ours run.
    app.before_request_funcs.setdefault(None, []).insert(0, views.limit_body)
    app.register_blueprint(api.bp)
    # Controllers call the JSON API with a token; there is no browser session to forge.
    csrf.exempt(api.bp)
    notifications.add_hook(app, messages.on_case_change)
    notifications.add_hook(app, opengdpr.on_case_change)
    messages.init_app(app)
    purge.add_eraser(app, messages.erase_agent_authorization)
    # Offline mode: without SMTP_HOST (or a signing key) the messages wait in the outbox.
    if app.config["SMTP_HOST"]:
        delivery.register_transport(app, EmailTransport())
    if signing.EXTENSION_KEY in app.extensions:
        delivery.register_transport(app, CallbackTransport())
    delivery.on_sent(app, "opengdpr_status", messages.record_sent)
