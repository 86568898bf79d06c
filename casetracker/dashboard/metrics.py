"""Figures for the DPO's report: pure functions of a database session and a period.

Counts and (on PostgreSQL) medians are SQL aggregates, so a report over 100,000 cases reads
no rows into Python; SQLite has no percentile function, so there percentiles are taken in Python.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from casetracker.cases.models import Case, Clock, Event

SECONDS_PER_DAY = 86400
CCPA_RIGHTS = (
    ("access", "Requests to know"),
    ("erasure", "Requests to delete"),
    ("rectification", "Requests to correct"),
    ("opt_out", "Requests to opt out of sale or sharing"),
)
COMPLIED = ("complied", "partially_complied")
DENIED = ("denied", "unverified")


@dataclass(frozen=True)
class Period:
    """From the start of ``first`` to the end of ``last`` in the team's time zone."""

    first: date
    last: date
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), self.tz)


@dataclass(frozen=True)
class OnTime:
    clock: str
    on_time: int
    decided: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None


def on_time_rates(db_session: Session, *, period: Period, now: datetime) -> list[OnTime]:
    """Per clock name: clocks due in the period that were met in time, of those decided."""
    met_in_time = and_(Clock.met_at.is_not(None), Clock.met_at <= Clock.due_at)
    decided = (Clock.met_at.is_not(None)) | ((Clock.due_at < now) & Clock.paused_since.is_(None))
    rows = db_session.execute(
        select(Clock.name, func.sum(case((met_in_time, 1), else_=0)), func.count())
        .where(Clock.due_at >= period.start, Clock.due_at < period.end, decided)
        .group_by(Clock.name)
        .order_by(Clock.name)
    )
    return [OnTime(name, int(on_time or 0), count) for name, on_time, count in rows]


def median_days_to_acknowledge(db_session: Session, *, period: Period) -> float | None:
    """Median days from receipt to acknowledgement, of cases received in the period."""
    medians = _median_days(
        db_session,
        Case.received_at,
        Case.acknowledged_at,
        Case.received_at >= period.start,
        Case.received_at < period.end,
        Case.acknowledged_at.is_not(None),
    )
    return medians.get("all")


def median_days_to_resolve(db_session: Session, *, period: Period) -> float | None:
    """Median days from receipt to closing, of cases closed in the period."""
    medians = _median_days(
        db_session,
        Case.received_at,
        Case.closed_at,
        Case.closed_at >= period.start,
        Case.closed_at < period.end,
    )
    return medians.get("all")


def open_cases_by(db_session: Session, column) -> list[tuple[str, int]]:
    """Count the cases open now (open or on hold) by a column: stage or jurisdiction."""
    rows = db_session.execute(
        select(column, func.count())
        .where(Case.status != "closed")
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return [(value, count) for value, count in rows]


def escalations_per_month(db_session: Session, *, period: Period) -> list[tuple[str, int]]:
    """Count "escalate" events per month (team time zone) within the period."""
    in_period = (Event.action == "escalate", Event.at >= period.start, Event.at < period.end)
    if _dialect(db_session) == "postgresql":
        month = func.to_char(func.timezone(period.tz.key, Event.at), "YYYY-MM")
        rows = db_session.execute(
            select(month, func.count()).where(*in_period).group_by(month).order_by(month)
        )
        return [(value, count) for value, count in rows]
    months = Counter(
        at.astimezone(period.tz).strftime("%Y-%m")
        for at in db_session.scalars(select(Event.at).where(*in_period))
    )
    return sorted(months.items())


def outcomes(db_session: Session, *, period: Period) -> list[tuple[str, str, int]]:
    """Count cases closed in the period by kind and outcome."""
    rows = db_session.execute(
        select(Case.kind, Case.outcome, func.count())
        .where(Case.closed_at >= period.start, Case.closed_at < period.end)
        .group_by(Case.kind, Case.outcome)
        .order_by(Case.kind, func.count().desc())
    )
    return [(kind, outcome or "none", count) for kind, outcome, count in rows]


@dataclass(frozen=True)
class CcpaRow:
    right: str
    label: str
    received: int
    complied: int
    denied: int
    median_days: float | None


def ccpa_request_metrics(db_session: Session, *, year: int, tz: ZoneInfo) -> list[CcpaRow]:
    """CCPA regs §7102: Californian requests received in a calendar year, by right."""
    period = Period(date(year, 1, 1), date(year, 12, 31), tz)
    californian = (
        Case.kind == "request",
        Case.jurisdiction == "US-CA",
        Case.received_at >= period.start,
        Case.received_at < period.end,
    )
    counts = {
        right: (received, int(complied or 0), int(denied or 0))
        for right, received, complied, denied in db_session.execute(
            select(
                Case.right,
                func.count(),
                func.sum(case((Case.outcome.in_(COMPLIED), 1), else_=0)),
                func.sum(case((Case.outcome.in_(DENIED), 1), else_=0)),
            )
            .where(*californian)
            .group_by(Case.right)
        )
    }
    medians = _median_days(
        db_session,
        Case.received_at,
        Case.closed_at,
        *californian,
        Case.outcome.in_(COMPLIED + DENIED),
        group=Case.right,
    )
    return [
        CcpaRow(right, label, *counts.get(right, (0, 0, 0)), medians.get(right))
        for right, label in CCPA_RIGHTS
    ]


def ccpa_request_years(db_session: Session, *, tz: ZoneInfo) -> list[int]:
    """Calendar years (team time zone) in which a Californian request was received."""
    californian = (Case.kind == "request", Case.jurisdiction == "US-CA")
    if _dialect(db_session) == "postgresql":
        year = func.extract("year", func.timezone(tz.key, Case.received_at))
        query = select(year).where(*californian).group_by(year).order_by(year)
        return [int(value) for value in db_session.scalars(query)]
    received = db_session.scalars(select(Case.received_at).where(*californian))
    return sorted({at.astimezone(tz).year for at in received})


def _median_days(db_session: Session, start, end, *conditions, group=None) -> dict:
    found = percentile_days(db_session, start, end, *conditions, group=group, fractions=(0.5,))
    return {name: values[0] for name, values in found.items()}


def percentile_days(
    db_session: Session, start, end, *conditions, group=None, fractions=(0.5,)
) -> dict:
    """Per group: percentiles (interpolated, as percentile_cont) of the days from start to end."""
    key = group if group is not None else literal("all")
    if _dialect(db_session) == "postgresql":
        days = func.extract("epoch", end - start) / SECONDS_PER_DAY
        percentiles = [func.percentile_cont(f).within_group(days) for f in fractions]
        query = select(key, *percentiles).where(*conditions)
        if group is not None:
            query = query.group_by(group)
        return {
            name: tuple(float(value) for value in values)
            for name, *values in db_session.execute(query)
            if values[0] is not None
        }
    spans: dict[str, list[float]] = {}
    for name, started, ended in db_session.execute(select(key, start, end).where(*conditions)):
        spans.setdefault(name, []).append((ended - started).total_seconds() / SECONDS_PER_DAY)
    return {
        name: tuple(_percentile(sorted(values), f) for f in fractions)
        for name, values in spans.items()
    }


def _percentile(ordered: list[float], fraction: float) -> float:
    # PostgreSQL's percentile_cont: linear interpolation between the two nearest ranks.
    rank = fraction * (len(ordered) - 1)
    below = math.floor(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)


def _dialect(db_session: Session) -> str:
    return db_session.get_bind().dialect.name
