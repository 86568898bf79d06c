"""Release a response package, give it to the individual's link, revoke it, erase it.

Each is one transaction with its audit event (``release_response``, ``response_downloaded``,
``revoke_response``), written through the workflow like every change to a case.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import secrets
import zipfile
from collections.abc import Mapping
from datetime import timedelta

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetracker import storage, timesource
from casetracker.cases import service as case_service
from casetracker.cases.changes import Change
from casetracker.cases.errors import ActionNotAllowed, StaleVersion
from casetracker.cases.models import Case
from casetracker.people.actors import Actor
from casetracker.responses import export
from casetracker.responses.models import ResponsePackage
from casetracker.responses.schemas import ReleaseSchema

INDIVIDUAL = Actor(kind="individual", label="the individual", role="system")
TRIES = 3


def token_of(package: ResponsePackage) -> str:
    """Return the package's link token (derived from the secret key and its salt)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"response:{package.salt}".encode(), hashlib.sha256).hexdigest()


def release(
    db_session: Session, *, reference: str, data: Mapping, actor: Actor, source: str
) -> ResponsePackage:
    """Build the archive (the chosen files and the export) and open a link to it."""
    fields = ReleaseSchema().load(data)
    case = case_service.get_case(db_session, reference=reference)
    if case.kind != "request" or case.subject is None or case.subject.erased_at:
        raise ActionNotAllowed(f"{reference} has no individual's data to send")
    now = timesource.now()
    files = _chosen(db_session, case, fields["attachment_ids"])
    archive, contents = _archive(db_session, case, files, now=now)
    kept = storage.keep(archive)
    package = ResponsePackage(
        case_id=case.id,
        salt=secrets.token_hex(16),
        sha256=kept.sha256,
        size=len(archive),
        contents=contents,
        created_at=now,
        created_by=actor.label,
        expires_at=now + timedelta(days=fields["days"]),
        max_downloads=fields["max_downloads"],
        downloads=0,
    )
    package.token_hash = _hash(token_of(package))
    try:
        db_session.add(package)
        db_session.flush()
        params = {
            "package": package.id,
            "count": len(contents),
            "of": package.max_downloads,
            "until": package.expires_at.isoformat(),
        }
        case_service.perform(
            db_session, reference=reference, action="release_response",
            version=case_service.CURRENT, params=params, actor=actor, source=source,
        )  # fmt: skip
    except Exception:
        db_session.rollback()
        if kept.fresh:
            storage.discard(kept.sha256)
        raise
    return package


def find(db_session: Session, *, token: str) -> ResponsePackage | None:
    """Return the package this link opens while it still gives the archive, else None."""
    package = db_session.scalar(
        select(ResponsePackage).where(ResponsePackage.token_hash == _hash(token))
    )
    return package if package is not None and package.usable(now=timesource.now()) else None


def download(db_session: Session, *, token: str) -> ResponsePackage | None:
    """Count one download and record it in the audit trail; None when the link gives nothing."""
    for attempt in range(1, TRIES + 1):
        query = select(ResponsePackage).where(ResponsePackage.token_hash == _hash(token))
        package = db_session.scalar(query.with_for_update())
        if package is None or not package.usable(now=timesource.now()):
            db_session.rollback()
            return None
        package.downloads += 1
        reference = db_session.get(Case, package.case_id).reference
        params = {"package": package.id, "count": package.downloads, "of": package.max_downloads}
        try:
            case_service.perform(
                db_session, reference=reference, action="response_downloaded",
                version=case_service.CURRENT, params=params, actor=INDIVIDUAL,
                source="individual",
            )  # fmt: skip
        except StaleVersion:
            if attempt == TRIES:
                raise
            continue  # a colleague changed the case meanwhile: count again from the start
        return package
    return None


def revoke(
    db_session: Session, *, reference: str, package_id: int, actor: Actor, source: str
) -> ResponsePackage:
    """Stop a link at once (sent to a wrong address, or a file missing)."""
    case = case_service.get_case(db_session, reference=reference)
    package = db_session.get(ResponsePackage, package_id)
    if package is None or package.case_id != case.id:
        raise ValidationError({"package": [f"{reference} has no response package {package_id}"]})
    if package.revoked_at is not None:
        raise ActionNotAllowed(f"response package {package_id} is already revoked")
    package.revoked_at = timesource.now()
    try:
        case_service.perform(
            db_session, reference=reference, action="revoke_response",
            version=case_service.CURRENT, params={"package": package.id}, actor=actor,
            source=source,
        )  # fmt: skip
    except Exception:
        db_session.rollback()
        raise
    return package


def of_case(db_session: Session, *, case_id: int) -> list[ResponsePackage]:
    """Return the case's packages, newest first."""
    query = select(ResponsePackage).where(ResponsePackage.case_id == case_id)
    return list(db_session.scalars(query.order_by(ResponsePackage.id.desc())))


def erase(change: Change) -> None:
    """The retention purge: the archives go with the rest of the individual's data."""
    for package in of_case(change.db_session, case_id=change.case.id):
        if package.sha256:
            storage.remove_after_commit(change.db_session, package.sha256)
        package.sha256, package.contents, package.erased_at = None, [], change.at


def _chosen(db_session: Session, case: Case, ids: list[int]) -> list:
    kept = {f.id: f for f in export.own_files(db_session, case_id=case.id)}
    unknown = [i for i in ids if i not in kept]
    if unknown:
        names = ", ".join(str(i) for i in unknown)
        raise ValidationError({"attachment_ids": [f"not a file of {case.reference}: {names}"]})
    return [kept[i] for i in dict.fromkeys(ids)]


def _archive(db_session: Session, case: Case, files, *, now) -> tuple[bytes, list[dict]]:
    data = export.build(db_session, case, now=now)
    entries = {
        "your-data.json": json.dumps(data, indent=2, ensure_ascii=False).encode(),
        "your-data.csv": export.as_csv(data).encode("utf-8-sig"),
    }
    for file in files:
        name = f"files/{file.filename}"
        while name in entries:
            name = f"files/{file.id}-{file.filename}"
        entries[name] = storage.path_for(file.sha256).read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    contents = [{"name": name, "size": len(content)} for name, content in entries.items()]
    return buffer.getvalue(), contents


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
