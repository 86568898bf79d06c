"""Public intake: file a case from the form, find it by its status link, ask for clarification."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker import timesource
from casetracker.cases import service as case_service
from casetracker.cases.models import Case
from casetracker.cases.schemas import CaseCreateSchema
from casetracker.intake import languages, messages
from casetracker.intake.models import IntakeRecord
from casetracker.people.actors import Actor

INTAKE = Actor.system("intake")
SOURCE = "intake"
# Clocks an individual is told about; the others time the company's dealings with bodies.
PUBLIC_CLOCKS = ("acknowledge", "respond")
MAX_QUESTION = 2000


@dataclass(frozen=True)
class Status:
    """What the status page may show: the reference, the stage, the next deadline."""

    reference: str
    stage: str
    on_hold: bool
    next_due_at: datetime | None
    due_clock: str | None


@dataclass(frozen=True)
class Language:
    """The language an individual filed in: its code (de) and its own name (Deutsch)."""

    code: str
    name: str


def submit(db_session: Session, *, answers: Mapping, language: str) -> tuple[Case, str]:
    """Open a case from the public form; return it with the individual's status token."""
    now = timesource.now()
    record = IntakeRecord(
        language=language if language in languages.LANGUAGES else "en",
        consent_at=now,
        status_salt=secrets.token_hex(16),
        agent_authorization=answers.get("agent_authorization") or None,
        created_at=now,
    )
    token = status_token(record)
    record.status_token_hash = _hash(token)
    case = case_service.create_case(
        db_session,
        data=case_data(answers),
        actor=INTAKE,
        source=SOURCE,
        attach=[record],
        reason=_agent_note(answers),
    )
    return case, token


def _agent_note(answers: Mapping) -> str | None:
    """Tell staff, from the start, what an agent's request lacks for the identity link."""
    agent_email = (answers.get("agent_email") or "").casefold()
    if answers.get("kind") != "request" or not (answers.get("agent_name") or agent_email):
        return None
    if agent_email and agent_email == (answers.get("email") or "").casefold():
        return (
            "filed by an authorized agent with their own address as the individual's: no "
            "identity link is sent; check the individual's identity directly"
        )
    if not answers.get("agent_authorization"):
        return (
            "filed by an authorized agent without their written permission: the individual's "
            "confirmation by link will not verify identity until it is on record"
        )
    return None


def problems(answers: Mapping) -> dict:
    """Return what the case schema finds wrong with the answers (empty when all is well)."""
    return CaseCreateSchema().validate(case_data(answers))


def case_data(answers: Mapping) -> dict:
    """Turn the form's answers into the case schema's fields."""
    kind = answers.get("kind")
    subject = {
        "name": answers.get("name"),
        "email": answers.get("email"),
        "country": answers.get("country"),
    }
    for key in ("agent_name", "agent_email"):
        if answers.get(key):
            subject[key] = answers[key]
    data = {
        "kind": kind,
        "jurisdiction": languages.jurisdiction_for(
            answers.get("country") or "", california=bool(answers.get("california"))
        ),
        "data_context": answers.get("data_context"),
        "summary": answers.get("description"),
        "channel": "web",
        "subject": subject,
    }
    if kind == "request":
        data["right"] = answers.get("right")
    return data


def status_token(record: IntakeRecord) -> str:
    """Rebuild the secret of a case's status link (never stored; only its hash is)."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"intake-status:{record.status_salt}".encode(), hashlib.sha256)
    return digest.hexdigest()


def find_status(db_session: Session, *, token: str) -> Status | None:
    """Return the public status of the case a status link points to, or None."""
    if not token or len(token) > 128:
        return None
    case = db_session.scalar(
        select(Case)
        .join(IntakeRecord, IntakeRecord.case_id == Case.id)
        .where(IntakeRecord.status_token_hash == _hash(token))
    )
    if case is None:
        return None
    return status_of(case)


def status_of(case: Case) -> Status:
    """Describe a case as its individual may see it."""
    public = [
        clock
        for clock in case.running_clocks
        if clock.name in PUBLIC_CLOCKS and clock.paused_since is None
    ]
    nearest = min(public, key=lambda clock: clock.due_at, default=None)
    return Status(
        reference=case.reference,
        stage=case.stage,
        on_hold=case.status == "on_hold",
        next_due_at=nearest.due_at if nearest else None,
        due_clock=nearest.name if nearest else None,
    )


def record_for(db_session: Session, *, reference: str) -> tuple[Case, IntakeRecord]:
    """Return a case filed through the form and its intake record."""
    case = case_service.get_case(db_session, reference=reference)
    record = db_session.scalar(select(IntakeRecord).where(IntakeRecord.case_id == case.id))
    if record is None:
        raise ValidationError({"reference": [f"{reference} was not filed through the form"]})
    return case, record


def filed_through_form(db_session: Session, *, case_id: int) -> bool:
    """Tell whether the case came through the public form (so the individual can be emailed)."""
    found = select(IntakeRecord.id).where(IntakeRecord.case_id == case_id)
    return db_session.scalar(found) is not None


def agent_permission_on_record(db_session: Session, *, case: Case) -> bool | None:
    """Tell whether a request an agent filed through the form has their written permission.

    None when no agent acts, or the case did not come through the form.
    """
    subject = case.subject
    if subject is None or not (subject.agent_name or subject.agent_email):
        return None
    found = select(IntakeRecord.agent_authorization).where(IntakeRecord.case_id == case.id)
    row = db_session.execute(found).first()
    return None if row is None else bool(row.agent_authorization)


def language_of(db_session: Session, *, case_id: int) -> Language | None:
    """Return the language the individual filed in (emails to them use it), or None."""
    found = select(IntakeRecord.language).where(IntakeRecord.case_id == case_id)
    code = db_session.scalar(found)
    return Language(code, languages.LANGUAGES.get(code, code)) if code else None


def request_clarification(
    db_session: Session, *, reference: str, question: str, actor: Actor, source: str
) -> bool:
    """Email the individual a question; sending it puts the case on hold where clocks pause.

    Return False, changing nothing, when this very question is already waiting to be sent
    (a form submitted twice). The audit trail records who asked, not the question: it is
    personal correspondence, kept in the email itself (the outbox), which the retention purge
    erases with the case's personal data.
    """
    question = (question or "").strip()
    if not question or len(question) > MAX_QUESTION:
        problem = f"write the question (1 to {MAX_QUESTION} characters)"
        raise ValidationError({"question": [problem]})
    case, _ = record_for(db_session, reference=reference)
    if case.status == "closed":
        raise ValidationError({"question": [f"{reference} is closed; reopen it to ask"]})
    if messages.clarification_queued(db_session, case, question):
        return False
    case_service.perform(
        db_session,
        reference=case.reference,
        action="ask_individual",
        version=case.version,
        params={"question": question},
        actor=actor,
        source=source,
    )
    return True


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
