"""The individual's download page: the response behind their private link.

An unknown, tampered, revoked, expired or used-up link gets one and the same page, so a
link reveals nothing about other links. The page itself does not count: only the download
(a POST, so that mail scanners following links use nothing up) does, and each is recorded
in the case's audit trail.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_file
from sqlalchemy import select

from casetracker import security, storage, timesource
from casetracker.cases.models import Case
from casetracker.extensions import db, limiter
from casetracker.responses import service
from casetracker.responses.models import ResponsePackage

PREFIX = "/complaints/response"
bp = Blueprint("responses_public", __name__, url_prefix=PREFIX)
TOKEN = "<string(length=64):token>"  # noqa: S105 - a route converter, not a secret


bp.after_request(security.private_page)


@bp.get(f"/{TOKEN}")
def page(token: str):
    """Show what the response holds, until when and how many downloads are left."""
    package = service.find(db.session, token=token)
    return _page(package, token)


@bp.post(f"/{TOKEN}")
@limiter.limit("30 per hour", methods=["POST"])
def download(token: str):
    """Hand over the archive, counting the download; or the same page as a dead link."""
    package = service.download(db.session, token=token)
    if package is None:
        return _page(None, token)
    reference = db.session.get(Case, package.case_id).reference
    response = send_file(
        storage.path_for(package.sha256),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{reference}-your-data.zip",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<path:anything>")
def malformed(anything: str):
    """A link cut short or mistyped: the same page as any other dead link."""
    return _page(None, anything)


def released_response(reference: str) -> dict | None:
    """The case's usable response link, for its status page and its emails; or None."""
    now = timesource.now()
    packages = db.session.scalars(
        select(ResponsePackage)
        .join(Case, Case.id == ResponsePackage.case_id)
        .where(Case.reference == reference)
        .order_by(ResponsePackage.id.desc())
    )
    package = next((p for p in packages if p.usable(now=now)), None)
    if package is None:
        return None
    # Also read by emails written outside any request: the path is built, not routed.
    base = current_app.config["CASETRACKER_BASE_URL"]
    path = f"{PREFIX}/{service.token_of(package)}"
    return {"url": f"{base}{path}", "path": path, "expires_at": package.expires_at}


def _page(package: ResponsePackage | None, token: str):
    status = 200 if package is not None else 404
    left = package.max_downloads - package.downloads if package else 0
    return render_template(
        "responses/download.html", package=package, token=token, left=left
    ), status
