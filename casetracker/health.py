"""Liveness that means something: the database answers."""

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from casetracker.extensions import db


def init_app(app: Flask) -> None:
    """Register GET /healthz."""
    app.add_url_rule("/healthz", "healthz", healthz)


def healthz():
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", error="the database is not reachable"), 503
    return jsonify(status="ok")
