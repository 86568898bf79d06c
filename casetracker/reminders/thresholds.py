"""When a clock's reminders fall due, on the team's wall clock; pure, no database.

A clock's thresholds are the policy's `before_due` offsets before its due time, the due
time itself, then one every `overdue_every` while it is overdue. Offsets are taken on the
team's wall clock, so "7 days before" a due time of 23:59:59 is 23:59:59 local seven days
earlier, whatever daylight saving time did in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from casetracker.policy import Reminders

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Threshold:
    """One reminder point of a clock: "7d", "2d", "due" or "overdue:N"."""

    label: str
    at: datetime
    overdue: bool = False


def shifted(instant: datetime, delta: timedelta, tz: ZoneInfo) -> datetime:
    """Move an instant by ``delta`` on the wall clock of ``tz``; return it in UTC."""
    return (instant.astimezone(tz) + delta).astimezone(UTC)


def latest_passed(
    due: datetime, *, since: datetime, now: datetime, tz: ZoneInfo, policy: Reminders
) -> Threshold | None:
    """Return the latest threshold in ``since``..``now``; earlier ones are overtaken."""
    candidates = _fixed(due, tz, policy)
    count = _overdue_count(due, now=now, tz=tz, every=policy.overdue_every)
    if count:
        candidates.append(_overdue(due, count, tz, policy.overdue_every))
    passed = [t for t in candidates if since <= t.at <= now]
    return max(passed, key=lambda t: t.at, default=None)


def next_after(
    due: datetime, *, since: datetime, now: datetime, tz: ZoneInfo, policy: Reminders
) -> datetime | None:
    """Return when the first threshold after ``now`` falls, if any."""
    coming = [t.at for t in _fixed(due, tz, policy) if t.at > now and t.at >= since]
    if policy.overdue_every:
        count = _overdue_count(due, now=now, tz=tz, every=policy.overdue_every)
        coming.append(_overdue(due, count + 1, tz, policy.overdue_every).at)
    return min(coming, default=None)


def label_of(offset: timedelta) -> str:
    """Name a before-due offset: "7d" for seven days, "36h" for a day and a half."""
    if offset % DAY == timedelta():
        return f"{offset // DAY}d"
    return f"{int(offset.total_seconds() // 3600)}h"


def _fixed(due: datetime, tz: ZoneInfo, policy: Reminders) -> list[Threshold]:
    points = [
        Threshold(label_of(offset), shifted(due, -offset, tz)) for offset in policy.before_due
    ]
    if policy.at_due:
        points.append(Threshold("due", due))
    return points


def _overdue(due: datetime, count: int, tz: ZoneInfo, every: timedelta) -> Threshold:
    return Threshold(f"overdue:{count}", shifted(due, count * every, tz), overdue=True)


def _overdue_count(due: datetime, *, now: datetime, tz: ZoneInfo, every: timedelta) -> int:
    """Return how many overdue thresholds have passed by ``now``."""
    if not every or now <= due:
        return 0
    # The wall-clock shift differs from UTC arithmetic by at most an hour: start below, walk up.
    count = max(0, int((now - due) / every) - 1)
    while shifted(due, (count + 1) * every, tz) <= now:
        count += 1
    return count
