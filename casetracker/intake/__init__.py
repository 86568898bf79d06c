"""Public intake: the complaint/request form, emails to individuals, the OpenGDPR API."""

from __future__ import annotations

from flask import Flask

from casetracker.extensions import csrf
from casetracker.intake import api, signing, views


def init_app(app: Flask) -> None:
    """Register the public pages and the OpenGDPR API, with its signing key."""
    signing.init_app(app)
    app.register_blueprint(views.bp)
    # First of all hooks: CSRF protection and the rate limiter read the form before ours run.
    app.before_request_funcs.setdefault(None, []).insert(0, views.limit_body)
    app.register_blueprint(api.bp)
    # Controllers call the JSON API with a token; there is no browser session to forge.
    csrf.exempt(api.bp)
