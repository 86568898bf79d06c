"""Mail no person wrote: out-of-office auto-replies and a Postfix delivery-status bounce."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

from tests.mail_build import (
    DATE,
    JUERGEN,
    PRIVACY,
    angle,
    crlf_lines,
    encoded_word,
    new_message,
    smtp_bytes,
)

AUTO_REPLY_HEADERS = {
    "auto-submitted": ("Auto-Submitted", "auto-replied"),
    "x-autoreply": ("X-Autoreply", "yes"),
    "precedence-bulk": ("Precedence", "bulk"),
    "precedence-auto_reply": ("Precedence", "auto_reply"),
}


def auto_reply(
    in_reply_to: str,
    *,
    kind: str = "auto-submitted",
    sender: str = JUERGEN,
    to: str = PRIVACY,
    subject: str = "Automatische Antwort: Ihr Auskunftsersuchen",
    message_id: str | None = None,
    date: datetime = DATE + timedelta(days=5),
) -> bytes:
    """Build an out-of-office reply, marked the way KIND names (see AUTO_REPLY_HEADERS)."""
    if kind not in AUTO_REPLY_HEADERS:
        raise ValueError(f"kind must be one of {', '.join(AUTO_REPLY_HEADERS)}, not {kind!r}")
    message = new_message(
        sender,
        to,
        subject,
        message_id or f"<abwesend-{kind}@example.de>",
        date,
        in_reply_to=in_reply_to,
        references=angle(in_reply_to),
    )
    name, value = AUTO_REPLY_HEADERS[kind]
    message[name] = value
    message.set_content(
        "Vielen Dank für Ihre Nachricht. Ich bin bis zum 16. November nicht im Büro\n"
        "und lese meine E-Mails nicht. Ihre Nachricht wird nicht weitergeleitet.\n"
    )
    return smtp_bytes(message)


def dsn_bounce(
    original_message_id: str,
    original_to: str = "juergen.mueller@example.de",
    *,
    original_from: str = PRIVACY,
    original_subject: str = "Ihr Auskunftsersuchen",
    to: str = PRIVACY,
    message_id: str = "<20261102090512.4F2A1C0123@mail.example.test>",
    date: datetime = DATE + timedelta(days=5),
) -> bytes:
    """Bounce a message to ORIGINAL_TO as Postfix does (multipart/report, delivery-status)."""
    boundary = "4F2A1C0123.1793610312/mail.example.test"
    stamp = format_datetime(date)
    return crlf_lines(
        "From: MAILER-DAEMON@mail.example.test (Mail Delivery System)",
        "Subject: Undelivered Mail Returned to Sender",
        f"To: {to}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=delivery-status;",
        f'\tboundary="{boundary}"',
        "Content-Transfer-Encoding: 8bit",
        f"Message-Id: {angle(message_id)}",
        f"Date: {stamp}",
        "",
        "This is a MIME-encapsulated message.",
        "",
        f"--{boundary}",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "This is the mail system at host mail.example.test.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients. It's attached below.",
        "",
        "For further assistance, please send mail to postmaster.",
        "",
        "                   The mail system",
        "",
        f"<{original_to}>: host mx.example.de[192.0.2.25] said: 550 5.1.1",
        f"    <{original_to}>: Recipient address rejected: User unknown (in reply to RCPT",
        "    TO command)",
        "",
        f"--{boundary}",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mail.example.test",
        "X-Postfix-Queue-ID: 4F2A1C0123",
        f"X-Postfix-Sender: rfc822; {original_from}",
        f"Arrival-Date: {stamp}",
        "",
        f"Final-Recipient: rfc822; {original_to}",
        f"Original-Recipient: rfc822;{original_to}",
        "Action: failed",
        "Status: 5.1.1",
        "Remote-MTA: dns; mx.example.de",
        f"Diagnostic-Code: smtp; 550 5.1.1 <{original_to}>: Recipient address rejected:",
        "    User unknown",
        "",
        f"--{boundary}",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        f"Return-Path: <{original_from}>",
        f"From: {original_from}",
        f"To: {original_to}",
        f"Subject: {encoded_word(original_subject)}",
        f"Message-ID: {angle(original_message_id)}",
        f"Date: {stamp}",
        "",
        f"--{boundary}--",
    )
