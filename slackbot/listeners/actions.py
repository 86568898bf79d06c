"""Buttons: on reminders, Acknowledge and Snooze 1 day, keyed on the case version they show;
on tasks, Done, No data found and Blocked… (a modal), keyed on the task and its new status."""

from __future__ import annotations

import json

from slack_bolt import App

from casetracker.cases import service as case_service
from casetracker.cases import tasks
from casetracker.cases.errors import ActionNotAllowed, CaseError, StaleVersion
from casetracker.database import kept_loaded
from casetracker.extensions import db
from slackbot import blocks, modals, service, task_blocks
from slackbot.listeners.staff import staff_only
from slackbot.presenters import facts_of, task_facts_of

RETRY_HEADER = "x-slack-retry-num"
TASK_STATUS = {task_blocks.DONE: "done", task_blocks.NO_DATA: "no_data"}


def register(app: App) -> None:
    """Listen for the reminder buttons."""
    app.action(blocks.ACKNOWLEDGE, middleware=[staff_only])(acknowledge)
    app.action(blocks.SNOOZE, middleware=[staff_only])(snooze)
    app.action(blocks.OPEN_DASHBOARD)(open_dashboard)
    for action_id in TASK_STATUS:
        app.action(action_id, middleware=[staff_only])(mark_task)
    app.action(task_blocks.BLOCK, middleware=[staff_only])(ask_what_blocks)


def acknowledge(ack, action, respond, request, context):
    """Acknowledge the case at the version the reminder was sent for."""
    ack()
    target = json.loads(action["value"])
    _act(respond, request, context, target, "acknowledge", {}, done="Acknowledged")


def snooze(ack, action, respond, request, context):
    """Hold back this clock's reminders for a day; the deadline stays where it is."""
    ack()
    target = json.loads(action["value"])
    done = f"Snoozed {target['clock']} reminders for 1 day:"
    _act(respond, request, context, target, "snooze", {"clock": target["clock"]}, done=done)


def open_dashboard(ack):
    """Acknowledge the link button; Slack opens the URL itself."""
    ack()


def mark_task(ack, action, respond, request, context):
    """Mark the task done or no data found, and put who did it in place of the buttons."""
    ack()
    target = task_blocks.target(action["value"])
    status = TASK_STATUS[action["action_id"]]
    try:
        with kept_loaded(db.session):
            task = service.update_task(
                db.session, target=target, status=status, note=None, actor=context["actor"]
            )
            answer = task_blocks.marked(task_facts_of(task), status=status, by=context.user_id)
    except ActionNotAllowed as exc:
        # Already marked so (a double click, or a colleague), or changed meanwhile: a retried
        # delivery's first attempt did it and answered.
        if not request.headers.get(RETRY_HEADER):
            respond(
                replace_original=False, response_type="ephemeral", **blocks.refusal(exc.message)
            )
        return
    except CaseError as exc:
        respond(replace_original=False, response_type="ephemeral", **blocks.refusal(exc.message))
        return
    respond(replace_original=True, **answer)


def ask_what_blocks(ack, action, body, client, request, respond):
    """Open the modal that asks what blocks the task."""
    ack()
    if request.headers.get(RETRY_HEADER):
        # Slack retries after 3 seconds, when the trigger_id for the modal has expired.
        return
    target = task_blocks.target(action["value"])
    try:
        case = case_service.get_case(db.session, reference=target["reference"])
        facts = task_facts_of(tasks.find(case, target["task"]))
    except CaseError as exc:
        respond(replace_original=False, response_type="ephemeral", **blocks.refusal(exc.message))
        return
    view = modals.block_task(facts, response_url=body.get("response_url"))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _act(respond, request, context, target: dict, name: str, params: dict, *, done: str) -> None:
    try:
        case = case_service.perform(
            db.session,
            reference=target["reference"],
            action=name,
            version=target["version"],
            params=params,
            actor=context["actor"],
            source=service.SOURCE,
        )
    except StaleVersion as exc:
        # Keyed on (case, action, version): the click was already handled, or someone acted.
        if not request.headers.get(RETRY_HEADER):
            text = f"{exc.message}: already done, or a colleague acted. Nothing more was changed."
            respond(replace_original=False, response_type="ephemeral", **blocks.reply(text))
        return
    except ActionNotAllowed as exc:
        answer = blocks.refusal(exc.message, allowed=exc.allowed_actions)
        respond(replace_original=False, response_type="ephemeral", **answer)
        return
    except CaseError as exc:
        respond(replace_original=False, response_type="ephemeral", **blocks.refusal(exc.message))
        return
    headline = f":white_check_mark: {done} {case.reference} (by <@{context.user_id}>)"
    respond(replace_original=True, **blocks.case_card(facts_of(case), headline=headline))
