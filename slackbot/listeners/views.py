"""Modal submissions, validated with the API's schemas; field errors are shown inline."""

from __future__ import annotations

from marshmallow import ValidationError
from slack_bolt import App
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import IntegrityError

from casetracker import timesource
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseError, StaleVersion
from casetracker.database import kept_loaded
from casetracker.extensions import db
from slackbot import kit, modals, service, task_blocks
from slackbot.listeners.staff import staff_only
from slackbot.presenters import facts_of, task_facts_of

BLOCKED_TITLE = "Blocked task"


def register(app: App) -> None:
    """Listen for the new-case, resolve and blocked-task modals."""
    app.view(modals.NEW_CASE, middleware=[staff_only])(submit_new_case)
    app.view(modals.RESOLVE, middleware=[staff_only])(submit_resolve)
    app.view(modals.BLOCK_TASK, middleware=[staff_only])(submit_block_task)


def submit_new_case(ack, view, context):
    """Open the case once per modal, however often the submission arrives."""
    key = f"view:{view['id']}"
    if service.seen(db.session, event_id=key):
        return ack(response_action="update", view=modals.done("New case", "Already opened."))
    # The key commits with the case, in the service's transaction, or not at all.
    service.remember(db.session, event_id=key, now=timesource.now())
    try:
        case = case_service.create_case(
            db.session,
            data=modals.submitted_values(view),
            actor=context["actor"],
            source=service.SOURCE,
        )
    except ValidationError as exc:
        db.session.rollback()
        errors = modals.field_errors(
            exc.messages, blocks=modals.block_ids(view), fallback="summary"
        )
        return ack(response_action="errors", errors=errors)
    except IntegrityError:
        db.session.rollback()
        if not service.seen(db.session, event_id=key):
            raise
        return ack(response_action="update", view=modals.done("New case", "Already opened."))
    link = facts_of(case)["link"]
    text = f":white_check_mark: *{case.reference}* is open. <{link}|Open in dashboard>"
    return ack(response_action="update", view=modals.done("Case opened", text))


def submit_resolve(ack, view, context):
    """Resolve the case at the version the modal was opened on."""
    target = modals.metadata(view)
    values = modals.submitted_values(view)
    try:
        case = case_service.perform(
            db.session,
            reference=target["reference"],
            action="resolve",
            version=target["version"],
            params=values,
            actor=context["actor"],
            source=service.SOURCE,
        )
    except ValidationError as exc:
        errors = modals.field_errors(
            exc.messages, blocks=modals.block_ids(view), fallback="outcome"
        )
        return ack(response_action="errors", errors=errors)
    except StaleVersion as exc:
        if _already_resolved(target["reference"], values.get("outcome")):
            done = modals.done("Resolved", f"{target['reference']} is already resolved.")
            return ack(response_action="update", view=done)
        return ack(response_action="errors", errors={"outcome": exc.message})
    except CaseError as exc:
        return ack(response_action="errors", errors={"outcome": exc.message})
    text = f":white_check_mark: *{case.reference}* is closed as `{case.outcome}`."
    return ack(response_action="update", view=modals.done("Resolved", text))


def _already_resolved(reference: str, outcome: str | None) -> bool:
    db.session.rollback()
    case = case_service.get_case(db.session, reference=reference)
    return case.status == "closed" and case.outcome == outcome


def submit_block_task(ack, view, context):
    """Mark the task blocked with what blocks it, once per modal; the note stays off Slack."""
    key, target = f"view:{view['id']}", modals.metadata(view)
    already = modals.done(BLOCKED_TITLE, "Already marked blocked.")
    if service.seen(db.session, event_id=key):
        return ack(response_action="update", view=already)
    # Whitespace alone is no answer: let the schema say what is missing.
    note = modals.submitted_values(view).get("note") or None
    service.remember(db.session, event_id=key, now=timesource.now())
    try:
        with kept_loaded(db.session):
            task = service.update_task(
                db.session, target=target, status="blocked", note=note, actor=context["actor"]
            )
            facts = task_facts_of(task)
    except ValidationError as exc:
        db.session.rollback()
        errors = modals.field_errors(exc.messages, blocks=modals.block_ids(view), fallback="note")
        return ack(response_action="errors", errors=errors)
    except StaleVersion as exc:
        db.session.rollback()
        return ack(response_action="errors", errors={"note": exc.message})
    except CaseError as exc:
        db.session.rollback()
        refused = modals.done(BLOCKED_TITLE, f":no_entry: {kit.escape(exc.message)}")
        return ack(response_action="update", view=refused)
    except IntegrityError:
        db.session.rollback()
        if not service.seen(db.session, event_id=key):
            raise
        return ack(response_action="update", view=already)
    text = (
        f":no_entry: The *{kit.escape(facts['system'])}* task of *{facts['reference']}* is marked"
        " blocked. The case owner is told; what blocks it stays on the case page."
    )
    ack(response_action="update", view=modals.done("Task blocked", text))
    if target.get("response_url"):
        marked = task_blocks.marked(facts, status="blocked", by=context.user_id)
        WebhookClient(target["response_url"], timeout=10).send(replace_original=True, **marked)
    return None
