"""Friendly HTML error pages for the dashboard; the API and Slack keep their JSON answers."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from casetracker.extensions import api, db

log = logging.getLogger(__name__)
MACHINE_PREFIXES = ("/api/", "/slack/", "/opengdpr/", "/healthz")
HTML_CODES = (400, 403, 404, 405, 409, 413, 429, 503)


def init_app(app: Flask) -> None:
    """Answer dashboard paths with pages that explain what happened, and no stack trace."""
    for code in HTML_CODES:
        app.register_error_handler(code, _page)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(InternalServerError, _server_error)


def _for_machines() -> bool:
    return request.path.startswith(MACHINE_PREFIXES)


def _page(error: HTTPException):
    if request.path.startswith("/api/"):
        return api.handle_http_exception(error)
    if _for_machines():
        return error
    return render_template("errors/error.html", error=error), error.code


def _csrf_refused(error: CSRFError):
    if _for_machines():
        return error
    log.warning("form refused: %s", error.description)
    return render_template("errors/csrf.html"), 400


def _server_error(error: InternalServerError):
    db.session.rollback()
    original = getattr(error, "original_exception", None)
    if original is not None:
        log.error("unexpected error on %s", request.path, exc_info=original)
    if request.path.startswith("/api/"):
        return api.handle_http_exception(error)
    if _for_machines():
        return error
    return render_template("errors/500.html"), 500
