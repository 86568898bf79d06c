"""Demo mail: inbox items to triage and conversations on cases, through the real import path.

The messages are built here as the mailbox would deliver them and imported exactly as
fetch-mail imports them, so threading, auto-reply detection and attachments are genuine.
"""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker.cases import service as case_service
from casetracker.cases.models import Case, Subject
from casetracker.mail import service as mail_service
from casetracker.mail.models import MailMessage
from casetracker.people.actors import Actor
from casetracker.people.models import Staff

PRIVACY = "privacy@demo.casetracker.test"
INBOX = (
    (
        "Lena Hoffmann <lena.hoffmann@example.de>",
        "Widerspruch gegen Werbe-E-Mails",
        "Guten Tag,\n\nich widerspreche der Nutzung meiner Daten für Werbung (Art. 21 DSGVO)"
        " und bitte um Bestätigung.\n\nLena Hoffmann",
        timedelta(hours=20),
    ),
    (
        "Oliver Bennett <oliver.bennett@example.co.uk>",
        "Subject access request",
        "Hello,\n\nplease send me a copy of all personal data you hold about me, including"
        " any data from your website analytics.\n\nKind regards,\nOliver Bennett",
        timedelta(hours=6),
    ),
    (
        "Camille Laurent <camille.laurent@example.fr>",
        "Suppression de mon compte",
        "Bonjour,\n\nje souhaite que vous supprimiez toutes mes données.\n\nCamille Laurent",
        timedelta(hours=2),
    ),
)
ANSWER = (
    "Thank you. The account I mean is the one registered with this address; I have attached"
    " a copy of my ID as you asked."
)


def load(db_session: Session, *, now: datetime) -> int:
    """Import the demo's inbox items and conversations; return how many messages."""
    count = 0
    for sender, subject, body, ago in INBOX:
        count += _import(db_session, _email(sender, subject, body, now - ago), now - ago, now)
    auto = _email(
        "Out of office <noreply@example.com>", "Automatic reply: Your request", "I am away.",
        now - timedelta(hours=1), headers={"Auto-Submitted": "auto-replied"},
    )  # fmt: skip
    count += _import(db_session, auto, now - timedelta(hours=1), now)
    for case in _conversation_cases(db_session):
        count += _conversation(db_session, case, now=now)
    return count


def _conversation_cases(db_session: Session) -> list[Case]:
    query = (
        select(Case)
        .join(Subject, Subject.case_id == Case.id)
        .where(Case.status == "open", Case.owner_id.is_not(None), Case.kind == "request")
        .order_by(Case.id)
        .limit(2)
    )
    return list(db_session.scalars(query))


def _conversation(db_session: Session, case: Case, *, now: datetime) -> int:
    """The owner writes to the individual from the case; the individual answers by email."""
    owner = db_session.get(Staff, case.owner_id)
    asked = now - timedelta(days=2)
    case_service.perform(
        db_session, reference=case.reference, action="reply", version=case_service.CURRENT,
        params={"body": "Could you tell us which account your request is about?"},
        actor=Actor.for_staff(owner), source="web", at=asked,
    )  # fmt: skip
    ours = db_session.scalars(
        select(MailMessage)
        .where(MailMessage.case_id == case.id, MailMessage.direction == "out")
        .order_by(MailMessage.id.desc())
    ).first()
    name, address = case.subject.name, case.subject.email
    answered = now - timedelta(days=1)
    answer = _email(
        f"{name} <{address}>", f"Re: {ours.subject}", f"{ANSWER}\n\n> {ours.body}", answered,
        headers={"In-Reply-To": ours.message_id, "References": ours.message_id},
        attachment=b"%PDF-1.4\n% demo identity document\n",
    )  # fmt: skip
    return 1 + _import(db_session, answer, answered, now)


def _email(sender, subject, body, at, *, headers=None, attachment=None) -> bytes:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, PRIVACY, subject
    email["Date"] = format_datetime(at)
    email["Message-ID"] = make_msgid(domain="example.net")
    for name, value in (headers or {}).items():
        email[name] = value
    email.set_content(body)
    if attachment:
        email.add_attachment(attachment, maintype="application", subtype="pdf", filename="id.pdf")
    return email.as_bytes()


def _import(db_session: Session, raw: bytes, received_at: datetime, now: datetime) -> int:
    imported = mail_service.import_message(
        db_session, io.BytesIO(raw), digest=hashlib.sha256(raw).hexdigest(),
        received_at=received_at, now=now,
        max_attachment=current_app.config["ATTACHMENT_MAX_BYTES"],
    )  # fmt: skip
    return int(imported is not None)
