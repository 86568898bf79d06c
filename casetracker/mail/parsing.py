"""Read one raw email, whatever state it is in, into the facts the product keeps.

Real mail is hostile: unknown charsets, HTML only, nested messages, broken MIME, NUL
bytes. Nothing here raises on a bad message; what cannot be decoded is kept as text with
replacement characters, and HTML is reduced to text (nothing from a message ever runs).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from typing import BinaryIO

import nh3
from mailparser_reply import EmailReplyParser

REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da"]
AUTO_PRECEDENCE = frozenset({"bulk", "auto_reply", "junk", "list"})
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
MAX_FILENAME = 200
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


@dataclass
class Part:
    """An attachment as found in the message: its name, type and bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Parsed:
    identity: str
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    from_address: str | None
    from_name: str | None
    to: str | None
    subject: str
    body: str
    reply: str
    language: str | None
    auto_submitted: bool
    bounce_of: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)


def parse(raw: BinaryIO, *, digest: str) -> Parsed:
    """Parse the message in ``raw``; ``digest`` (its SHA-256) names one without Message-ID."""
    message = BytesParser(policy=policy.default).parse(raw)
    message_id = _first_id(_header(message, "Message-ID"))
    identity = f"mid:{_sha(message_id)}" if message_id else f"raw:{digest}"
    name, address = parseaddr(_header(message, "From"))
    body = _body(message)
    bounce_of = _bounced_ids(message)
    return Parsed(
        identity=identity,
        message_id=message_id,
        in_reply_to=_first_id(_header(message, "In-Reply-To")),
        references=MESSAGE_ID.findall(_header(message, "References")),
        from_address=(address or "").lower()[:254] or None,
        from_name=_clean(name)[:200] or None,
        to=", ".join(a for _, a in getaddresses([_header(message, "To")]) if a)[:2000] or None,
        subject=_clean(_header(message, "Subject")),
        body=body,
        reply=_reply(body),
        language=(_header(message, "Content-Language").split(",")[0].strip()[:16] or None),
        auto_submitted=_auto_submitted(message) or bool(bounce_of) or _is_report(message),
        bounce_of=bounce_of,
        parts=list(_attachments(message)),
    )


def safe_filename(name: str | None, *, fallback: str = "attachment") -> str:
    """Return a name to show and to offer in downloads: no path, no control characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    cleaned = UNSAFE_NAME.sub("_", base).strip(" ._")
    return (cleaned or fallback)[:MAX_FILENAME]


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header that cannot even be decoded is as good as absent
        return ""
    return "" if value is None else str(value)


def _first_id(value: str) -> str | None:
    found = MESSAGE_ID.search(value or "")
    return found.group(0)[:998] if found else None


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def _clean(text: str) -> str:
    """Text safe to store and show: no NUL or other control characters, one line."""
    return " ".join(re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text or "").split())


def _text(part: Message) -> str:
    try:
        content = part.get_content()
    except Exception:
        payload = part.get_payload(decode=True) or b""
        content = payload.decode(part.get_content_charset() or "latin-1", "replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return str(content).replace("\x00", "").replace("\r\n", "\n")


def _as_text(markup: str) -> str:
    """Reduce HTML to its text: tags, scripts and styles go, entities become characters."""
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup)
    # Layout comes from the tags, not from the source's line breaks (Outlook wraps anywhere).
    markup = re.sub(r"\s+", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(tr|li)\s*>", "\n", markup)
    markup = re.sub(r"(?i)</(p|div|h[1-6])\s*>", "\n\n", markup)
    text = html.unescape(nh3.clean(markup, tags=set()))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _body(message: Message) -> str:
    if not isinstance(message, EmailMessage):
        return ""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
    if part is None:
        return ""
    text = _text(part)
    return _as_text(text) if part.get_content_subtype() == "html" else text.strip()


def _reply(body: str) -> str:
    """The new part of a reply, without the quoted history."""
    if not body:
        return ""
    try:
        reply = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text=body) or body
    except Exception:
        reply = body
    lines = reply.strip().splitlines()
    # Quoted lines at the end with no "On … wrote:" above them are history too.
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip() or body.strip()


def _auto_submitted(message: Message) -> bool:
    auto = _header(message, "Auto-Submitted").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    flagged = any(_header(message, name) for name in ("X-Autoreply", "X-Autorespond"))
    return (auto not in ("", "no")) or precedence in AUTO_PRECEDENCE or flagged


def _is_report(message: Message) -> bool:
    return message.get_content_type() == "multipart/report"


def _bounced_ids(message: Message) -> list[str]:
    """Return the Message-IDs a delivery status report says could not be delivered."""
    if not _is_report(message) or message.get_param("report-type") != "delivery-status":
        return []
    found = []
    for part in message.walk():
        if part.get_content_type() in ("text/rfc822-headers", "message/rfc822"):
            raw = part.as_bytes() if part.is_multipart() else _text(part).encode()
            found += MESSAGE_ID.findall(_original_message_id(raw))
    return found


def _original_message_id(raw: bytes) -> str:
    match = re.search(rb"(?im)^message-id:\s*(<[^>\r\n]+>)", raw)
    return match.group(1).decode("ascii", "replace") if match else ""


def _attachments(message: Message):
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        return
    try:
        parts = list(message.iter_attachments())
    except Exception:
        return
    for number, part in enumerate(parts, start=1):
        content_type = part.get_content_type()[:127]
        if content_type.startswith("message/") and content_type != "message/rfc822":
            blocks = part.get_payload() if part.is_multipart() else []
            data = b"".join(block.as_bytes() for block in blocks)
            yield Part(safe_filename(part.get_filename(), fallback=f"report-{number}.txt"),
                       content_type, data)  # fmt: skip
            continue
        if content_type == "message/rfc822":
            data = part.as_bytes() if not part.is_multipart() else _inner_bytes(part)
            name = safe_filename(part.get_filename(), fallback=f"forwarded-{number}.eml")
            yield Part(name, content_type, data)
            continue
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            data = b""
        yield Part(safe_filename(part.get_filename(), fallback=f"attachment-{number}"),
                   content_type, data)  # fmt: skip


def _inner_bytes(part: Message) -> bytes:
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        inner = inner[0]
    try:
        return inner.as_bytes(policy=policy.SMTP) if isinstance(inner, Message) else b""
    except Exception:
        return b""
