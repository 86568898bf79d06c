"""Helpers the workflow tests share: read a case's clocks and walk it through actions."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def end_of(day: date) -> datetime:
    """When a deadline on this Berlin day falls: its last second, in UTC as the API gives it."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN).astimezone(UTC)


def clocks_of(case: dict) -> dict:
    """Map the running clocks of a case by name."""
    return {c["name"]: c for c in case["clocks"] if c["met_at"] is None}


def due(clock: dict) -> datetime:
    """Parse when a clock falls due."""
    return datetime.fromisoformat(clock["due_at"])


def stamp(value: str | None) -> datetime | None:
    """Parse an API timestamp, keeping None."""
    return None if value is None else datetime.fromisoformat(value)


def walk(api, case, *actions):
    """Apply each action in turn, asserting it succeeds; return the case."""
    for action, fields in actions:
        response = api.act(case, action, **fields)
        assert response.status_code == 200, response.get_json()
        case = response.get_json()
    return case
