"""Block Kit builders: case facts in, Slack messages out; never the individual's data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from slackbot import kit, task_blocks

MAX_LIST_ITEMS = 20
MAX_HOME_ITEMS = 40
ACKNOWLEDGE = "reminder_acknowledge"
SNOOZE = "reminder_snooze"
OPEN_DASHBOARD = kit.OPEN_DASHBOARD


def reply(text: str) -> dict:
    """Return a one-section message."""
    return {"text": text, "blocks": [kit.section(text)]}


def usage(lines: Iterable[str], *, problem: str | None = None) -> dict:
    """Return how to call a subcommand, after what was wrong with this call."""
    body = "\n".join(f"`{line}`" for line in lines)
    text = f"{problem}\nUsage: {body}" if problem else f"Usage: {body}"
    return reply(text)


def help_message(commands: Iterable[tuple[str, str, str]]) -> dict:
    """List every subcommand with what it does and an example."""
    lines = [
        f"`/case {syntax}` — {what}\n      e.g. `/case {example}`"
        for syntax, what, example in commands
    ]
    blocks = [
        kit.section("*`/case` — work privacy cases from Slack*"),
        kit.section("\n".join(lines)),
    ]
    return {"text": "/case subcommands", "blocks": blocks}


def case_card(facts: Mapping, *, headline: str | None = None, clocks=(), allowed=()) -> dict:
    """Describe one case: stage, owner, deadlines, what can be done next, and a link."""
    blocks = [kit.section(headline)] if headline else []
    blocks.append(kit.section(_summary_line(facts)))
    if clocks:
        blocks.append(kit.section("\n".join(_clock_line(clock) for clock in clocks)))
    if allowed:
        blocks.append(kit.context("Allowed now: " + ", ".join(f"`{name}`" for name in allowed)))
    return {"text": headline or facts["reference"], "blocks": blocks}


def case_list(title: str, items: list[Mapping], *, empty: str) -> dict:
    """List cases, one line each, soonest deadline first as given."""
    if not items:
        return reply(f"*{title}*\n{empty}")
    shown = items[:MAX_LIST_ITEMS]
    blocks = [kit.section(f"*{title}*")] + [kit.section(_summary_line(f)) for f in shown]
    if len(items) > len(shown):
        blocks.append(kit.context(f"{len(items) - len(shown)} more on the dashboard"))
    return {"text": title, "blocks": blocks}


def refusal(message: str, *, allowed: Iterable[str] = ()) -> dict:
    """Say why nothing changed, and what is allowed instead."""
    allowed = list(allowed)
    text = f":no_entry: {kit.escape(message)}"
    if allowed:
        text += "\nAllowed now: " + ", ".join(f"`{name}`" for name in allowed)
    return reply(text)


def message_for(payload: Mapping) -> dict:
    """Render an outbox payload by its topic; unknown topics as plain text."""
    renderer = RENDERERS.get(payload.get("topic"), _fallback)
    return renderer(payload)


def home_view(
    *, overdue: list[Mapping], mine: list[Mapping], tasks: Iterable[Mapping] = (), now: datetime
) -> dict:
    """Build the App Home tab: overdue cases, my cases by next deadline, then my tasks."""
    blocks = [kit.header("Overdue")]
    blocks += [kit.section(_summary_line(f)) for f in overdue[:MAX_HOME_ITEMS]] or [
        kit.context("Nothing overdue.")
    ]
    blocks += [kit.divider(), kit.header("My cases by next deadline")]
    blocks += [kit.section(_summary_line(f)) for f in mine[:MAX_HOME_ITEMS]] or [
        kit.context("No open cases with a deadline are assigned to you.")
    ]
    blocks += [kit.divider(), *task_blocks.home_section(list(tasks), now=now)]
    blocks.append(kit.context(f"Updated {kit.when(now.isoformat())}"))
    return {"type": "home", "blocks": blocks}


def stranger_home() -> dict:
    """Build the App Home tab for a Slack user who is not on the privacy team."""
    text = "This app is for the privacy team. Ask an admin to link your Slack account."
    return {"type": "home", "blocks": [kit.section(text)]}


def _created(payload: Mapping) -> dict:
    return _announce(payload, f"New {payload['kind']} {payload['reference']}")


def _assigned(payload: Mapping) -> dict:
    return _announce(payload, f"{payload['reference']} is now assigned to {payload['owner']}")


def _escalated(payload: Mapping) -> dict:
    return _announce(payload, f"{payload['reference']} was escalated to {payload['stage']}")


def _announce(payload: Mapping, headline: str) -> dict:
    message = case_card(payload, headline=f"*{kit.escape(headline)}*")
    message["blocks"].append(kit.actions([kit.link_button(payload["link"])]))
    return message


def _reminder(payload: Mapping) -> dict:
    threshold = payload.get("threshold", "")
    if payload.get("overdue"):
        state = f":rotating_light: the *{payload['clock']}* deadline has passed"
    else:
        state = f":alarm_clock: the *{payload['clock']}* deadline is near"
    headline = f"{payload['reference']}: {state} ({kit.when(payload['clock_due_at'])})"
    message = case_card(payload, headline=headline)
    message["text"] = f"Reminder {payload['reference']} {payload['clock']} {threshold}"
    value = json.dumps(
        {
            "reference": payload["reference"],
            "version": payload["version"],
            "clock": payload["clock"],
        }
    )
    buttons = [
        kit.button("Acknowledge", ACKNOWLEDGE, value, style="primary"),
        kit.button("Snooze 1 day", SNOOZE, value),
        kit.link_button(payload["link"]),
    ]
    message["blocks"].append(kit.actions(buttons))
    return message


def _digest(payload: Mapping) -> dict:
    lines = [
        f"• {kit.escape(row['owner'] or 'unassigned')}: {row['due_this_week']} due this week,"
        f" {row['overdue']} overdue"
        for row in payload.get("owners", [])
    ]
    title = f"*Deadlines digest for {payload.get('date', '')}*"
    body = "\n".join(lines) or "No open deadlines."
    return {
        "text": f"Deadlines digest {payload.get('date', '')}",
        "blocks": [kit.section(title), kit.section(body)],
    }


def _message_received(payload: Mapping) -> dict:
    return _announce(payload, f"{payload['reference']} has a new email from the individual")


def _inbox_waiting(payload: Mapping) -> dict:
    count = payload["count"]
    emails = "1 new email waits" if count == 1 else f"{count} new emails wait"
    text = f":incoming_envelope: {emails} in the inbox"
    message = {"text": f"{count} new emails in the inbox", "blocks": [kit.section(text)]}
    message["blocks"].append(kit.actions([kit.link_button(payload["link"])]))
    return message


def _audit_break(payload: Mapping) -> dict:
    reference = payload["reference"]
    where = f"seq {payload['seq']}" if payload.get("seq") else "no events left"
    text = (
        f":rotating_light: The audit chain of *{reference}* is broken at {where}:"
        f" {kit.escape(payload['why'])}. Run `flask audit verify --case {reference}`."
    )
    message = {"text": f"Audit chain of {reference} broken", "blocks": [kit.section(text)]}
    message["blocks"].append(kit.actions([kit.link_button(payload["link"])]))
    return message


def _fallback(payload: Mapping) -> dict:
    parts = [str(payload.get(key)) for key in ("topic", "reference", "stage") if payload.get(key)]
    return reply(kit.escape(" · ".join(parts) or "casetracker notification"))


RENDERERS = {
    "case_created": _created,
    "case_assigned": _assigned,
    "case_escalated": _escalated,
    "reminder": _reminder,
    "digest": _digest,
    "message_received": _message_received,
    "inbox_waiting": _inbox_waiting,
    "audit_break": _audit_break,
    **task_blocks.RENDERERS,
}


def _summary_line(facts: Mapping) -> str:
    owner = kit.escape(facts.get("owner") or "unassigned")
    due = f"next due {kit.when(facts['due_at'])}" if facts.get("due_at") else "no deadline running"
    return (
        f"<{facts['link']}|*{facts['reference']}*> · {facts['kind']} · {facts['jurisdiction']}"
        f" · {facts['stage']} ({facts['status']}) · {owner} · {due}"
    )


def _clock_line(clock: Mapping) -> str:
    flag = " :rotating_light: overdue" if clock["overdue"] else ""
    paused = " (paused)" if clock["paused"] else ""
    return f"• `{clock['name']}` due {kit.when(clock['due_at'])}{paused}{flag}"
