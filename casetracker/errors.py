"""Answers for failures no view handles itself."""

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError

from casetracker.extensions import db

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Answer 503 when the database is unreachable, instead of a stack trace."""
    app.register_error_handler(OperationalError, _database_unavailable)


def _database_unavailable(error: DBAPIError):
    db.session.rollback()
    log.error("database unavailable: %s", type(error.orig).__name__)
    body = {"error": "the database is not reachable; try again shortly"}
    return jsonify(body), 503
