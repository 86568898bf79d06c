"""Block Kit pieces every Slack message and view is built from."""

from __future__ import annotations

from datetime import datetime

SECTION_LIMIT = 3000
OPEN_DASHBOARD = "open_dashboard"


def when(iso: str) -> str:
    """Let Slack show the time in each reader's own time zone."""
    epoch = int(datetime.fromisoformat(iso).timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{iso}>"


def escape(text: str) -> str:
    """Keep Slack from reading &, < and > in free text as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def divider() -> dict:
    return {"type": "divider"}


def actions(elements: list[dict]) -> dict:
    return {"type": "actions", "elements": elements}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict:
    label = {"type": "plain_text", "text": text}
    element = {"type": "button", "text": label, "action_id": action_id, "value": value}
    return {**element, "style": style} if style else element


def link_button(url: str) -> dict:
    label = {"type": "plain_text", "text": "Open in dashboard"}
    return {"type": "button", "text": label, "action_id": OPEN_DASHBOARD, "url": url}
