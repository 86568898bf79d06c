"""OpenGDPR endpoints (OpenGDPR 0.1 and 1.0): discovery, requests, status, cancel."""

from __future__ import annotations

import base64
import json

from flask import Blueprint, Response, current_app, g, request, url_for
from marshmallow import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    default_exceptions,
)

from casetracker import timesource
from casetracker.cases.errors import CaseError
from casetracker.extensions import db
from casetracker.intake import opengdpr, signing
from casetracker.intake.callbacks import encode
from casetracker.intake.schemas import (
    API_VERSION,
    REQUEST_TYPES,
    SUPPORTED_IDENTITIES,
    OpenGdprRequestSchema,
    flatten,
)
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


@bp.before_app_request
def _unrouted():
    """Answer an unknown path or method under the prefix in the spec's shape, not HTML."""
    error = request.routing_exception
    if isinstance(error, NotFound | MethodNotAllowed) and _ours():
        response = _http_error(error)
        if isinstance(error, MethodNotAllowed):
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods or ()))
        return response
    return None


@bp.after_app_request
def _sign(response: Response) -> Response:
    """Sign every JSON answer under the prefix with the processor's key (sections 7.4, 8.3)."""
    if not _ours():
        return response
    processor = signing.signer()
    if processor is not None and response.is_json:
        response.headers["X-OpenGDPR-Processor-Domain"] = current_app.config[
            "OPENGDPR_PROCESSOR_DOMAIN"
        ]
        response.headers["X-OpenGDPR-Signature"] = processor.sign(response.get_data())
    response.headers["Cache-Control"] = "no-store"
    return response


def _http_error(error: HTTPException):
    if error.code and error.code >= 500:
        db.session.rollback()
    data = getattr(error, "data", None) or {}
    # Section 7.5: errors answer 400; authentication is the processor's choice (4.3), so a
    # missing or bad token is one of those errors too.
    code = 400 if error.code == 401 else error.code or 500
    return _error(code, data.get("message") or error.description, reason=error.name)


# Code by code: the app's own handlers for 404, 405, 500... would otherwise answer in HTML.
for _code in (*default_exceptions, HTTPException):
    bp.register_error_handler(_code, _http_error)


@bp.get("/discovery")
def discovery():
    """Describe what this processor supports and where its certificate is."""
    domain = current_app.config["OPENGDPR_PROCESSOR_DOMAIN"]
    return _json(
        {
            "api_version": API_VERSION,
            "supported_identities": list(SUPPORTED_IDENTITIES),
            "supported_subject_request_types": list(REQUEST_TYPES),
            "processor_certificate": f"https://{domain}{url_for('.certificate')}",
        }
    )


@bp.get("/status")
def service_status():
    """Tell a controller whether this processor answers (section 3.1 names it, no more)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return _error(503, "the database is not reachable", reason="Unavailable")
    return _json({"api_version": API_VERSION, "status": "ok"})


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
        schema = OpenGdprRequestSchema(
            processor_domain=current_app.config["OPENGDPR_PROCESSOR_DOMAIN"]
        )
        data = schema.load(body)
        record, case = opengdpr.open_request(
            db.session,
            data=data,
            controller_id=_controller_id(),
            settings=current_app.config,
            actor=g.actor,
        )
    except ValidationError as exc:
        return _invalid(exc.messages)
    return _receipt(
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
    body = {
        "controller_id": record.controller_id,
        "subject_request_id": record.subject_request_id,
        "received_time": opengdpr.rfc3339(timesource.now()),
        "api_version": record.api_version,
    }
    if record.api_version == "0.1":
        # 0.1 echoed the (cancellation) request's body; 1.0 dropped the field.
        body["encoded_request"] = base64.b64encode(request.get_data()).decode()
    return _receipt(body, 202)


def _find(subject_request_id: str):
    found = opengdpr.find(
        db.session, subject_request_id=subject_request_id, controller_id=_controller_id()
    )
    if found is None:
        raise _UnknownRequest()
    return found


class _UnknownRequest(BadRequest):
    description = "no request with this subject_request_id for this controller"


def _controller_id() -> str:
    """Identify the controller by the staff account its API token belongs to."""
    return db.session.get(Staff, g.actor.staff_id).email


def _invalid(messages) -> Response:
    errors = [
        {"domain": "Validation", "reason": "InvalidArgument", "message": f"{field}: {message}"}
        for field, message in flatten(messages)
    ]
    summary = "; ".join(error["message"] for error in errors[:3])
    return _error(400, summary, errors=errors)


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


def _receipt(body: dict, status: int) -> Response:
    """Answer with processor_signature: over the body without it, encoded as it is sent."""
    signature = signing.signer().sign(encode(body))
    return _json({**body, "processor_signature": signature}, status)


def _ours() -> bool:
    return request.path.startswith("/opengdpr/")


def _json(body: dict, status: int = 200) -> Response:
    return Response(encode(body), status=status, mimetype="application/json")
