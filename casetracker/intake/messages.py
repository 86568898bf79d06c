"""Emails to individuals: which changes they are told about, and what sending one does."""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker.cases import service as case_service
from casetracker.cases.changes import Change
from casetracker.cases.errors import CaseError
from casetracker.cases.handlers import AWAITING_INDIVIDUAL
from casetracker.cases.models import Case
from casetracker.intake.models import IntakeRecord
from casetracker.outbox.models import OutboxMessage
from casetracker.outbox.notifier import Notifier
from casetracker.people.actors import Actor

log = logging.getLogger(__name__)

CHANNEL = "email"
INTAKE = Actor.system("intake")
IDENTITY_TEMPLATES = ("identity_link", "identity_reminder")
# The reason the identity job closes a request with: its outcome email then says why.
UNCONFIRMED = "the individual did not confirm their identity by the emailed links (identity policy)"


def on_create(change: Change) -> None:
    """Confirm receipt to an individual who filed through the form."""
    # A new case has an intake record only if it came with it, in the same transaction.
    record = next((row for row in change.attached if isinstance(row, IntakeRecord)), None)
    if record is not None:
        acknowledgement(change.notifier, change.case, record)


def on_extend(change: Change) -> None:
    """Tell the individual a deadline was extended."""
    record = _record(change)
    if record is not None:
        extension(change.notifier, change.case, record)


def on_close(change: Change) -> None:
    """Tell the individual how the case ended."""
    record = _record(change)
    if record is not None:
        reason = change.params.get("reason")
        unconfirmed = reason == UNCONFIRMED
        outcome(change.notifier, change.case, record, unconfirmed=unconfirmed, reason=reason)


def on_question(change: Change) -> None:
    """Email the question staff asked; only a case filed through the form has an address."""
    record = _record(change)
    if record is None:
        reference = change.case.reference
        raise ValidationError({"question": [f"{reference} was not filed through the form"]})
    clarification(change.notifier, change.case, record, question=change.params["question"])


def _record(change: Change) -> IntakeRecord | None:
    found = select(IntakeRecord).where(IntakeRecord.case_id == change.case.id)
    return change.db_session.scalar(found)


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


def outcome(
    notifier: Notifier,
    case: Case,
    record: IntakeRecord,
    *,
    unconfirmed: bool = False,
    reason: str | None = None,
) -> None:
    """Tell the individual how the case ended: a denial with its reason and their right to
    complain (GDPR Art. 12(4)); unverified: why, and how to ask again."""
    facts = {"outcome": case.outcome, "redirected_to": case.redirected_to}
    if case.outcome == "denied":
        facts["reason"] = reason
    if case.outcome == "unverified":
        base = current_app.config["CASETRACKER_BASE_URL"]
        facts.update(unconfirmed=unconfirmed, form_url=f"{base}/complaints/new")
    _email(notifier, case, record, "outcome", facts, key=case.version)


def identity_request(notifier: Notifier, case: Case, record: IntakeRecord, link, *, closes_at):
    """Send the individual, and never their agent, the link that confirms it is them."""
    subject = case.subject
    due = {"link_expires": link.expires_at.isoformat()}
    if closes_at is not None:
        due["closes"] = closes_at.isoformat()
    facts = {
        "link": link.id,
        "due": due,
        "agent": bool(subject.agent_name or subject.agent_email),
        "cc_agent": False,
    }
    template = IDENTITY_TEMPLATES[0] if link.kind == "first" else IDENTITY_TEMPLATES[1]
    _email(notifier, case, record, template, facts, key=link.id)


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
    if message.case_id is None:
        return
    _act_after_sending(
        db_session,
        message,
        f"{message.channel}_sent",
        {"topic": message.topic, "language": message.payload.get("language")},
        at=now,
    )


def acknowledge_when_sent(db_session: Session, message: OutboxMessage, now) -> None:
    """The acknowledgement is out: acknowledge the case, which meets its clock."""
    _act_after_sending(db_session, message, "acknowledge", {}, at=now)


def hold_when_sent(db_session: Session, message: OutboxMessage, now) -> None:
    """The question is out: put the case on hold if the law lets its clocks pause."""
    case = db_session.get(Case, message.case_id)
    pausable = any(clock.rule.get("pausable") for clock in case.running_clocks)
    if case.status == "open" and pausable:
        reason = {"reason": AWAITING_INDIVIDUAL}
        _act_after_sending(db_session, message, "hold", reason, at=now)


def _act_after_sending(db_session: Session, message, action: str, params, *, at) -> None:
    # Keep "sent" even if the action is refused below: perform() rolls back on refusal, and
    # the email must never go out twice.
    db_session.commit()
    reference = db_session.scalar(select(Case.reference).where(Case.id == message.case_id))
    try:
        case_service.perform_now(
            db_session,
            reference=reference,
            action=action,
            params=params,
            actor=INTAKE,
            source="intake",
            at=at,
        )
    except CaseError as exc:
        log.info("message %s sent; %s of %s skipped: %s", message.id, action, reference, exc)


def erase_agent_authorization(change: Change) -> None:
    """Erase how an agent said they were authorised, with the rest of the case's personal data."""
    record = _record(change)
    if record is not None:
        record.agent_authorization = None
