"""What casetracker holds on the individual, as JSON and CSV: a structured, commonly used,
machine-readable copy (GDPR Art. 15(3), 20(1)).

Only the individual's own data: their cases (matched by their email address), the emails
they wrote or were sent, and the files of those cases. Emails from anyone else, and the
details of an agent acting for them, are left out.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casetracker.cases.models import Case, Event, Subject
from casetracker.mail.models import Attachment, MailMessage

CASE_FIELDS = (
    "reference", "kind", "right", "jurisdiction", "data_context", "summary", "channel",
    "received_at", "stage", "status", "outcome", "closed_at",
)  # fmt: skip


def build(db_session: Session, case: Case, *, now: datetime) -> dict:
    """Return the export for the individual of ``case``."""
    subject = case.subject
    return {
        "generated_at": now.isoformat(),
        "individual": {
            "name": subject.name,
            "email": subject.email,
            "country": subject.country,
            "identity_verified_at": _iso(subject.identity_verified_at),
        },
        "cases": [_case(db_session, found) for found in _cases_of(db_session, case)],
    }


def as_csv(export: dict) -> str:
    """Flatten the export to rows of (section, reference, field, value)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("section", "reference", "field", "value"))
    for name, value in export["individual"].items():
        writer.writerow(("individual", "", name, value or ""))
    for case in export["cases"]:
        reference = case["reference"]
        for name in CASE_FIELDS:
            writer.writerow(("case", reference, name, case[name] or ""))
        for number, message in enumerate(case["emails"], start=1):
            for name, value in message.items():
                writer.writerow((f"email {number}", reference, name, value or ""))
        for number, file in enumerate(case["files"], start=1):
            for name, value in file.items():
                writer.writerow((f"file {number}", reference, name, value))
        for number, step in enumerate(case["history"], start=1):
            writer.writerow((f"history {number}", reference, step["action"], step["at"]))
    return out.getvalue()


def _cases_of(db_session: Session, case: Case) -> list[Case]:
    email = case.subject.email
    if not email:
        return [case]
    same = (
        select(Case)
        .join(Subject, Subject.case_id == Case.id)
        .where(func.lower(Subject.email) == email.lower(), Subject.erased_at.is_(None))
        .order_by(Case.received_at, Case.id)
    )
    return list(db_session.scalars(same))


def _case(db_session: Session, case: Case) -> dict:
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    found = {k: _iso(v) if isinstance(v, datetime) else v for k, v in values.items()}
    emails = db_session.scalars(
        select(MailMessage)
        .where(MailMessage.case_id == case.id, MailMessage.foreign_sender.is_(False))
        .where(MailMessage.erased_at.is_(None))
        .order_by(MailMessage.received_at, MailMessage.id)
    )
    files = own_files(db_session, case_id=case.id)
    history = db_session.execute(
        select(Event.at, Event.action).where(Event.case_id == case.id).order_by(Event.id)
    )
    return {
        **found,
        "emails": [
            {
                "direction": "from you" if m.direction == "in" else "to you",
                "at": _iso(m.received_at),
                "subject": m.subject,
                "text": m.body,
            }
            for m in emails
        ],
        "files": [{"name": f.filename, "size": f.size, "sha256": f.sha256} for f in files],
        "history": [{"at": _iso(at), "action": action} for at, action in history],
    }


def own_files(db_session: Session, *, case_id: int) -> list[Attachment]:
    """Return the case's kept files, leaving out those that came with someone else's email."""
    return list(
        db_session.scalars(
            select(Attachment)
            .outerjoin(MailMessage, MailMessage.id == Attachment.mail_message_id)
            .where(Attachment.case_id == case_id, Attachment.erased_at.is_(None))
            .where(Attachment.sha256.is_not(None))
            .where((MailMessage.id.is_(None)) | (MailMessage.foreign_sender.is_(False)))
            .order_by(Attachment.id)
        )
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
