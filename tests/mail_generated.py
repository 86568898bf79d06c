"""Mail made to order: any plain message, N distinct ones for load, one huge attachment.

bulk and large_attachment give the same bytes for the same arguments (seeded pseudo-random
data); plain makes a fresh Message-ID unless given one.
"""

from __future__ import annotations

import base64
import io
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from tests.mail_build import (
    DATE,
    PRIVACY,
    angle,
    crlf_lines,
    new_message,
    raw_head,
    smtp_bytes,
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
        references = angle(in_reply_to)
    message = new_message(
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
    return smtp_bytes(message)


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
    out.write(raw_head(sender, to, subject, message_id, date))
    out.write(
        crlf_lines(
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
    out.write(crlf_lines(f"--{boundary}--"))
    return out.getvalue()
