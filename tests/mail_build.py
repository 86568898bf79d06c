"""Building blocks for the sample mail in tests/mail_*.py: shared defaults and RFC 5322 helpers.

Every sample is CRLF bytes as delivered. new_message and smtp_bytes go through the stdlib email
package; raw_head and crlf_lines write headers and lines out as given, for what the stdlib would
repair or re-encode. tiny_pdf and tiny_jpeg are the smallest valid files to attach.
"""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

PRIVACY = "privacy@example.test"
DATE = datetime(2026, 10, 28, 8, 15, tzinfo=timezone(timedelta(hours=1)))
JUERGEN = "Jürgen Müller <juergen.mueller@example.de>"


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


def angle(message_id: str) -> str:
    return message_id if message_id.startswith("<") else f"<{message_id}>"


def new_message(
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
        message["Message-ID"] = angle(message_id)
    if in_reply_to is not None:
        message["In-Reply-To"] = angle(in_reply_to)
    if references is not None:
        message["References"] = references
    return message


def smtp_bytes(message: EmailMessage) -> bytes:
    if message.is_multipart():
        # The stdlib picks a random boundary; the same sample should be the same bytes.
        # "=_" never occurs in base64 or quoted-printable text.
        message.set_boundary("=_casetracker_sample")
    return message.as_bytes(policy=policy.SMTP)


def encoded_word(value: str, charset: str = "utf-8") -> str:
    if value.isascii():
        return value
    # Q encoding, as Thunderbird writes it: the stdlib would choose base64 for UTF-8.
    encoding = Charset(charset)
    encoding.header_encoding = QP
    return Header(value, encoding).encode(linesep="\r\n")


def raw_head(
    sender: str, to: str, subject: str, message_id: str, date: datetime, *, fold: bool = True
) -> bytes:
    return crlf_lines(
        f"From: {formataddr(parseaddr(sender), charset='utf-8')}",
        f"To: {to}",
        f"Subject: {encoded_word(subject) if fold else subject}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {angle(message_id)}",
    )


def crlf_lines(*lines: str | bytes) -> bytes:
    return b"".join(
        (line if isinstance(line, bytes) else line.encode()) + b"\r\n" for line in lines
    )
