"""Buttons on reminders: Acknowledge and Snooze 1 day, keyed on the case version they show."""

from __future__ import annotations

import json
from collections.abc import Callable

from slack_bolt import App

from casetracker.cases import service as case_service
from casetracker.cases.errors import ActionNotAllowed, CaseError, StaleVersion
from casetracker.extensions import db
from casetracker.people.actors import Actor
from slackbot import blocks, service
from slackbot.listeners.commands import STRANGER
from slackbot.presenters import facts_of

RETRY_HEADER = "x-slack-retry-num"


def register(app: App) -> None:
    """Listen for the reminder buttons."""
    app.action(blocks.ACKNOWLEDGE)(acknowledge)
    app.action(blocks.SNOOZE)(snooze)
    app.action(blocks.OPEN_DASHBOARD)(open_dashboard)


def acknowledge(ack, body, action, respond, request):
    """Acknowledge the case at the version the reminder was sent for."""
    ack()
    target = json.loads(action["value"])

    def run(actor: Actor):
        return case_service.perform(
            db.session,
            reference=target["reference"],
            action="acknowledge",
            version=target["version"],
            params={},
            actor=actor,
            source=service.SOURCE,
        )

    _act(body, respond, request, target, run, done="Acknowledged")


def snooze(ack, body, action, respond, request):
    """Hold back this clock's reminders for a day; the deadline stays where it is."""
    ack()
    target = json.loads(action["value"])

    def run(actor: Actor):
        return case_service.snooze(
            db.session,
            reference=target["reference"],
            version=target["version"],
            clock_name=target["clock"],
            actor=actor,
            source=service.SOURCE,
        )

    _act(
        body, respond, request, target, run, done=f"Snoozed {target['clock']} reminders for 1 day:"
    )


def open_dashboard(ack):
    """Acknowledge the link button; Slack opens the URL itself."""
    ack()


def _act(body, respond, request, target, run: Callable[[Actor], object], *, done: str) -> None:
    user_id = body["user"]["id"]
    staff = service.acting_staff(db.session, slack_user_id=user_id)
    if staff is None:
        respond(replace_original=False, response_type="ephemeral", **blocks.reply(STRANGER))
        return
    try:
        case = run(service.actor_for(staff, slack_user_id=user_id))
    except StaleVersion:
        # Keyed on (case, action, version): the click was already handled, or someone acted.
        if not request.headers.get(RETRY_HEADER):
            text = (
                f"{target['reference']} has changed since this reminder: already done, or a"
                " colleague acted. Nothing more was changed."
            )
            respond(replace_original=False, response_type="ephemeral", **blocks.reply(text))
        return
    except ActionNotAllowed as exc:
        answer = blocks.refusal(exc.message, allowed=exc.allowed_actions)
        respond(replace_original=False, response_type="ephemeral", **answer)
        return
    except CaseError as exc:
        respond(replace_original=False, response_type="ephemeral", **blocks.refusal(exc.message))
        return
    headline = f":white_check_mark: {done} {case.reference} (by <@{user_id}>)"
    respond(replace_original=True, **blocks.case_card(facts_of(case), headline=headline))
