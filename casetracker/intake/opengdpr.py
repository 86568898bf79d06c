"""OpenGDPR requests from controllers: open, report and cancel them as request cases."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casetracker import timesource
from casetracker.cases import service as case_service
from casetracker.cases.changes import Change
from casetracker.cases.models import Case
from casetracker.intake import languages
from casetracker.intake.models import OpenGdprRequest
from casetracker.intake.schemas import REQUEST_TYPES, email_of
from casetracker.people.actors import Actor

API_VERSION = "0.1"
CHANNEL = "opengdpr"
SUBJECT_NAME = "(not given: OpenGDPR request)"


class NotCancellable(Exception):
    """Only a pending request may be cancelled (OpenGDPR section 9)."""


def open_request(
    db_session: Session, *, data: dict, controller_id: str, settings: dict, actor: Actor
) -> tuple[OpenGdprRequest, Case]:
    """Open a request case for a controller's request, or return the one already opened."""
    existing = _existing(db_session, data["subject_request_id"], controller_id)
    if existing is not None:
        return existing
    now = timesource.now()
    extension = data["extensions"].get(settings["OPENGDPR_PROCESSOR_DOMAIN"]) or {}
    country = str(extension.get("country") or settings["OPENGDPR_DEFAULT_COUNTRY"]).upper()
    if country not in languages.COUNTRIES:
        raise ValidationError({"extensions": [f"unknown country code {country!r}"]})
    record = OpenGdprRequest(
        subject_request_id=data["subject_request_id"],
        controller_id=controller_id,
        request_type=data["subject_request_type"],
        api_version=data["api_version"],
        submitted_time=data["submitted_time"],
        received_time=now,
        status_callback_urls=data["status_callback_urls"],
        reported_status="pending",
    )
    case_data = {
        "kind": "request",
        "right": REQUEST_TYPES[data["subject_request_type"]],
        "jurisdiction": languages.jurisdiction_for(country, california=False),
        "data_context": "platform",
        "summary": (
            f"OpenGDPR {data['subject_request_type']} request {data['subject_request_id']} "
            f"from controller {controller_id}, submitted {data['submitted_time'].isoformat()}"
        ),
        "channel": "api",
        "subject": {"name": SUBJECT_NAME, "email": email_of(data), "country": country},
    }
    try:
        case = case_service.create_case(
            db_session, data=case_data, actor=actor, source="api", attach=[record]
        )
    except IntegrityError:
        # Another worker opened the same subject_request_id first: answer with its case.
        db_session.rollback()
        existing = _existing(db_session, data["subject_request_id"], controller_id)
        if existing is None:
            raise
        return existing
    return record, case


def find(db_session: Session, *, subject_request_id: str, controller_id: str):
    """Return (request, case) for a controller's request id, or None."""
    record = db_session.scalar(
        select(OpenGdprRequest).where(
            OpenGdprRequest.subject_request_id == subject_request_id,
            OpenGdprRequest.controller_id == controller_id,
        )
    )
    if record is None:
        return None
    return record, db_session.get(Case, record.case_id)


def cancel(db_session: Session, *, record: OpenGdprRequest, case: Case, actor: Actor) -> Case:
    """Withdraw a request that is still pending; later ones are refused."""
    if request_status(case) != "pending":
        raise NotCancellable(f"the request is {request_status(case)}; only pending ones cancel")
    return case_service.perform(
        db_session,
        reference=case.reference,
        action="resolve",
        version=case.version,
        params={"outcome": "withdrawn", "reason": "cancelled by the controller (OpenGDPR)"},
        actor=actor,
        source="api",
    )


def request_status(case: Case) -> str:
    """Map the case to an OpenGDPR status: pending, in_progress, completed or cancelled."""
    if case.status == "closed":
        return "cancelled" if case.outcome == "withdrawn" else "completed"
    if case.stage == "received":
        return "pending"
    return "in_progress"


def expected_completion(case: Case) -> datetime:
    """Return when the request is due: the respond clock, else the case's next deadline."""
    respond = [clock for clock in case.clocks if clock.name == "respond"]
    if respond:
        return respond[-1].due_at
    return case.next_due_at or case.received_at


def status_body(record: OpenGdprRequest, case: Case) -> dict:
    """Return the status object of section 8.3."""
    return {
        "controller_id": record.controller_id,
        "expected_completion_time": rfc3339(expected_completion(case)),
        "subject_request_id": record.subject_request_id,
        "request_status": request_status(case),
        "api_version": API_VERSION,
    }


def on_status_change(change: Change) -> None:
    """Queue a callback to each of the controller's URLs when the request's status changes."""
    case, notifier = change.case, change.notifier
    found = select(OpenGdprRequest).where(OpenGdprRequest.case_id == case.id)
    record = change.db_session.scalar(found)
    if record is None or request_status(case) == record.reported_status:
        return
    record.reported_status = request_status(case)
    for index, url in enumerate(record.status_callback_urls):
        body = {**status_body(record, case), "status_callback_url": url}
        body.pop("api_version")
        notifier.notify(
            topic="opengdpr_status",
            recipient=f"opengdpr:{record.subject_request_id}",
            payload={"url": url, "body": body},
            dedupe_key=f"opengdpr:{record.subject_request_id}:v{case.version}:{index}",
            case_id=case.id,
            channel=CHANNEL,
        )


def rfc3339(moment: datetime) -> str:
    """Format a time as RFC 3339 in UTC, as the examples of the specification do."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _existing(db_session: Session, subject_request_id: str, controller_id: str):
    found = db_session.scalar(
        select(OpenGdprRequest).where(OpenGdprRequest.subject_request_id == subject_request_id)
    )
    if found is None:
        return None
    if found.controller_id != controller_id:
        raise ValidationError({"subject_request_id": ["already used for another request"]})
    return found, db_session.get(Case, found.case_id)
