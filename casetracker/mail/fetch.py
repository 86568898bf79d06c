"""The fetch-mail job: read new messages from the IMAP folder and import each exactly once.

The folder's UIDVALIDITY and the last UID imported are kept (``mail_cursors``) only to avoid
reading old mail again; exactly-once rests on each message's identity being unique in the
database. A message is downloaded in slices into a spooled temporary file, so a large one
goes to disk, not to memory. The mailbox itself is never changed.
"""

from __future__ import annotations

import hashlib
import imaplib
import logging
import ssl
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from imapclient import IMAPClient
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casetracker import storage
from casetracker.mail import notices, service
from casetracker.mail.models import MailCursor

log = logging.getLogger(__name__)

SLICE = 1024 * 1024
IN_MEMORY = 1024 * 1024
BATCH = 200
TIMEOUT_SECONDS = 30


# The mailbox connection broke (server gone, network cut, no answer): no further message can
# be read in this run.
CONNECTION_LOST = (imaplib.IMAP4.abort, ConnectionError, TimeoutError)


class MailboxLost(Exception):
    """The connection to the mailbox broke; the run stops and the next one resumes."""


@dataclass
class FetchReport:
    configured: bool = True
    imported: int = 0
    inbox: int = 0
    linked: int = 0
    ignored: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.configured:
            return "not configured (set IMAP_HOST to read the privacy@ mailbox)"
        text = (
            f"{self.imported} messages imported: {self.inbox} to the inbox, {self.linked} added"
            f" to cases, {self.ignored} set aside; {self.duplicates} already there"
        )
        return text + (
            f"; {len(self.errors)} failed: {', '.join(self.errors)}" if self.errors else ""
        )


def fetch_mail(db_session: Session, *, now: datetime) -> FetchReport:
    """Import the folder's new messages; tell the cases channel when new mail waits."""
    config = current_app.config
    if not config.get("IMAP_HOST"):
        return FetchReport(configured=False)
    report = FetchReport()
    folder = config["IMAP_FOLDER"]
    with _connect(config) as imap:
        status = imap.select_folder(folder, readonly=True)
        uidvalidity = int(status[b"UIDVALIDITY"])
        after = _resume_after(db_session, folder, uidvalidity)
        uids = sorted(uid for uid in imap.search(["UID", f"{after + 1}:*"]) if uid > after)
        # The cursor moves once per batch, and never past a message that failed: a crash
        # reads at most one batch again, and the identity constraint drops the repeats.
        done, failed = after, False
        try:
            for start in range(0, len(uids), BATCH):
                for uid in uids[start : start + BATCH]:
                    imported = _import_one(db_session, imap, uid, now=now, report=report)
                    failed = failed or not imported
                    done = done if failed else uid
                _advance(db_session, folder, done)
        except MailboxLost:
            _advance(db_session, folder, done)  # the next run goes on from here
    if report.inbox:
        notices.new_mail_waits(db_session, now=now)
    return report


def _connect(config) -> IMAPClient:
    security = config["IMAP_SECURITY"]
    context = ssl.create_default_context()
    imap = IMAPClient(
        config["IMAP_HOST"],
        port=config["IMAP_PORT"],
        ssl=security == "ssl",
        ssl_context=context if security == "ssl" else None,
        timeout=TIMEOUT_SECONDS,
    )
    imap.normalise_times = False  # keep INTERNALDATE's offset: it is when the mail arrived
    if security == "starttls":
        imap.starttls(context)
    imap.login(config["IMAP_USERNAME"] or "", config["IMAP_PASSWORD"] or "")
    return imap


def _resume_after(db_session: Session, folder: str, uidvalidity: int) -> int:
    """Return the last UID imported from this folder; start over when UIDVALIDITY changed."""
    cursor = db_session.get(MailCursor, folder)
    if cursor is None:
        db_session.add(MailCursor(folder=folder, uidvalidity=uidvalidity, last_uid=0))
    elif cursor.uidvalidity != uidvalidity:
        log.warning("fetch-mail: %s has a new UIDVALIDITY; reading it again from the start", folder)
        cursor.uidvalidity, cursor.last_uid = uidvalidity, 0
    try:
        db_session.commit()
    except IntegrityError:
        db_session.rollback()  # a second fetcher created the cursor at the same moment
    cursor = db_session.get(MailCursor, folder)
    return cursor.last_uid if cursor.uidvalidity == uidvalidity else 0


def _import_one(db_session, imap: IMAPClient, uid: int, *, now, report) -> bool:
    """Import one message; False when it could not be (it is read again next time)."""
    try:
        with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY) as raw:
            digest, received_at = _download(imap, uid, raw)
            raw.seek(0)
            result = service.import_message(
                db_session, raw, digest=digest, received_at=received_at, now=now,
                max_attachment=current_app.config["ATTACHMENT_MAX_BYTES"],
            )  # fmt: skip
    except storage.StorageFull as exc:
        db_session.rollback()
        log.error("fetch-mail: message UID %s not imported: %s", uid, exc)
        report.errors.append(f"UID {uid}: {exc}")
        return False
    except CONNECTION_LOST as exc:
        db_session.rollback()
        log.error("fetch-mail: the connection to the mailbox broke at UID %s: %s", uid, exc)
        report.errors.append(f"UID {uid}: the connection to the mailbox broke")
        raise MailboxLost from exc
    except Exception:  # one unreadable message must not hold back the rest
        db_session.rollback()
        log.exception("fetch-mail: message UID %s could not be imported", uid)
        report.errors.append(f"UID {uid}")
        return False
    if result is None:
        report.duplicates += 1
        return True
    report.imported += 1
    outcome = {"new": "inbox", "linked": "linked", "ignored": "ignored"}[result.outcome]
    setattr(report, outcome, getattr(report, outcome) + 1)
    return True


def _download(imap: IMAPClient, uid: int, raw) -> tuple[str, datetime]:
    """Copy one message into ``raw`` slice by slice; return its SHA-256 and arrival time."""
    facts = imap.fetch([uid], ["RFC822.SIZE", "INTERNALDATE"])[uid]
    size = int(facts[b"RFC822.SIZE"])
    received_at = _utc(facts[b"INTERNALDATE"])
    digest = hashlib.sha256()
    for offset in range(0, max(size, 1), SLICE):
        item = f"BODY.PEEK[]<{offset}.{SLICE}>"
        data = imap.fetch([uid], [item])[uid]
        chunk = next((v for k, v in data.items() if k.startswith(b"BODY[]")), b"") or b""
        raw.write(chunk)
        digest.update(chunk)
    return digest.hexdigest(), received_at


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _advance(db_session: Session, folder: str, uid: int) -> None:
    db_session.execute(
        update(MailCursor)
        .where(MailCursor.folder == folder, MailCursor.last_uid < uid)
        .values(last_uid=uid)
        .execution_options(synchronize_session=False)
    )
    db_session.commit()
