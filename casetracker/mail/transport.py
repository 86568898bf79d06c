"""Email to individuals over SMTP: the outbox transport of the "email" channel."""

from __future__ import annotations

import hashlib
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker import timesource
from casetracker.cases.models import Subject
from casetracker.extensions import db
from casetracker.intake import identity, languages
from casetracker.intake.models import IntakeRecord
from casetracker.intake.service import status_token
from casetracker.mail import outgoing
from casetracker.mail.models import MailMessage
from casetracker.outbox.delivery import PartlyDelivered, Undeliverable
from casetracker.outbox.models import OutboxMessage

TIMEOUT_SECONDS = 15
# 5xx answers to these are about the message or the address; retrying will not help.
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class EmailTransport:
    """Sends outbox emails through the SMTP server named by the SMTP_* settings."""

    channel = "email"

    def send(self, message: OutboxMessage) -> PartlyDelivered | None:
        email = compose(message)
        config = current_app.config
        try:
            with smtplib.SMTP(
                config["SMTP_HOST"], config["SMTP_PORT"], timeout=TIMEOUT_SECONDS
            ) as smtp:
                if config["SMTP_STARTTLS"]:
                    smtp.starttls()
                if config["SMTP_USERNAME"]:
                    smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
                refused = smtp.send_message(email)
        except PERMANENT as exc:
            code = _reply_code(exc)
            if code >= 500:
                raise Undeliverable(f"the mail server refused the message ({code})") from exc
            # The exception's text names the recipients: keep addresses out of logs and errors.
            raise RuntimeError(f"the mail server deferred the message ({code})") from exc
        return _partly(email, refused)


def _partly(email: EmailMessage, refused: dict) -> PartlyDelivered | None:
    """Say, by role and reply code, which recipients refused an email the others took.

    Not retried, even for a 4xx: the others would get it twice. It is said instead, and a
    refused individual's address is a bounce, for the case's owner to write again.
    """
    if not refused:
        return None
    codes = {address.lower(): code for address, (code, _) in refused.items()}
    individual = codes.get(str(email["To"]).lower())
    agent = codes.get(str(email["Cc"] or "").lower())
    if individual is not None:
        return PartlyDelivered(
            f"the mail server refused the individual's address ({individual}); only the "
            "agent's copy went out",
            bounced=True,
        )
    if agent is not None:
        return PartlyDelivered(f"the mail server refused the agent's copy ({agent})")
    return PartlyDelivered(f"the mail server refused a recipient ({min(codes.values())})")


def _reply_code(exc: smtplib.SMTPException) -> int:
    """The server's reply code; for refused recipients the mildest, as a 4xx among them
    (greylisting, a full mailbox) may pass on a later attempt."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return min((code for code, _ in exc.recipients.values()), default=550)
    return getattr(exc, "smtp_code", 550)


def compose(message: OutboxMessage) -> EmailMessage:
    """Build the email for an outbox row, in the individual's language."""
    payload = message.payload
    if message.recipient == "erased" or payload.get("erased"):
        raise Undeliverable("erased by the retention purge; never sent again")
    subject = db.session.scalar(select(Subject).where(Subject.case_id == message.case_id))
    if subject is None or subject.erased_at is not None or not subject.email:
        raise Undeliverable("the individual's address is no longer held")
    record = db.session.scalar(select(IntakeRecord).where(IntakeRecord.case_id == message.case_id))
    context = {
        "p": payload,
        "name": subject.name,
        "dates": {key: _parse(value) for key, value in _dates(payload).items()},
        "status_url": _status_url(record),
        "verify_url": identity.link_url(payload),
    }
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = subject.email
    # An identity link goes to the individual alone: never to the agent acting for them.
    if subject.agent_email and payload.get("cc_agent", True):
        email["Cc"] = subject.agent_email
    email["Date"] = format_datetime(timesource.now())
    email["Message-ID"] = outgoing.message_id_for(message)
    if payload.get("mail_message_id"):
        outgoing.compose_reply(message, email)
        return email
    language = payload.get("language") or "en"
    with force_locale(languages.babel_locale(language)):
        title = _subject_line(payload)
        text = render_template(f"intake/email/{payload['template']}.txt", title=title, **context)
        html = render_template(f"intake/email/{payload['template']}.html", title=title, **context)
    email["Subject"] = title
    email["Content-Language"] = language
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    return email


def _subject_line(payload: dict) -> str:
    reference = payload["reference"]
    titles = {
        "acknowledgement": _("We have received your message (%(reference)s)", reference=reference),
        "clarification": _("We need more information (%(reference)s)", reference=reference),
        "extension": _("We need more time to answer (%(reference)s)", reference=reference),
        "outcome": _("Your case %(reference)s is closed", reference=reference),
        "identity_link": _("Please confirm it is you (%(reference)s)", reference=reference),
        "identity_reminder": _(
            "Reminder: please confirm it is you (%(reference)s)", reference=reference
        ),
    }
    return titles[payload["template"]]


def _dates(payload: dict) -> dict:
    dates = dict(payload.get("due") or {})
    for key in ("due_at", "original_due_at"):
        if payload.get(key):
            dates[key] = payload[key]
    return dates


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _status_url(record: IntakeRecord | None) -> str | None:
    if record is None:
        return None
    base = current_app.config["CASETRACKER_BASE_URL"]
    return f"{base}/complaints/status/{status_token(record)}"


def record_sent(db_session: Session, message: OutboxMessage, now: datetime) -> None:
    """Keep every email sent to the individual as a message of its case."""
    if message.case_id is None:
        return
    status = "bounced" if message.bounced_at else "sent"
    queued = outgoing.queued_row(message)
    if queued is not None:
        queued.status, queued.received_at, queued.reason = status, now, message.last_error
        return
    email = compose(message)
    message_id = outgoing.message_id_for(message)
    db_session.add(
        MailMessage(
            identity=f"out:{hashlib.sha256(message_id.encode()).hexdigest()}",
            direction="out",
            status=status,
            reason=message.last_error,
            case_id=message.case_id,
            outbox_message_id=message.id,
            message_id=message_id,
            subject=str(email["Subject"]),
            body=_plain_text(email),
            received_at=now,
            created_at=now,
        )
    )


def _plain_text(email: EmailMessage) -> str:
    part = email.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""
