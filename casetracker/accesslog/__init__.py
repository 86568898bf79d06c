"""The PII access log: every view of an individual's personal data, who saw it, when, how.

The places that show personal data call ``service.record`` once per page or answer; the DPO
reads the log per case and per staff member, from the API and the dashboard.
"""

from __future__ import annotations

from flask import Flask, Response

from casetracker import extensions
from casetracker.accesslog import api, service, views


def init_app(app: Flask) -> None:
    """Register the access log's API and page, and keep pages it recorded out of caches."""
    extensions.api.register_blueprint(api.bp)
    extensions.csrf.exempt(api.bp)
    app.register_blueprint(views.bp)
    app.after_request(_not_cached)


def _not_cached(response: Response) -> Response:
    # A page shown again from the browser's cache would be a view the log never saw.
    if service.shown_in_this_request():
        response.headers["Cache-Control"] = "private, no-store"
    return response
