"""Jinja filters: times in the team's zone, time left, labels, names, masked personal data."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from casetracker import timesource
from casetracker.cases.access import mask
from casetracker.extensions import db
from casetracker.people import actors

CODED = frozenset({"stage", "status", "outcome", "priority"})
LABELS = {
    "dpa_panel": "DPA panel",
    "independent_recourse": "Independent recourse (BBB)",
    "US-CA": "California",
    "opt_out": "opt-out",
    "dpf": "DPF",
    "dpf_hr": "DPF (HR data)",
    "lgpd": "LGPD",
    "dsr": "Data-subject request",
    "ask_individual": "Question to the individual",
}


def init_app(app: Flask) -> None:
    """Register the filters on the app's Jinja environment."""
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(time_left, "time_left")
    app.add_template_filter(ago, "ago")
    app.add_template_filter(is_past, "is_past")
    app.add_template_filter(label, "label")
    app.add_template_filter(mask, "mask")
    app.add_template_filter(days, "days")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(change, "change")
    app.add_template_filter(timeline, "timeline")


def local_time(value: datetime | None) -> str:
    """Format an aware time in the team's zone: "Mon 2 Nov 2026, 10:00 CET"."""
    if value is None:
        return "—"
    local = value.astimezone(timesource.team_tz())
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"


def local_date(value: datetime | None) -> str:
    """Format the date in the team's zone: "2 Nov 2026"."""
    if value is None:
        return "—"
    local = value.astimezone(timesource.team_tz())
    return f"{local.day} {local:%b %Y}"


def time_left(due: datetime | None) -> str:
    """Say how long until a due time, or how long ago it passed: "3 days left"."""
    if due is None:
        return ""
    delta = due - timesource.now()
    amount = _amount(abs(delta))
    return f"{amount} left" if delta.total_seconds() >= 0 else f"overdue by {amount}"


def ago(value: datetime | None) -> str:
    """Say how long ago something happened: "3 hours ago"."""
    if value is None:
        return ""
    span = timesource.now() - value
    return "just now" if span < timedelta(minutes=1) else f"{_amount(span)} ago"


def _amount(span: timedelta) -> str:
    if span.days >= 2:
        return f"{span.days} days"
    if span.total_seconds() >= 7200:
        return f"{int(span.total_seconds() // 3600)} hours"
    minutes = max(1, int(span.total_seconds() // 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def is_past(due: datetime | None) -> bool:
    """Tell whether a due time has passed."""
    return due is not None and due < timesource.now()


def label(value: str | None) -> str:
    """Turn a code into words: "internal_review" -> "Internal review"."""
    if value is None:
        return "—"
    if value in LABELS:
        return LABELS[value]
    words = value.replace("_", " ")
    return words[:1].upper() + words[1:]


def days(value: float | None) -> str:
    """Format a number of days with one decimal, or a dash."""
    return "—" if value is None else f"{value:.1f}"


def percent(rate: float | None) -> str:
    """Format a share as a whole percentage, or a dash."""
    return "—" if rate is None else f"{rate:.0%}"


def change(value, key: str) -> str:
    """Show a value from an audit event: codes as words, stored times in the team's zone."""
    if value is None:
        return "none"
    if key in CODED and isinstance(value, str):
        return label(value)
    if key.endswith("_at") and isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def timeline(events) -> list[dict]:
    """Prepare audit events for display: who by name, local times, the changes in words."""
    tz = timesource.team_tz()
    events = list(events)
    names = actors.names(db.session, recorded={(e.actor_type, e.actor) for e in events})
    entries = []
    for event in events:
        local = event.at.astimezone(tz)
        changes = [
            (
                label(key),
                change(event.before.get(key), key) if key in event.before else None,
                change(value, key),
            )
            for key, value in event.after.items()
            if key != "clocks" and not isinstance(value, dict)
        ]
        entries.append(
            {
                "event": event,
                "who": names[(event.actor_type, event.actor)],
                "iso": event.at.isoformat(),
                "when": f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}",
                "changes": changes,
            }
        )
    return entries
