"""OpenGDPR endpoints (OpenDSR specification 0.1): discovery, requests, status, cancel."""

from __future__ import annotations

import base64
import json

from flask import Blueprint, Response, current_app, g, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from casetracker import timesource
from casetracker.cases.errors import CaseError
from casetracker.extensions import db
from casetracker.intake import opengdpr, signing
from casetracker.intake.callbacks import encode
from casetracker.intake.schemas import REQUEST_TYPES, SUPPORTED_IDENTITIES, OpenGdprRequestSchema
from casetracker.people.auth import token_required
from casetracker.people.models import Staff

bp = Blueprint("opengdpr", __name__, url_prefix="/opengdpr/v1")


@bp.before_request
def _configured():
    if signing.signer() is None or not current_app.config["OPENGDPR_PROCESSOR_DOMAIN"]:
        return _error(
            503,
            "OpenGDPR is not configured on this server",
            reason="NotConfigured",
            detail="set OPENGDPR_PROCESSOR_DOMAIN, OPENGDPR_SIGNING_KEY and OPENGDPR_CERTIFICATE",
        )
    return None


@bp.after_request
def _sign(response: Response) -> Response:
    """Sign every JSON answer with the processor's key (sections 7.4, 8.3)."""
    processor = signing.signer()
    if processor is not None and response.is_json:
        response.headers["X-OpenGDPR-Processor-Domain"] = current_app.config[
            "OPENGDPR_PROCESSOR_DOMAIN"
        ]
        response.headers["X-OpenGDPR-Signature"] = processor.sign(response.get_data())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    return _error(error.code or 500, data.get("message") or error.description, reason=error.name)


@bp.get("/discovery")
def discovery():
    """Describe what this processor supports and where its certificate is."""
    base = current_app.config["CASETRACKER_BASE_URL"]
    return _json(
        {
            "api_version": opengdpr.API_VERSION,
            "supported_identities": list(SUPPORTED_IDENTITIES),
            "supported_subject_request_types": list(REQUEST_TYPES),
            "processor_certificate": f"{base}/opengdpr/v1/cert.pem",
        }
    )


@bp.get("/cert.pem")
def certificate():
    """Serve the certificate whose key signs callbacks and answers."""
    return Response(signing.signer().certificate_pem, mimetype="application/x-pem-file")


@bp.post("/opengdpr_requests")
@token_required
def create():
    """Open a request case, or return the one opened for this subject_request_id."""
    raw = request.get_data()
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _error(400, "the body must be a JSON object", reason="MalformedJson")
    try:
        if not isinstance(body, dict):
            raise ValidationError({"_schema": ["the body must be a JSON object"]})
        data = OpenGdprRequestSchema().load(body)
        record, case = opengdpr.open_request(
            db.session,
            data=data,
            controller_id=_controller_id(),
            settings=current_app.config,
            actor=g.actor,
        )
    except ValidationError as exc:
        return _invalid(exc.messages)
    return _json(
        {
            "controller_id": record.controller_id,
            "expected_completion_time": opengdpr.rfc3339(opengdpr.expected_completion(case)),
            "received_time": opengdpr.rfc3339(record.received_time),
            "encoded_request": base64.b64encode(raw).decode(),
            "subject_request_id": record.subject_request_id,
        },
        201,
    )


@bp.get("/opengdpr_requests/<subject_request_id>")
@token_required
def status(subject_request_id: str):
    """Return the status of one of this controller's requests."""
    record, case = _find(subject_request_id)
    return _json(opengdpr.status_body(record, case))


@bp.delete("/opengdpr_requests/<subject_request_id>")
@token_required
def cancel(subject_request_id: str):
    """Cancel a request that is still pending."""
    record, case = _find(subject_request_id)
    try:
        opengdpr.cancel(db.session, record=record, case=case, actor=g.actor)
    except (opengdpr.NotCancellable, CaseError) as exc:
        return _error(400, str(exc), reason="NotCancellable")
    return _json(
        {
            "controller_id": record.controller_id,
            "subject_request_id": record.subject_request_id,
            "received_time": opengdpr.rfc3339(timesource.now()),
            "encoded_request": base64.b64encode(request.get_data()).decode(),
            "api_version": opengdpr.API_VERSION,
        },
        202,
    )


def _find(subject_request_id: str):
    found = opengdpr.find(
        db.session, subject_request_id=subject_request_id, controller_id=_controller_id()
    )
    if found is None:
        raise _NotFound()
    return found


class _NotFound(HTTPException):
    code = 404
    description = "no request with this subject_request_id for this controller"


def _controller_id() -> str:
    """Identify the controller by the staff account its API token belongs to."""
    return db.session.get(Staff, g.actor.staff_id).email


def _invalid(messages) -> Response:
    errors = [
        {"domain": "Validation", "reason": "InvalidArgument", "message": f"{field}: {text}"}
        for field, text in _flatten(messages)
    ]
    summary = "; ".join(error["message"] for error in errors[:3])
    return _error(400, summary, errors=errors)


def _flatten(messages, prefix: str = ""):
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            yield from _flatten(value, name)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield prefix or "request", message
    else:
        for item in messages:
            yield from _flatten(item, prefix)


def _error(
    code: int,
    message: str,
    *,
    reason: str = "Error",
    detail: str | None = None,
    errors: list | None = None,
) -> Response:
    """Answer in the specification's error shape (section 7.6)."""
    detail_errors = errors or [
        {"domain": "OpenGDPR", "reason": reason, "message": detail or message}
    ]
    return _json({"error": {"code": code, "message": message, "errors": detail_errors}}, code)


def _json(body: dict, status: int = 200) -> Response:
    return Response(encode(body), status=status, mimetype="application/json")
