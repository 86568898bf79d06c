"""Dashboard pages of the mailbox: the inbox, a case's conversation and files."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import func, select

from casetracker import policy, storage
from casetracker.accesslog import service as accesslog
from casetracker.cases import access
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseError, CaseNotFound
from casetracker.cases.models import Case
from casetracker.extensions import db
from casetracker.mail import files, forms, listing, triage
from casetracker.mail.models import INBOX_STATUSES, MailMessage
from casetracker.people import roles

bp = Blueprint("inbox", __name__)
PAGE_SIZE = 50
CHOICES = {
    "kind": policy.KINDS,
    "jurisdiction": policy.JURISDICTIONS,
    "data_context": policy.DATA_CONTEXTS,
    "right": policy.RIGHTS,
}
UPLOAD_OVERHEAD = 64 * 1024  # the multipart envelope and the CSRF token around the file
TITLES = {"open": "Open a case", "link": "Add to a case", "ignore": "Ignore"}
HANDLED = "Someone already handled this email: it is {status} now. Nothing was changed."


@bp.record_once
def _wire(state) -> None:
    # Ahead of the CSRF check, which reads the form: a case file may be larger than a form.
    state.app.before_request_funcs.setdefault(None, []).insert(0, allow_uploads)


def allow_uploads() -> None:
    """Let an upload to a case be as large as ATTACHMENT_MAX_BYTES, before the form is read."""
    if request.endpoint in ("inbox.upload", "case_pages.task_file"):
        request.max_content_length = current_app.config["ATTACHMENT_MAX_BYTES"] + UPLOAD_OVERHEAD


@bp.before_request
@login_required
def _signed_in():
    """The mailbox pages are for signed-in staff."""


@bp.get("/inbox")
def index():
    """List the inbox items of one status, newest first, fifty to a page."""
    status = request.args.get("status", "new")
    if status not in INBOX_STATUSES:
        return redirect(url_for("inbox.index"))
    try:
        page = listing.inbox(
            db.session, status=status, limit=PAGE_SIZE, cursor=request.args.get("cursor")
        )
    except ValidationError:
        return redirect(url_for("inbox.index", status=status))
    counts = db.session.execute(
        select(MailMessage.status, func.count())
        .where(MailMessage.direction == "in")
        .group_by(MailMessage.status)
    )
    sees_all = roles.sees_all_subjects(current_user)
    html = render_template(
        "mail/inbox.html",
        status=status,
        statuses=INBOX_STATUSES,
        counts=dict(counts.all()),
        page=page,
        sees_all=sees_all,
    )
    if sees_all:
        shown = [row.message for row in page.items if not row.message.erased_at]
        seen = [(m.case_id, f"inbox list, email #{m.id}") for m in shown]
        accesslog.record(
            db.session, viewer=access.web_actor(current_user), channel="inbox", seen=seen
        )
    return html


@bp.get("/inbox/<int(max=9223372036854775807):message_id>")
def item(message_id: int):
    """Show one email in full, with the forms to open a case, add it to one, or set it aside."""
    return _item_page(message_id)


@bp.post("/inbox/<int(max=9223372036854775807):message_id>/open")
def open_case(message_id: int):
    """Open a case from the email; its deadlines start when the mailbox received it."""
    try:
        case = triage.open_case(
            db.session,
            message_id=message_id,
            data=forms.case_data(request.form),
            actor=access.web_actor(current_user),
            source="web",
        )
    except (ValidationError, CaseError) as exc:
        return _again(message_id, "open", exc)
    flash(f"Case {case.reference} opened from the email.", "success")
    return redirect(url_for("case_pages.show", reference=case.reference))


@bp.post("/inbox/<int(max=9223372036854775807):message_id>/link")
def link(message_id: int):
    """Add the email to an existing case, found by its reference."""
    reference = request.form.get("reference", "").strip().upper()
    try:
        if not reference:
            raise ValidationError({"reference": ["enter the case's reference"]})
        case = triage.link(
            db.session,
            message_id=message_id,
            reference=reference,
            actor=access.web_actor(current_user),
            source="web",
        )
    except CaseNotFound:
        error = ValidationError({"reference": [f"there is no case with the reference {reference}"]})
        return _again(message_id, "link", error)
    except (ValidationError, CaseError) as exc:
        return _again(message_id, "link", exc)
    flash(f"The email was added to {case.reference}.", "success")
    return redirect(url_for("case_pages.show", reference=case.reference))


@bp.post("/inbox/<int(max=9223372036854775807):message_id>/ignore")
def ignore(message_id: int):
    """Set the email aside with a reason; it opens no case."""
    try:
        triage.ignore(
            db.session,
            message_id=message_id,
            reason=request.form.get("reason", ""),
            actor=access.web_actor(current_user),
        )
    except (ValidationError, CaseError) as exc:
        return _again(message_id, "ignore", exc)
    flash(f"Email #{message_id} was set aside.", "success")
    return redirect(url_for("inbox.index"))


@bp.post("/cases/<reference>/messages")
def reply(reference: str):
    """Email the individual from the case, with files of the case attached."""
    case = _case_for_subject(reference)
    try:
        case_service.perform(
            db.session,
            reference=case.reference,
            action="reply",
            version=case_service.CURRENT,
            params={
                "body": request.form.get("body", "").strip(),
                "attachment_ids": forms.attachment_ids(request.form),
            },
            actor=access.web_actor(current_user, case),
            source="web",
        )
    except ValidationError as exc:
        db.session.rollback()
        context = {"case": case, "files": files.of_case(db.session, case_id=case.id)}
        errors = forms.flat(exc.normalized_messages())
        page = render_template("mail/reply.html", **context, errors=errors, values=request.form)
        viewer = access.web_actor(current_user, case)
        accesslog.record(db.session, viewer=viewer, channel="web", seen=[(case.id, "reply form")])
        return page, 422
    except CaseError as exc:
        abort(exc.status, description=exc.message)
    flash("Your email to the individual is queued for the next delivery run.", "success")
    return redirect(url_for("case_pages.show", reference=case.reference, _anchor="messages"))


@bp.post("/cases/<reference>/files")
def upload(reference: str):
    """Keep an uploaded file with the case."""
    case = _case_for_subject(reference)
    chosen = request.files.get("file")
    try:
        attachment = files.add(
            db.session,
            reference=case.reference,
            upload=chosen.stream if chosen else io.BytesIO(),
            filename=chosen.filename if chosen else None,
            content_type=chosen.mimetype if chosen else None,
            actor=access.web_actor(current_user, case),
            source="web",
        )
    except ValidationError as exc:
        messages = " ".join(forms.flat(exc.normalized_messages()).get("file", ["refused"]))
        flash(f"The file was not added: {messages}.", "error")
    except storage.StorageFull as exc:
        flash(f"The file was not added: {exc}.", "error")
    except CaseError as exc:
        abort(exc.status, description=exc.message)
    else:
        flash(f"{attachment.filename} was added to the case.", "success")
    return redirect(url_for("case_pages.show", reference=case.reference, _anchor="files"))


@bp.get("/files/<int(max=9223372036854775807):attachment_id>")
def download(attachment_id: int):
    """Send a kept file as a download, to the DPO or the owner of its case."""
    try:
        attachment, path = listing.readable_file(
            db.session, attachment_id=attachment_id, actor=access.web_actor(current_user)
        )
    except CaseError as exc:
        abort(exc.status, description="This file is not kept: it was refused or has been erased.")
    mimetype, name = attachment.content_type, attachment.filename
    seen = [(attachment.case_id, f"file #{attachment.id}")]
    # Recorded before the file is opened: a refusal leaves no open file behind.
    accesslog.record(
        db.session, viewer=access.web_actor(current_user), channel="attachment", seen=seen
    )
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _case_for_subject(reference: str) -> Case:
    try:
        case = case_service.get_case(db.session, reference=reference)
    except CaseNotFound:
        abort(404, description=f"There is no case with the reference {reference}.")
    if not access.sees_subject(current_user, case):
        abort(403, description=f"Only the DPO and the owner of {reference} may do this.")
    return case


def _again(message_id: int, form: str, exc: ValidationError | CaseError):
    db.session.rollback()
    if isinstance(exc, ValidationError):
        errors = forms.flat(exc.normalized_messages())
        return _item_page(message_id, failed=form, errors=errors, status=422)
    return _item_page(message_id, failed=form, refused=exc, status=exc.status)


def _item_page(message_id: int, *, failed=None, errors=None, refused=None, status=200):
    try:
        item = listing.item(db.session, message_id=message_id)
    except CaseNotFound:
        abort(404, description=f"There is no email #{message_id} in the inbox.")
    sees_all = roles.sees_all_subjects(current_user)
    notice = None
    if isinstance(refused, triage.NotInInbox):
        notice = HANDLED.format(status=item.message.status)
    elif refused is not None:
        notice = refused.message[:1].upper() + refused.message[1:] + "."
    context = {
        "message": item.message,
        "attachments": item.attachments,
        "reference": item.case,
        "sees_all": sees_all,
        "choices": CHOICES,
        "values": request.form if failed else {},
        "defaults": forms.open_defaults(item.message) if sees_all else {},
        "failed": failed,
        "titles": TITLES,
        "errors": errors or {},
        "notice": notice,
    }
    page = render_template("mail/item.html", **context)
    message = item.message
    if sees_all and not message.erased_at:
        seen = [(message.case_id, f"email #{message.id}")]
        accesslog.record(
            db.session, viewer=access.web_actor(current_user), channel="inbox", seen=seen
        )
    return page, status
