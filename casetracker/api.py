"""The REST API extension: OpenAPI document, Swagger UI, and the error contract."""

from __future__ import annotations

from flask import jsonify, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
LOCATIONS = ("json", "query", "form", "view_args")


class CasetrackerApi(Api):
    """flask-smorest's Api, answering errors as ``{"error": ..., "errors": {field: [...]}}``."""

    def handle_http_exception(self, error: HTTPException):
        if not request.path.startswith(API_PREFIX):
            return error
        data = dict(getattr(error, "data", None) or {})
        headers = data.pop("headers", None) or {}
        errors = data.pop("errors", None) or data.pop("messages", None)
        message = data.pop("message", None)
        if errors:
            message = message or "some fields are missing or invalid; see errors"
        body = {"error": message or error.description or error.name}
        if errors:
            body["errors"] = _flatten_locations(errors)
        if "allowed_actions" in data:
            body["allowed_actions"] = data["allowed_actions"]
        response = jsonify(body)
        response.status_code = error.code or 500
        response.headers.update(headers)
        return response


def _flatten_locations(errors: dict) -> dict:
    """Drop webargs' location level ("json", "query") so fields are named directly."""
    flat = {}
    for key, value in errors.items():
        if key in LOCATIONS and isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat
