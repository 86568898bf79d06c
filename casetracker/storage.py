"""Attachments on disk, named by their SHA-256: the same file is kept once, never by its name.

A file is written to a temporary name and renamed into place, so a crash or a full disk
leaves no half-written attachment under a real name. Files are removed only after the
transaction that erased their last reference commits.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

UNLINK = "casetracker.storage.unlink"
CHUNK = 1024 * 1024


class StorageFull(OSError):
    """The attachments directory cannot take the file (disk full, quota, permissions)."""


def root() -> Path:
    """Return the attachments directory (ATTACHMENTS_DIR, default instance/attachments)."""
    configured = current_app.config.get("ATTACHMENTS_DIR")
    return Path(configured or Path(current_app.instance_path) / "attachments")


def path_for(sha256: str) -> Path:
    """Return where the file with this digest is kept."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 digest")
    return root() / sha256[:2] / sha256[2:4] / sha256


class Kept(NamedTuple):
    sha256: str
    fresh: bool  # written now: nothing had the same content before


def keep(data: bytes) -> Kept:
    """Keep ``data``; say its SHA-256 and whether this call wrote the file.

    A caller whose transaction then fails removes a fresh file with ``discard``: one kept
    before belongs to others.
    """
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest)
    if target.exists():
        return Kept(digest, fresh=False)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                for start in range(0, len(data), CHUNK):
                    file.write(data[start : start + CHUNK])
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageFull(
            f"the attachments directory cannot take the file: {exc.strerror}"
        ) from exc
    return Kept(digest, fresh=True)


def discard(sha256: str) -> None:
    """Remove a file written for a change that did not happen; a failure here is not news."""
    with contextlib.suppress(OSError):
        path_for(sha256).unlink(missing_ok=True)


def remove_after_commit(db_session: Session, sha256: str) -> None:
    """Delete the file once the transaction that erased it commits."""
    db_session.info.setdefault(UNLINK, set()).add(path_for(sha256))


@event.listens_for(Session, "after_commit")
def _unlink(db_session: Session) -> None:
    for path in db_session.info.pop(UNLINK, ()):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _keep(db_session: Session) -> None:
    db_session.info.pop(UNLINK, None)
