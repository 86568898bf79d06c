"""Emails to individuals: which changes they are told about, and what sending one does."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from casetracker.cases import audit
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseError
from casetracker.cases.models import Case
from casetracker.intake.models import IntakeRecord
from casetracker.outbox import delivery
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import Notifier
from casetracker.people.actors import Actor

log = logging.getLogger(__name__)

CHANNEL = "email"
PENDING = "casetracker.intake.pending"
TEMPLATES = ("acknowledgement", "clarification", "extension", "outcome")
INTAKE = Actor.system("intake")


def init_app(app: Flask) -> None:
    """Make every email sent an event on its case, and let sending acknowledge or pause it."""
    for template in TEMPLATES:
        delivery.on_sent(app, f"email_{template}", record_sent)
    delivery.on_sent(app, "email_acknowledgement", acknowledge_when_sent)
    delivery.on_sent(app, "email_clarification", hold_when_sent)


def create_with(db_session: Session, record, *, data: Mapping, actor: Actor, source: str) -> Case:
    """Create a case and, in the same transaction, the intake row that belongs to it."""
    # create_case commits itself; the case hooks pick the row up before that commit, so a
    # case never exists without it (nor an OpenGDPR id without its case).
    db_session.info[PENDING] = record
    try:
        return case_service.create_case(db_session, data=data, actor=actor, source=source)
    finally:
        db_session.info.pop(PENDING, None)


def attach_pending(case: Case, kind: type):
    """Add the row waiting for this new case, if it is of ``kind``; return it."""
    db_session = object_session(case)
    pending = db_session.info.get(PENDING)
    if not isinstance(pending, kind):
        return None
    pending.case_id = case.id
    db_session.add(pending)
    return pending


def on_case_change(notifier: Notifier, case: Case, action: str) -> None:
    """Enqueue the emails a change calls for: receipt, extension, outcome."""
    if action == "create":
        record = attach_pending(case, IntakeRecord)
        if record is not None:
            acknowledgement(notifier, case, record)
        return
    if action not in ("extend", "resolve", "redirect"):
        return
    db_session = object_session(case)
    record = db_session.scalar(select(IntakeRecord).where(IntakeRecord.case_id == case.id))
    if record is None:
        return
    if action == "extend":
        extension(notifier, case, record)
    else:
        outcome(notifier, case, record)


def acknowledgement(notifier: Notifier, case: Case, record: IntakeRecord) -> None:
    """Confirm receipt, with the dates that apply and the status link."""
    dues = {clock.name: clock.due_at.isoformat() for clock in case.running_clocks}
    _email(notifier, case, record, "acknowledgement", {"due": dues}, key="")


def clarification(notifier: Notifier, case: Case, record: IntakeRecord, *, question: str) -> None:
    """Ask the individual for identity proof or clarification."""
    key = clarification_key(case, question)
    _email(notifier, case, record, "clarification", {"question": question}, key=key)


def clarification_key(case: Case, question: str) -> str:
    """Tell questions apart: the same question asked twice at one version is one email."""
    return f"{case.version}:{hashlib.sha256(question.encode()).hexdigest()[:16]}"


def clarification_queued(db_session: Session, case: Case, question: str) -> bool:
    """Tell whether this very question is already in the outbox for this version."""
    key = _dedupe_key("clarification", case, clarification_key(case, question))
    found = select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
    return db_session.scalar(found) is not None


def extension(notifier: Notifier, case: Case, record: IntakeRecord) -> None:
    """Tell the individual a deadline was extended, why, and until when."""
    extended = [clock for clock in case.clocks if clock.extended_at is not None]
    clock = max(extended, key=lambda c: c.extended_at)
    facts = {
        "clock": clock.name,
        "due_at": clock.due_at.isoformat(),
        "original_due_at": clock.original_due_at.isoformat(),
        "reason": clock.extension_reason,
    }
    _email(notifier, case, record, "extension", facts, key=case.version)


def outcome(notifier: Notifier, case: Case, record: IntakeRecord) -> None:
    """Tell the individual how the case ended."""
    facts = {"outcome": case.outcome, "redirected_to": case.redirected_to}
    _email(notifier, case, record, "outcome", facts, key=case.version)


def _email(notifier, case, record, template: str, facts: dict, *, key) -> None:
    # No address in the row: the transport reads it from the subject when it sends, so
    # erasing the subject's data also stops what is still waiting.
    notifier.notify(
        topic=f"email_{template}",
        recipient=f"subject:{case.reference}",
        payload={
            "template": template,
            "language": record.language,
            "reference": case.reference,
            "kind": case.kind,
            **facts,
        },
        dedupe_key=_dedupe_key(template, case, key),
        case_id=case.id,
        channel=CHANNEL,
    )


def _dedupe_key(template: str, case: Case, key) -> str:
    return f"email:{template}:{case.reference}:{key}".rstrip(":")


def record_sent(db_session: Session, message: OutboxMessage, now) -> None:
    """Add a sent message to the case's audit trail (topic and language only, no PII)."""
    case = db_session.get(Case, message.case_id) if message.case_id else None
    if case is None:
        return
    audit.record(
        db_session,
        case,
        actor=INTAKE,
        source="intake",
        action="email_sent" if message.channel == CHANNEL else f"{message.channel}_sent",
        before=audit.snapshot(case),
        at=now,
        reason=" ".join(filter(None, (message.topic, message.payload.get("language")))),
    )


def acknowledge_when_sent(db_session: Session, message: OutboxMessage, now) -> None:
    """The acknowledgement is out: acknowledge the case, which meets its clock."""
    _act_after_sending(db_session, message, "acknowledge", {})


def hold_when_sent(db_session: Session, message: OutboxMessage, now) -> None:
    """The question is out: put the case on hold if the law lets its clocks pause."""
    case = db_session.get(Case, message.case_id)
    pausable = any(clock.rule.get("pausable") for clock in case.running_clocks)
    if case.status == "open" and pausable:
        reason = "waiting for the individual's answer to our question (email sent)"
        _act_after_sending(db_session, message, "hold", {"reason": reason})


def _act_after_sending(db_session: Session, message: OutboxMessage, action: str, params) -> None:
    # Keep "sent" even if the action is refused below: perform() rolls back on refusal, and
    # the email must never go out twice.
    db_session.commit()
    case = db_session.get(Case, message.case_id)
    try:
        case_service.perform(
            db_session,
            reference=case.reference,
            action=action,
            version=case.version,
            params=params,
            actor=INTAKE,
            source="intake",
        )
    except CaseError as exc:
        log.info("email %s sent; %s of case %s skipped: %s", message.id, action, case.id, exc)


def erase_agent_authorization(db_session: Session, case: Case) -> None:
    """Erase how an agent said they were authorised, with the rest of the case's personal data."""
    record = db_session.scalar(select(IntakeRecord).where(IntakeRecord.case_id == case.id))
    if record is not None:
        record.agent_authorization = None
