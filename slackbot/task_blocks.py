"""Tasks in Slack: the owner's DM with its buttons, late and blocked notices, task lists.

A task message names the system and the request (reference, right, jurisdiction), never the
individual, and never the task's note: it may quote the individual's data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from casetracker.cases.tasks import STATUS_WORDS
from slackbot import kit

DONE = "task_done"
NO_DATA = "task_no_data"
BLOCK = "task_block"
MAX_LIST_ITEMS = 20
MAX_HOME_ITEMS = 10
MARKED = {
    "done": ":white_check_mark: Marked done",
    "no_data": ":white_check_mark: Marked no data found",
    "blocked": ":no_entry: Marked blocked",
}


def target(value: str) -> dict:
    """Read which task a button is about: its request's reference and the task id."""
    found = json.loads(value)
    return {"reference": str(found["reference"]), "task": int(found["task"])}


def assigned(payload: Mapping) -> dict:
    """Give a system owner their task, with buttons to report how it went."""
    headline = f":clipboard: A new task for you: *{_name(payload)}* for {_ref(payload)}"
    return _for_owner(payload, headline, text=f"New task: {_task(payload)}")


def reminder(payload: Mapping) -> dict:
    """Remind the task owner (with the buttons), or tell the case owner a task is late."""
    due = kit.when(payload["due_at"])
    if payload.get("to_case_owner"):
        headline = f":rotating_light: The *{_name(payload)}* task of {_ref(payload)} is late"
        headline += f" (it was due {due})" if payload.get("overdue") else f" (due {due})"
        notes = ["You can mark it from the dashboard when you know how it went."]
        return _notice(payload, headline, notes, text=f"Late task: {_task(payload)}")
    state = f"is late: it was due {due}" if payload.get("overdue") else f"is due {due}"
    headline = f":alarm_clock: Your *{_name(payload)}* task for {_ref(payload)} {state}"
    if payload.get("status") == "blocked":
        headline += " (marked blocked)"
    return _for_owner(payload, headline, text=f"Task reminder: {_task(payload)}")


def blocked(payload: Mapping) -> dict:
    """Tell the case owner a task is blocked; what blocks it stays on the case page."""
    headline = f":no_entry: The *{_name(payload)}* task of {_ref(payload)} is blocked"
    notes = ["What blocks it is on the case page."]
    return _notice(payload, headline, notes, text=f"Blocked task: {_task(payload)}")


def marked(facts: Mapping, *, status: str, by: str) -> dict:
    """Replace a task's buttons with who marked it how; a blocked task can still be finished."""
    headline = f"{MARKED[status]} by <@{by}>: the *{_name(facts)}* task of {_ref(facts)}"
    message = {
        "text": f"{_task(facts)}: {STATUS_WORDS[status]}",
        "blocks": [kit.section(headline), kit.section(_request_line(facts))],
    }
    wanted = (DONE, NO_DATA) if status == "blocked" else ()
    message["blocks"].append(
        kit.actions([*_buttons(facts, wanted), kit.link_button(facts["link"])])
    )
    return message


def task_list(title: str, items: list[Mapping], *, now: datetime, empty: str) -> dict:
    """List tasks, one line each, in the order given (soonest due first)."""
    if not items:
        return {"text": title, "blocks": [kit.section(f"*{title}*\n{empty}")]}
    shown = items[:MAX_LIST_ITEMS]
    blocks = [kit.section(f"*{title}*")] + [kit.section(_line(f, now=now)) for f in shown]
    if len(items) > len(shown):
        blocks.append(kit.context(f"{len(items) - len(shown)} more on the dashboard"))
    return {"text": title, "blocks": blocks}


def home_section(items: list[Mapping], *, now: datetime) -> list[dict]:
    """Return the App Home's "My tasks" blocks."""
    shown = items[:MAX_HOME_ITEMS]
    blocks = [kit.header("My tasks")]
    blocks += [kit.section(_line(f, now=now)) for f in shown] or [
        kit.context("No open or blocked tasks are assigned to you.")
    ]
    if len(items) > len(shown):
        blocks.append(kit.context(f"{len(items) - len(shown)} more: `/case tasks`"))
    return blocks


def _for_owner(payload: Mapping, headline: str, *, text: str) -> dict:
    blocks = [kit.section(headline), kit.section(_request_line(payload))]
    if payload.get("instructions"):
        blocks.append(kit.section(f"*Instructions*\n{kit.escape(payload['instructions'])}"))
    wanted = (DONE, NO_DATA) if payload.get("status") == "blocked" else (DONE, NO_DATA, BLOCK)
    blocks.append(kit.actions([*_buttons(payload, wanted), kit.link_button(payload["link"])]))
    return {"text": text, "blocks": blocks}


def _notice(payload: Mapping, headline: str, notes: list[str], *, text: str) -> dict:
    blocks = [kit.section(headline), kit.section(_request_line(payload))]
    blocks += [kit.context(note) for note in notes]
    blocks.append(kit.actions([kit.link_button(payload["link"])]))
    return {"text": text, "blocks": blocks}


def _buttons(facts: Mapping, wanted) -> list[dict]:
    value = json.dumps({"reference": facts["reference"], "task": facts["task"]})
    buttons = {
        DONE: kit.button("Done", DONE, value, style="primary"),
        NO_DATA: kit.button("No data found", NO_DATA, value),
        BLOCK: kit.button("Blocked…", BLOCK, value),
    }
    return [buttons[action_id] for action_id in wanted]


def _request_line(facts: Mapping) -> str:
    """Say what the request asks and where it comes from, and where the task stands."""
    what = " ".join(filter(None, (facts.get("right"), facts.get("kind") or "request")))
    status = STATUS_WORDS.get(facts.get("status"), facts.get("status"))
    due = f"task {status} · due {kit.when(facts['due_at'])}"
    return " · ".join(filter(None, (what.capitalize(), facts.get("jurisdiction"), due)))


def _line(facts: Mapping, *, now: datetime) -> str:
    late = datetime.fromisoformat(facts["due_at"]) < now
    flag = " :rotating_light: late" if late else ""
    status = STATUS_WORDS[facts["status"]]
    return f"• *{_name(facts)}* · {_ref(facts)} · {status} · due {kit.when(facts['due_at'])}{flag}"


def _ref(facts: Mapping) -> str:
    return f"<{facts['link']}|*{facts['reference']}*>"


def _name(facts: Mapping) -> str:
    return kit.escape(facts["system"])


def _task(facts: Mapping) -> str:
    return f"{facts['system']} task of {facts['reference']}"


RENDERERS = {"task_assigned": assigned, "task_reminder": reminder, "task_blocked": blocked}
