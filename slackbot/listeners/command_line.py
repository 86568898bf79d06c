"""Read a /case line (`REF word… rest of the line`) into an action's fields."""

from __future__ import annotations

import re

from casetracker.cases import actions
from casetracker.extensions import db
from slackbot import service

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


class Usage(Exception):
    """The arguments do not fit the subcommand; the message says what was wrong."""


def parse(action: actions.Action, args: list[str]) -> tuple[str, dict]:
    """Read `REF word… rest of the line` into the action's fields."""
    line = action.line
    if not args or len(args) - 1 < line.least:
        raise Usage("Wrong number of arguments.")
    reference, words = args[0], list(args[1:])
    params = {}
    for name in line.words:
        if words:
            params[name] = _word(action, name, words.pop(0))
    if words and line.rest is None:
        raise Usage("Wrong number of arguments.")
    if words:
        params[line.rest] = " ".join(words)
    return reference, params


def _word(action: actions.Action, name: str, value: str) -> str:
    widget = next((field.widget for field in action.fields if field.name == name), "text")
    if widget == "staff":
        return _staff_email(value)
    return value.lower() if widget == "select" else value


def bare_opens_form(action: actions.Action) -> bool:
    """Tell whether a bare `/case WORD REF` opens the action's form (its first word is required)."""
    first = action.line.words[0]
    return action.line.least == 0 and action.schema().fields[first].required


def _staff_email(who: str) -> str:
    match = MENTION.match(who)
    if match is None:
        raise Usage(f"`{who}` is not a Slack mention; type @ and pick the person.")
    staff = service.acting_staff(db.session, slack_user_id=match.group(1))
    if staff is None:
        raise Usage(f"{who} is not linked to an active member of the privacy team.")
    return staff.email


def validation_text(messages) -> str:
    """Flatten marshmallow's messages into one line: `field: message; other: message`."""
    if isinstance(messages, dict):
        return "; ".join(f"{field}: {validation_text(text)}" for field, text in messages.items())
    if isinstance(messages, list):
        return " ".join(str(message) for message in messages)
    return str(messages)
