"""The case page with its action forms, and the printable case file."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from casetracker import policy as policies
from casetracker import timesource
from casetracker.accesslog import service as accesslog
from casetracker.accesslog import views as access_log_views
from casetracker.cases import access, chain, service, workflow
from casetracker.cases import actions as case_actions
from casetracker.cases.actions import OFFERED
from casetracker.cases.errors import CaseError, CaseNotFound, StaleVersion
from casetracker.cases.models import Case
from casetracker.cases.presenters import clock_view
from casetracker.cases.tasks import STATUS_WORDS
from casetracker.dashboard import actions, case_tasks, queries, response_panel
from casetracker.extensions import db
from casetracker.intake import service as intake
from casetracker.mail import files as mail_files
from casetracker.mail import listing as mail_listing
from casetracker.storage import StorageFull

bp = Blueprint("case_pages", __name__, url_prefix="/cases")
STALE = "Someone else changed this case while you were looking at it. Reload it and try again."
QUESTION = "question"  # the form that emails the individual, beside the workflow's actions


@bp.before_request
@login_required
def _signed_in():
    """Every case page needs a signed-in staff member."""


@bp.get("/<reference>")
def show(reference: str):
    """Show a case: route, clocks, subject, timeline and the actions allowed now."""
    return render_case_page(_case(reference))


@bp.post("/<reference>/actions")
def act(reference: str):
    """Apply one action from a form, or show the form again with what went wrong."""
    case = _case(reference)
    action = request.form.get("action", "")
    if action not in OFFERED:
        abort(400, description="The form named no action; reload the case and try again.")
    params = actions.params_from_form(action, request.form, tz=timesource.team_tz())
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400, description="The form was incomplete; reload the case and try again.")
    problems = actions.form_problems(action, request.form, params)
    if problems:
        return _again(reference, action, problems, None, 422)
    try:
        service.perform(
            db.session,
            reference=reference,
            action=action,
            version=version,
            params=params,
            actor=access.web_actor(current_user, case),
            source="web",
        )
    except ValidationError as exc:
        return _again(reference, action, exc.normalized_messages(), None, 422)
    except StaleVersion:
        return _again(reference, action, {}, STALE, 409)
    except CaseError as exc:
        return _again(reference, action, {}, exc.message, exc.status)
    flash(f"Done: {actions.title(action).lower()}.", "success")
    return redirect(url_for("case_pages.show", reference=reference))


@bp.post("/<reference>/question")
def ask(reference: str):
    """Email the individual a question (cases filed through the public form)."""
    case = _case(reference)
    try:
        queued = intake.request_clarification(
            db.session,
            reference=reference,
            question=request.form.get("question", ""),
            actor=access.web_actor(current_user, case),
            source="web",
        )
    except ValidationError as exc:
        return _again(reference, QUESTION, exc.normalized_messages(), None, 422)
    if queued:
        flash(
            "Your question will be emailed to the individual. The case goes on hold when it"
            " is sent.",
            "success",
        )
    else:
        flash("That question is already waiting to be emailed.", "info")
    return redirect(url_for("case_pages.show", reference=reference))


@bp.post("/<reference>/tasks/<int(min=1, max=9223372036854775807):task_id>")
def change_task(reference: str, task_id: int):
    """Mark a task done, no data found, blocked (saying why) or open again."""
    case = _case(reference)
    params = case_tasks.params_from_form(task_id, request.form)
    try:
        service.perform(
            db.session,
            reference=reference,
            action="update_task",
            version=service.CURRENT,
            params=params,
            actor=access.web_actor(current_user, case),
            source="web",
        )
    except ValidationError as exc:
        return _task_again(reference, task_id, exc.normalized_messages(), 422)
    except StaleVersion:
        return _task_again(reference, task_id, {}, 409, message=STALE)
    except CaseError as exc:
        message = f"{exc.message[:1].upper()}{exc.message[1:]}. Nothing has changed."
        return _task_again(reference, task_id, {}, exc.status, message=message)
    task = next(task for task in case.tasks if task.id == task_id)
    flash(f"The {task.system.name} task is now {STATUS_WORDS[task.status]}.", "success")
    return redirect(url_for("case_pages.show", reference=reference))


@bp.get("/<reference>/file")
def case_file(reference: str):
    """Render the whole case file (clocks with their rules, full timeline) for printing."""
    case = _case(reference)
    context = page_context(case, forms=False)
    chain_links = chain.links(context["events"], reference=case.reference)
    page = render_template(
        "cases/case_file.html", chain_links=chain_links, algorithm=chain.ALGORITHM, **context
    )
    _record_view(case, context, channel="case_file", what="case file")
    return page


def _may_ask(case: Case, allowed: list[str]) -> bool:
    # Asking puts the case on hold once sent: offered to those who may hold or resume it.
    may_hold = "hold" in allowed or "resume" in allowed
    return may_hold and intake.filed_through_form(db.session, case_id=case.id)


def _case(reference: str) -> Case:
    try:
        return service.get_case(db.session, reference=reference)
    except CaseNotFound:
        abort(404, description=f"There is no case with the reference {reference}.")


def _again(reference: str, action: str, errors: dict, message: str | None, status: int):
    db.session.expire_all()
    case = _case(reference)
    extra = {"failed": action, "errors": errors, "values": request.form, "message": message}
    return render_case_page(case, status, **extra)


@bp.post("/<reference>/tasks/<int(min=1, max=9223372036854775807):task_id>/files")
def task_file(reference: str, task_id: int):
    """Keep a file a task's owner gathered (an export, a proof of deletion) with the case."""
    case = _case(reference)
    chosen = request.files.get("file")
    try:
        kept = mail_files.add(
            db.session, reference=reference, upload=chosen.stream if chosen else io.BytesIO(),
            filename=chosen.filename if chosen else None,
            content_type=chosen.mimetype if chosen else None,
            actor=access.web_actor(current_user, case), source="web", task_id=task_id,
        )  # fmt: skip
    except ValidationError as exc:
        return _task_again(reference, task_id, {}, 422, message=_file_refused(exc))
    except StorageFull as exc:
        return _task_again(reference, task_id, {}, 507, message=f"The file was not added: {exc}.")
    except CaseError as exc:
        message = f"{exc.message[:1].upper()}{exc.message[1:]}. Nothing was added."
        return _task_again(reference, task_id, {}, exc.status, message=message)
    flash(f"{kept.filename} was added to the case for its task.", "success")
    return redirect(url_for("case_pages.show", reference=reference))


def _file_refused(exc: ValidationError) -> str:
    messages = exc.normalized_messages().get("file", ["refused"])
    return f"The file was not added: {' '.join(messages)}."


def _task_again(reference: str, task_id: int, errors: dict, status: int, *, message=None):
    db.session.expire_all()
    case = _case(reference)
    if errors and set(errors) != {"note"}:
        # Only the note is typed in; anything else means the form itself was tampered with.
        message = "The task was not changed: " + " ".join(
            f"{name}: {' '.join(texts)}" for name, texts in errors.items()
        )
    return render_case_page(
        case,
        status,
        task_failed=task_id,
        task_errors=errors,
        values=request.form,
        # A missing note alone is named by the error summary, which links to the field.
        message=message,
    )


def render_case_page(case: Case, status: int = 200, **extra):
    """Render the case page (a form shown again too), recording the view if it shows PII."""
    context = page_context(case, **extra)
    page = render_template("cases/case.html", **context)
    _record_view(case, context, channel="web", what="case page")
    return page, status


def _record_view(case: Case, context: dict, *, channel: str, what: str) -> None:
    if context["sees_subject"]:
        viewer = access.web_actor(current_user, case)
        accesslog.record(db.session, viewer=viewer, channel=channel, seen=[(case.id, what)])


def page_context(case: Case, *, forms: bool = True, **extra) -> dict:
    """Everything the case page (or the case file, without forms) shows."""
    policy = policies.current()
    now = timesource.now()
    allowed = workflow.allowed_actions(case, role=current_user.role, policy=policy)
    staff = queries.active_staff(db.session) if forms and "assign" in allowed else []
    sees_subject = access.sees_subject(current_user, case)
    return {
        "case": case,
        "route": policy.route(case.route),
        "body": policy.body_for(stage=case.stage, jurisdiction=case.jurisdiction),
        "clocks": [clock_view(clock, now=now) for clock in case.clocks],
        "events": queries.events_of_case(db.session, case_id=case.id),
        "forms": actions.forms_for(case, allowed=allowed, staff=staff) if forms else [],
        "asks_individual": forms and _may_ask(case, allowed),
        "sees_subject": sees_subject,
        "language": intake.language_of(db.session, case_id=case.id),
        "agent_permission": intake.agent_permission_on_record(db.session, case=case),
        "conversation": mail_listing.conversation(db.session, reference=case.reference)[1],
        "files": mail_files.of_case(db.session, case_id=case.id),
        "writes_to_individual": forms
        and sees_subject
        and case_actions.get("reply").when(case, policy),
        **case_tasks.context(case, viewer=current_user, forms=forms),
        "response": response_panel.panel(case, forms=forms),
        "access_log": access_log_views.section(case.id) if forms else None,
        "response_errors": {},
        "now": now,
        "failed": None,
        "task_failed": None,
        "task_errors": {},
        "errors": {},
        "values": {},
        "message": None,
        **extra,
    }
