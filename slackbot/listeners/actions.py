"""Buttons on reminders: Acknowledge and Snooze 1 day, keyed on the case version they show."""

from __future__ import annotations

import json

from slack_bolt import App

from casetracker.cases import service as case_service
from casetracker.cases.errors import ActionNotAllowed, CaseError, StaleVersion
from casetracker.extensions import db
from slackbot import blocks, service
from slackbot.listeners.staff import staff_only
from slackbot.presenters import facts_of

RETRY_HEADER = "x-slack-retry-num"


def register(app: App) -> None:
    """Listen for the reminder buttons."""
    app.action(blocks.ACKNOWLEDGE, middleware=[staff_only])(acknowledge)
    app.action(blocks.SNOOZE, middleware=[staff_only])(snooze)
    app.action(blocks.OPEN_DASHBOARD)(open_dashboard)


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
