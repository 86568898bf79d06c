"""The one clock the product reads "now" from; tests install a frozen one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

EXTENSION_KEY = "casetracker.now"


def system_now() -> datetime:
    """Return the wall-clock time in UTC."""
    return datetime.now(UTC)


def init_app(app: Flask, source: Callable[[], datetime] | None = None) -> None:
    """Install the time source for this app."""
    app.extensions[EXTENSION_KEY] = source or system_now


def now() -> datetime:
    """Return the current time, aware and in UTC."""
    value = current_app.extensions[EXTENSION_KEY]()
    return value.astimezone(UTC)


def team_tz() -> ZoneInfo:
    """Return the team's time zone (CASETRACKER_TIMEZONE)."""
    return ZoneInfo(current_app.config["CASETRACKER_TIMEZONE"])


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block, let "now" be ``moment`` (demo history, one-off repairs)."""
    previous = current_app.extensions[EXTENSION_KEY]
    current_app.extensions[EXTENSION_KEY] = lambda: moment
    try:
        yield
    finally:
        current_app.extensions[EXTENSION_KEY] = previous
