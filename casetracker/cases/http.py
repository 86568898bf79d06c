"""How the JSON endpoints read a body and turn a refusal into an answer, the same everywhere."""

from __future__ import annotations

from flask import request
from flask_smorest import abort
from marshmallow import ValidationError

from casetracker.cases.errors import ActionNotAllowed, CaseError


def json_object() -> dict:
    """Return the request's JSON object, or answer 400."""
    body = request.get_json()
    if not isinstance(body, dict):
        abort(400, message="the request body must be a JSON object")
    return body


def or_abort(call):
    """Run ``call``; answer 422 naming the fields, 409 with the allowed actions, or the
    refusal's own status."""
    try:
        return call()
    except ValidationError as exc:
        abort(422, errors=exc.messages)
    except ActionNotAllowed as exc:
        abort(409, message=exc.message, allowed_actions=exc.allowed_actions)
    except CaseError as exc:
        abort(exc.status, message=exc.message)
