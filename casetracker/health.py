"""Liveness that means something: the database answers."""

from flask import Flask, jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from casetracker.extensions import api, db

bp = Blueprint("health", __name__, description="Liveness, for load balancers and monitors")


class HealthSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("ok", "unavailable")))
    error = fields.String(metadata={"description": "why the service is unavailable"})


def init_app(app: Flask) -> None:
    """Register GET /healthz, and document it with the API (create_app has set ``api`` up)."""
    api.register_blueprint(bp)


@bp.route("/healthz")
@bp.doc(security=[])
@bp.response(200, HealthSchema)
@bp.alt_response(503, schema=HealthSchema, description="the database is not reachable")
def healthz():
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", error="the database is not reachable"), 503
    return jsonify(status="ok")
