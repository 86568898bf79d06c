"""Helpers the mailbox page tests share: receive mail, upload a file, reload a row."""

from __future__ import annotations

import hashlib
import io
import mimetypes
from datetime import timedelta

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from casetracker.extensions import db
from casetracker.mail import service as mail_service


def receive(raw: bytes, clock, *, hours_ago: int = 0, max_attachment: int | None = None):
    """Import a message the way fetch-mail does, received some hours before now."""
    imported = mail_service.import_message(
        db.session,
        io.BytesIO(raw),
        digest=hashlib.sha256(raw).hexdigest(),
        received_at=clock() - timedelta(hours=hours_ago),
        now=clock(),
        max_attachment=max_attachment or current_app.config["ATTACHMENT_MAX_BYTES"],
    )
    return imported.message


def upload(web, reference: str, data: bytes, filename: str):
    """Post a file to the case as a browser would (built in memory: no temporary file left)."""
    kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    file = FileStorage(io.BytesIO(data), filename, content_type=kind)
    fields = {"csrf_token": web.csrf_token(), "file": file}
    boundary, body = encode_multipart(fields)
    content_type = f"multipart/form-data; boundary={boundary}"
    return web.raw_post(f"/cases/{reference}/files", data=body, content_type=content_type)


def reload(row):
    """Read the row afresh from the database."""
    db.session.expire_all()
    return db.session.get(type(row), row.id)
