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
from casetracker.intake.schemas import REQUEST_TYPES
from casetracker.people.actors import Actor

CHANNEL = "opengdpr"
SUBJECT_NAME = "(not given: OpenGDPR request)"
# Section 8 has no status for a request refused or passed on: "cancelled" is the honest end
# of everything but a fulfilled request. Both ends are final: a reopen is our own rework.
FULFILLED = ("complied", "partially_complied")
FINAL = ("completed", "cancelled")


class NotCancellable(Exception):
    """Only a pending request may be cancelled (OpenGDPR section 9)."""


def open_request(
    db_session: Session, *, data: dict, controller_id: str, settings: dict, actor: Actor
) -> tuple[OpenGdprRequest, Case]:
    """Open a request case for a controller's request, or return the one it already opened."""
    country = (data["country"] or settings["OPENGDPR_DEFAULT_COUNTRY"]).upper()
    if country not in languages.COUNTRIES:
        raise ValidationError({"extensions": [f"unknown country code {country!r}"]})
    data = {**data, "country": country, "summary": _summary(data, controller_id)}
    existing = _existing(db_session, data, controller_id)
    if existing is not None:
        return existing
    record = OpenGdprRequest(
        subject_request_id=data["subject_request_id"],
        controller_id=controller_id,
        request_type=data["subject_request_type"],
        api_version=data["api_version"],
        submitted_time=data["submitted_time"],
        received_time=timesource.now(),
        status_callback_urls=data["status_callback_urls"],
        reported_status="pending",
    )
    case_data = {
        "kind": "request",
        "right": REQUEST_TYPES[data["subject_request_type"]],
        "jurisdiction": languages.jurisdiction_for(country, california=False),
        "data_context": "platform",
        "summary": data["summary"],
        "channel": "api",
        "subject": {"name": SUBJECT_NAME, "email": data["email"], "country": country},
    }
    try:
        case = case_service.create_case(
            db_session, data=case_data, actor=actor, source="api", attach=[record]
        )
    except IntegrityError:
        # Another worker opened the same subject_request_id first: answer with its case.
        db_session.rollback()
        existing = _existing(db_session, data, controller_id)
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
    status = current_status(record, case)
    if status != "pending":
        raise NotCancellable(f"the request is {status}; only pending ones cancel")
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
        return "completed" if case.outcome in FULFILLED else "cancelled"
    if case.stage == "received":
        return "pending"
    return "in_progress"


def current_status(record: OpenGdprRequest, case: Case) -> str:
    """Return the request's status: the case's, unless a final one was reported already."""
    if record.reported_status in FINAL:
        return record.reported_status
    return request_status(case)


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
        "request_status": current_status(record, case),
        "api_version": record.api_version,
    }


def on_status_change(change: Change) -> None:
    """Queue a callback to each of the controller's URLs when the request's status changes."""
    case, notifier = change.case, change.notifier
    found = select(OpenGdprRequest).where(OpenGdprRequest.case_id == case.id)
    record = change.db_session.scalar(found)
    if record is None or current_status(record, case) == record.reported_status:
        return
    record.reported_status = current_status(record, case)
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


def _summary(data: dict, controller_id: str) -> str:
    """Describe the request for staff; it also records the property_id it is scoped to."""
    scope = f" for property {data['property_id']}" if data["property_id"] else ""
    submitted = data["submitted_time"].astimezone(UTC).isoformat()
    return (
        f"OpenGDPR {data['subject_request_type']} request {data['subject_request_id']}{scope} "
        f"from controller {controller_id}, submitted {submitted}"
    )


def _existing(db_session: Session, data: dict, controller_id: str):
    found = db_session.scalar(
        select(OpenGdprRequest).where(
            OpenGdprRequest.subject_request_id == data["subject_request_id"]
        )
    )
    if found is None:
        return None
    case = db_session.get(Case, found.case_id)
    if found.controller_id != controller_id or not _same_request(found, case, data):
        raise ValidationError({"subject_request_id": ["already used for a different request"]})
    return found, case


def _same_request(record: OpenGdprRequest, case: Case, data: dict) -> bool:
    """Tell whether a repeated request says what the first one said (erased facts aside)."""
    kept = (
        (record.request_type, data["subject_request_type"]),
        (record.submitted_time, data["submitted_time"]),
        (record.status_callback_urls, data["status_callback_urls"]),
        (case.summary, data["summary"]),
        (case.subject.email, data["email"]),
        (case.subject.country, data["country"]),
    )
    return all(stored is None or stored == given for stored, given in kept)
