"""Deadline arithmetic: calendar days, business days, legal months, pauses, one extension.

Pure functions, no database and no "now": every instant is passed in, aware and in UTC.
A deadline falls at the end of its due day in the team's time zone.
"""

from __future__ import annotations

import re
import threading
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

Unit = Literal["days", "business_days", "months"]

_DURATION = re.compile(r"\s*([0-9]+)\s+(business\s+days?|days?|months?)\s*", re.IGNORECASE)
_NOUNS: dict[str, Unit] = {"day": "days", "business day": "business_days", "month": "months"}
# holidays marks a year as loaded before filling it in, so concurrent lookups could miss a holiday.
_HOLIDAYS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Duration:
    """A legal period: N days, N business days or N months."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse '45 days', '10 business days', '1 month' or '2 months'."""
        match = _DURATION.fullmatch(text)
        if match is None:
            raise ValueError(
                f"invalid duration {text!r}: expected '<N> days', '<N> business days' "
                "or '<N> months' with N a whole number"
            )
        noun = " ".join(match[2].lower().split()).removesuffix("s")
        return cls(int(match[1]), _NOUNS[noun])

    def __str__(self) -> str:
        noun = next(noun for noun, unit in _NOUNS.items() if unit == self.unit)
        return f"{self.amount} {noun}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True)
class ClockRule:
    """How one clock runs: its period, calendar, and what may stop or stretch it."""

    duration: Duration
    calendar: str | None = None
    roll_forward: bool = False
    pausable: bool = False
    extension: Duration | None = None


@dataclass(frozen=True)
class Pause:
    """A closed span during which a pausable clock stood still."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a pause needs timezone-aware start and end")
        if self.end < self.start:
            raise ValueError(f"a pause cannot end ({self.end}) before it starts ({self.start})")


class ExtensionRefused(ValueError):
    """The rules do not allow extending this clock now."""


def validate_calendar(name: str | None) -> None:
    """Raise ValueError unless name is None or a holidays country or country-subdivision."""
    if name is None:
        return
    country, dash, subdivision = name.partition("-")
    subdivisions = holidays.list_supported_countries().get(country)
    if subdivisions is None or (dash and subdivision not in subdivisions):
        raise ValueError(
            f"unknown holiday calendar {name!r}: use a country code such as 'DE' "
            "or a country and subdivision such as 'GB-ENG'"
        )


@cache
def _holidays(calendar: str) -> holidays.HolidayBase:
    validate_calendar(calendar)
    country, _, subdivision = calendar.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None)


def is_working_day(day: date, calendar: str | None) -> bool:
    """Return whether day is neither a weekend day nor a holiday of calendar."""
    if day.weekday() >= 5:
        return False
    if calendar is None:
        return True
    with _HOLIDAYS_LOCK:
        return day not in _holidays(calendar)


def add_months(day: date, months: int) -> date:
    """Return the same date months later, or the last day of that month if it has no such date."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    last_day = monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def add_business_days(day: date, n: int, calendar: str | None) -> date:
    """Return the n-th working day after day."""
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            n -= 1
    return day


def _add(day: date, duration: Duration, calendar: str | None) -> date:
    if duration.unit == "days":
        return day + timedelta(days=duration.amount)
    if duration.unit == "months":
        return add_months(day, duration.amount)
    return add_business_days(day, duration.amount, calendar)


def _end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def business_time_between(
    start: datetime, end: datetime, calendar: str | None, tz: ZoneInfo
) -> timedelta:
    """Return how much of start..end lies on working days in tz."""
    # Aware datetimes sharing a tzinfo compare and subtract as wall time, so work in UTC.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta()
    day = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        if is_working_day(day, calendar):
            day_end = _midnight(day + timedelta(days=1), tz)
            total += max(timedelta(), min(day_end, end) - max(_midnight(day, tz), start))
        day += timedelta(days=1)
    return total


def _advance_business_time(
    instant: datetime, amount: timedelta, calendar: str | None, tz: ZoneInfo
) -> datetime:
    cursor = instant.astimezone(UTC)
    while True:
        day = cursor.astimezone(tz).date()
        day_end = _midnight(day + timedelta(days=1), tz)
        if is_working_day(day, calendar):
            if amount <= day_end - cursor:
                return cursor + amount
            amount -= day_end - cursor
        cursor = day_end


def due_at(
    rule: ClockRule,
    *,
    started_at: datetime,
    tz: ZoneInfo,
    pauses: Sequence[Pause] = (),
    extended: bool = False,
) -> datetime:
    """Return the UTC instant at which a clock started at started_at falls due."""
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware")
    # The day of receipt does not count (Reg. 1182/71 Art. 3(1)).
    day = _add(started_at.astimezone(tz).date(), rule.duration, rule.calendar)
    if extended:
        if rule.extension is None:
            raise ValueError("this clock cannot be extended")
        day = _add(day, rule.extension, rule.calendar)
    due = _end_of_day(day, tz)
    if rule.pausable and rule.duration.unit == "business_days":
        paused = sum(
            (business_time_between(p.start, p.end, rule.calendar, tz) for p in pauses),
            timedelta(),
        )
        due = _advance_business_time(due, paused, rule.calendar, tz)
    elif rule.pausable:
        due += sum((p.end.astimezone(UTC) - p.start.astimezone(UTC) for p in pauses), timedelta())
    local_day = due.astimezone(tz).date()
    if rule.roll_forward and not is_working_day(local_day, rule.calendar):
        due = _end_of_day(add_business_days(local_day, 1, rule.calendar), tz)
    return due.astimezone(UTC)


def check_extension(
    rule: ClockRule, *, due_at: datetime, now: datetime, already_extended: bool
) -> None:
    """Raise ExtensionRefused unless the clock may be extended now."""
    if rule.extension is None:
        raise ExtensionRefused("this clock cannot be extended")
    if already_extended:
        raise ExtensionRefused("this clock was already extended once")
    if now >= due_at:
        raise ExtensionRefused(
            "the due time has passed; an extension must be decided before "
            f"{due_at.astimezone(UTC).isoformat()}"
        )
