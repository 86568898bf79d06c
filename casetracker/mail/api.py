"""REST endpoints for the inbox, a case's messages and its files."""

from __future__ import annotations

from flask import current_app, g, jsonify, make_response, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from casetracker import storage, timesource
from casetracker.accesslog import service as accesslog
from casetracker.cases import service as case_service
from casetracker.cases.http import json_object, or_abort
from casetracker.cases.presenters import case_view
from casetracker.cases.representations import CaseSchema
from casetracker.database import kept_loaded
from casetracker.extensions import db
from casetracker.mail import files, listing, triage
from casetracker.mail.models import Attachment
from casetracker.mail.schemas import (
    BINARY,
    REPLY_BODY,
    UPLOAD_BODY,
    CaseMessageSchema,
    CaseMessagesSchema,
    IgnoreMessageSchema,
    InboxItemDetailSchema,
    InboxPageSchema,
    InboxQuerySchema,
    LinkMessageSchema,
    OpenFromMailSchema,
    UploadedFileSchema,
)
from casetracker.people.auth import token_required

bp = Blueprint("mail", __name__, url_prefix="/api/v1", description="Inbox, messages and files")
SOURCE = "api"
NOT_NEW = "the item is not new: it was opened, linked or ignored"
UPLOAD_OVERHEAD = 64 * 1024  # the multipart envelope around the file


@bp.route("/inbox")
class Inbox(MethodView):
    decorators = (token_required,)

    @bp.arguments(InboxQuerySchema, location="query")
    @bp.response(200, InboxPageSchema)
    def get(self, query):
        """List received emails, newest first."""
        page = or_abort(lambda: listing.inbox(db.session, **query))
        items = [_item_view(item) for item in page.items]
        _record_items(page.items, listed=True)
        return {"items": items, "next_cursor": page.next_cursor}


@bp.route("/inbox/<int(max=9223372036854775807):message_id>")
class InboxItem(MethodView):
    decorators = (token_required,)

    @bp.response(200, InboxItemDetailSchema)
    def get(self, message_id):
        """Return one received email with its text and files."""
        item = or_abort(lambda: listing.item(db.session, message_id=message_id))
        view = _item_view(item)
        _record_items([item])
        return view


@bp.route("/inbox/<int(max=9223372036854775807):message_id>/open")
class InboxOpen(MethodView):
    decorators = (token_required,)

    @bp.arguments(OpenFromMailSchema)
    @bp.response(201, CaseSchema)
    @bp.alt_response(409, description=NOT_NEW)
    def post(self, data, message_id):
        """Open a case from the email; its clocks start when the mailbox received it."""
        with kept_loaded(db.session):
            case = or_abort(
                lambda: triage.open_case(
                    db.session, message_id=message_id, data=data, actor=g.actor, source=SOURCE
                )
            )
            return _case_answer(case)


@bp.route("/inbox/<int(max=9223372036854775807):message_id>/link")
class InboxLink(MethodView):
    decorators = (token_required,)

    @bp.arguments(LinkMessageSchema)
    @bp.response(200, CaseSchema)
    @bp.alt_response(409, description=NOT_NEW)
    def post(self, data, message_id):
        """Add the email and its files to an existing case."""
        with kept_loaded(db.session):
            case = or_abort(
                lambda: triage.link(
                    db.session, message_id=message_id, reference=data["reference"],
                    actor=g.actor, source=SOURCE,
                )
            )  # fmt: skip
            return _case_answer(case)


@bp.route("/inbox/<int(max=9223372036854775807):message_id>/ignore")
class InboxIgnore(MethodView):
    decorators = (token_required,)

    @bp.arguments(IgnoreMessageSchema)
    @bp.response(200, InboxItemDetailSchema)
    @bp.alt_response(409, description=NOT_NEW)
    def post(self, data, message_id):
        """Set the email aside with a reason; it opens no case."""
        or_abort(
            lambda: triage.ignore(
                db.session, message_id=message_id, reason=data["reason"], actor=g.actor
            )
        )
        item = listing.item(db.session, message_id=message_id)
        view = _item_view(item)
        _record_items([item])
        return view


@bp.route("/cases/<reference>/messages")
class CaseMessages(MethodView):
    decorators = (token_required,)

    @bp.response(200, CaseMessagesSchema)
    def get(self, reference):
        """Return the case's emails, received and sent, in time order."""
        case, entries = or_abort(lambda: listing.conversation(db.session, reference=reference))
        email = case.subject.email if case.subject else None
        items = [_message_view(entry, subject_email=email) for entry in entries]
        if any(not entry.message.erased_at for entry in entries):
            accesslog.record_answer(db.session, actor=g.actor, seen=[(case.id, None)])
        return {"items": items}

    @bp.doc(requestBody=REPLY_BODY)
    @bp.response(201, CaseMessageSchema)
    @bp.alt_response(403, description="without the pii scope, or neither the DPO nor the owner")
    def post(self, reference):
        """Write to the individual: queued in the outbox, threaded, the reference in its subject."""
        _require_pii()
        with kept_loaded(db.session):
            case = or_abort(
                lambda: case_service.perform(
                    db.session, reference=reference, action="reply",
                    version=case_service.CURRENT, params=json_object(), actor=g.actor,
                    source=SOURCE,
                )
            )  # fmt: skip
            entry = listing.newest_sent(db.session, case_id=case.id)
            view = _message_view(entry, subject_email=case.subject.email)
            accesslog.record_answer(db.session, actor=g.actor, seen=[(case.id, None)])
            return view


@bp.route("/cases/<reference>/attachments")
class CaseAttachments(MethodView):
    decorators = (token_required,)

    @bp.doc(requestBody=UPLOAD_BODY)
    @bp.response(201, UploadedFileSchema)
    @bp.alt_response(507, description="the attachments disk is full: nothing was kept")
    def post(self, reference):
        """Keep a file with the case (the DPO or its owner; with `task`, also the task's owner)."""
        limit = current_app.config["ATTACHMENT_MAX_BYTES"]
        request.max_content_length = limit + UPLOAD_OVERHEAD
        try:
            upload = request.files.get("file", FileStorage())
        except RequestEntityTooLarge:
            abort(422, errors={"file": [f"larger than the {limit:,}-byte limit"]})
        task = request.form.get("task") or None
        if task is not None and not (task.isdigit() and int(task) > 0):
            abort(422, errors={"task": ["a task id: a whole number above 0"]})
        try:
            return or_abort(
                lambda: files.add(
                    db.session, reference=reference, upload=upload.stream,
                    filename=upload.filename, content_type=upload.mimetype, actor=g.actor,
                    source=SOURCE, task_id=int(task) if task else None,
                )
            )  # fmt: skip
        except storage.StorageFull as exc:
            # No HTTPException exists for 507: answer in the shape abort() gives.
            message = f"The file was not added: {exc}."
            body = {"code": 507, "status": "Insufficient Storage", "message": message}
            return make_response(jsonify(body), 507)


@bp.route("/attachments/<int(max=9223372036854775807):attachment_id>")
class AttachmentFile(MethodView):
    decorators = (token_required,)

    @bp.response(200, BINARY, content_type="application/octet-stream")
    @bp.alt_response(403, description="without the pii scope, or neither the DPO nor the owner")
    def get(self, attachment_id):
        """Download a kept file (pii scope; the DPO or the case owner)."""
        _require_pii()
        attachment, path = or_abort(
            lambda: listing.readable_file(db.session, attachment_id=attachment_id, actor=g.actor)
        )
        mimetype, name = attachment.content_type, attachment.filename
        # Recorded before the file is opened: a refusal leaves no open file behind.
        accesslog.record_answer(db.session, actor=g.actor, seen=[(attachment.case_id, None)])
        response = send_file(
            path,
            mimetype=mimetype,
            as_attachment=True,
            download_name=name,
            conditional=False,
            etag=False,
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response


def _case_answer(case) -> dict:
    view = case_view(case, actor=g.actor, now=timesource.now())
    accesslog.record_answer(db.session, actor=g.actor, seen=[(case.id, None)])
    return view


def _record_items(items: list[listing.Item], *, listed: bool = False) -> None:
    """Record the emails whose sender, subject and text the answer shows (not erased ones)."""
    shown = [item.message for item in items if not item.message.erased_at]
    seen = [(m.case_id, f"email #{m.id}" if listed else None) for m in shown]
    accesslog.record_answer(db.session, actor=g.actor, seen=seen)


def _item_view(item: listing.Item) -> dict:
    message, detailed = item.message, isinstance(item.attachments, list)
    view = {
        "id": message.id,
        "received_at": message.received_at,
        "status": message.status,
        "reason": message.reason,
        "case": item.case,
        "attachments": [_file_view(a) for a in item.attachments] if detailed else item.attachments,
    }
    if g.actor.sees_pii:
        view.update(
            {"from": message.from_address, "subject": message.subject, "preview": message.preview}
        )
        if detailed:
            view["body"] = message.body
    return view


def _message_view(entry: listing.Entry, *, subject_email: str | None) -> dict:
    message = entry.message
    view = {
        "id": message.id,
        "direction": message.direction,
        "at": message.received_at,
        "status": message.status,
        "attachments": [_file_view(a) for a in entry.attachments],
    }
    if g.actor.sees_pii:
        sent = message.direction == "out"
        view["from"] = current_app.config["MAIL_FROM"] if sent else message.from_address
        view["to"] = subject_email if sent else message.to_addresses
        view["subject"], view["body"] = message.subject, message.body
    return view


def _file_view(attachment: Attachment) -> dict:
    view = {
        "id": attachment.id,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "refused": attachment.refused,
    }
    if g.actor.sees_pii:
        view["filename"] = attachment.filename
    return view


def _require_pii() -> None:
    if not g.actor.sees_pii:
        abort(403, message="this needs an API token with the pii scope")
