"""Block Kit modals: open a case, resolve a case, block a task, and the answers shown after."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from casetracker.cases.schemas import CHANNELS
from casetracker.policy import DATA_CONTEXTS, JURISDICTIONS, KINDS, RIGHTS
from slackbot import kit

NEW_CASE = "case_new"
RESOLVE = "case_resolve"
BLOCK_TASK = "task_block"
VALUE = "value"


def new_case() -> dict:
    """Ask for what the API needs to open a case; the individual's data stays in casetracker."""
    blocks = [
        _select("kind", "Kind", KINDS),
        _select("jurisdiction", "Jurisdiction", JURISDICTIONS),
        _select("data_context", "Data context", DATA_CONTEXTS),
        _select("right", "Right requested (requests only)", RIGHTS, optional=True),
        _select("channel", "Received by", CHANNELS),
        _text("summary", "Summary", multiline=True, max_length=5000),
        _text("subject.name", "Individual's name", max_length=200),
        _text("subject.email", "Individual's email", max_length=254),
        _text("subject.country", "Individual's country (ISO code, e.g. DE)", max_length=2),
    ]
    return _modal(NEW_CASE, "New case", blocks, submit="Open case")


def resolve(reference: str, *, version: int, outcomes: Iterable[str]) -> dict:
    """Ask for the outcome of the case, at the version the user saw."""
    blocks = [
        _select("outcome", "Outcome", outcomes),
        _text("reason", "Reason (optional)", multiline=True, max_length=1000, optional=True),
    ]
    metadata = {"reference": reference, "version": version}
    return _modal(RESOLVE, f"Resolve {reference}", blocks, submit="Resolve", metadata=metadata)


def block_task(facts: Mapping, *, response_url: str | None) -> dict:
    """Ask what blocks a task; the answer stays on the case page (it may quote personal data)."""
    about = f"The *{kit.escape(facts['system'])}* task of *{facts['reference']}*"
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": about}},
        _text("note", "What blocks it?", multiline=True, max_length=2000),
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "Only the case page shows what you write."}],
        },
    ]
    metadata = {"reference": facts["reference"], "task": facts["task"]}
    if response_url:
        # Where to replace the task message's buttons once the task is marked blocked.
        metadata["response_url"] = response_url
    return _modal(BLOCK_TASK, "Blocked task", blocks, submit="Mark blocked", metadata=metadata)


def done(title: str, text: str) -> dict:
    """Replace the submitted modal with a short confirmation."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return {
        "type": "modal",
        "title": _plain(title),
        "close": _plain("Close"),
        "blocks": [section],
    }


def submitted_values(view: Mapping) -> dict:
    """Read a submitted modal into a dict; dotted block ids become nested fields."""
    data: dict = {}
    for block_id, actions in view["state"]["values"].items():
        action = actions.get(VALUE, {})
        value = action.get("value")
        if value is None and action.get("selected_option"):
            value = action["selected_option"]["value"]
        if value in (None, ""):
            continue
        *parents, name = block_id.split(".")
        target = data
        for parent in parents:
            target = target.setdefault(parent, {})
        target[name] = value.strip()
    return data


def field_errors(messages: Mapping, *, blocks: Iterable[str], fallback: str) -> dict:
    """Map marshmallow's messages onto the modal's block ids, for response_action=errors."""
    blocks = set(blocks)
    errors: dict[str, str] = {}
    for path, text in _flatten(messages):
        block = path if path in blocks else fallback
        errors[block] = f"{errors[block]} {text}" if block in errors else text
    return errors


def block_ids(view: Mapping) -> list[str]:
    """Return the ids of the modal's input blocks."""
    return [block["block_id"] for block in view.get("blocks", []) if "block_id" in block]


def metadata(view: Mapping) -> dict:
    """Return what the modal was opened with."""
    return json.loads(view.get("private_metadata") or "{}")


def _flatten(messages, prefix: str = ""):
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = prefix if key == "_schema" else ".".join(filter(None, (prefix, str(key))))
            yield from _flatten(value, path)
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from _flatten(item, prefix)
    else:
        yield prefix, str(messages)


def _modal(callback_id, title, blocks, *, submit, metadata=None) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title[:24]),
        "submit": _plain(submit),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": blocks,
    }


def _select(block_id: str, label: str, values: Iterable[str], *, optional: bool = False) -> dict:
    options = [{"text": _plain(value), "value": value} for value in values]
    element = {"type": "static_select", "action_id": VALUE, "options": options}
    return _input(block_id, label, element, optional=optional)


def _text(block_id, label, *, max_length, multiline=False, optional=False) -> dict:
    element = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "multiline": multiline,
        "max_length": max_length,
    }
    return _input(block_id, label, element, optional=optional)


def _input(block_id: str, label: str, element: dict, *, optional: bool) -> dict:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": element,
        "optional": optional,
    }


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}
