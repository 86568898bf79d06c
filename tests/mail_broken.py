"""Broken and hostile mail, written out byte by byte because the stdlib would repair it.

malformed_mime breaks MIME structure; hostile aims at storage and display (overlong subject,
NUL in the body, path-traversal and markup file names).
"""

from __future__ import annotations

import base64
from datetime import datetime

from tests.mail_build import (
    DATE,
    PRIVACY,
    crlf_lines,
    raw_head,
    tiny_pdf,
)


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
            raw_head(sender, to, subject, message_id, date),
            crlf_lines(
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
            raw_head(sender, to, subject, message_id, date, fold=False),
            crlf_lines(
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
