"""Deadline arithmetic: pauses and the one extension."""

from datetime import UTC, date, datetime, timedelta

import pytest

from casetracker.deadlines import (
    ClockRule,
    Duration,
    ExtensionRefused,
    Pause,
    check_extension,
    due_at,
)
from tests.test_deadlines import BERLIN, EU_MONTH, ONE_MONTH, at, due_local


def _shift(rule, received, pauses, tz=BERLIN):
    started_at = at(received, tz=tz)
    return due_at(rule, started_at=started_at, tz=tz, pauses=pauses) - due_at(
        rule, started_at=started_at, tz=tz
    )


def test_pausable_month_clock_moves_by_the_pause():
    rule = ClockRule(ONE_MONTH, pausable=True)
    pause = Pause(at(date(2027, 3, 5), 9), at(date(2027, 3, 8), 13))
    assert _shift(rule, date(2027, 3, 1), [pause]) == timedelta(days=3, hours=4)


def test_pause_over_dst_switch_counts_elapsed_time():
    rule = ClockRule(ONE_MONTH, pausable=True)
    # Berlin clocks go forward on 28 Mar 2027, so this wall-clock day lasts 23 hours.
    pause = Pause(at(date(2027, 3, 27), 12), at(date(2027, 3, 28), 12))
    assert _shift(rule, date(2027, 3, 1), [pause]) == timedelta(hours=23)


def test_non_pausable_clock_ignores_pauses():
    rule = ClockRule(ONE_MONTH)
    pause = Pause(at(date(2027, 3, 5), 9), at(date(2027, 3, 8), 13))
    assert _shift(rule, date(2027, 3, 1), [pause]) == timedelta()


def test_two_pauses_add_up():
    rule = ClockRule(Duration(45, "days"), pausable=True)
    pauses = [
        Pause(at(date(2026, 6, 2), 9), at(date(2026, 6, 3), 9)),
        Pause(at(date(2026, 6, 10), 9), at(date(2026, 6, 10), 11)),
    ]
    assert _shift(rule, date(2026, 6, 1), pauses) == timedelta(days=1, hours=2)


BUSINESS_WEEK = ClockRule(Duration(5, "business_days"), calendar="DE", pausable=True)


def test_business_day_pause_over_weekend_counts_only_working_hours():
    # Received Fri 29 Jan: due Fri 5 Feb; paused Fri 17:00 to Mon 09:00 = 7h + 9h of working time.
    pause = Pause(at(date(2027, 2, 5), 17), at(date(2027, 2, 8), 9))
    due = due_at(BUSINESS_WEEK, started_at=at(date(2027, 1, 29)), tz=BERLIN, pauses=[pause])
    assert due.astimezone(BERLIN) == datetime(2027, 2, 8, 15, 59, 59, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("pauses", "shift"),
    [
        pytest.param(
            [Pause(at(date(2027, 2, 6), 0), at(date(2027, 2, 8), 0))], timedelta(), id="weekend"
        ),
        pytest.param(
            [
                Pause(at(date(2027, 2, 2), 9), at(date(2027, 2, 2), 12)),
                Pause(at(date(2027, 2, 3), 14), at(date(2027, 2, 3), 16)),
            ],
            timedelta(hours=5),
            id="two-weekday-pauses",
        ),
    ],
)
def test_business_day_pauses_count_working_time(pauses, shift):
    # Received Mon 1 Feb: due Mon 8 Feb 23:59:59, so a shift of a few hours lands on Tue 9 Feb.
    assert _shift(BUSINESS_WEEK, date(2027, 2, 1), pauses) == shift


@pytest.mark.parametrize(
    ("rule", "received", "due"),
    [
        pytest.param(
            ClockRule(Duration(45, "days"), extension=Duration(45, "days")),
            date(2027, 2, 1),
            date(2027, 2, 1) + timedelta(days=90),
            id="ccpa-45-plus-45",
        ),
        pytest.param(
            ClockRule(ONE_MONTH, calendar="DE", roll_forward=True, extension=Duration(2, "months")),
            date(2027, 1, 15),
            date(2027, 4, 15),
            id="gdpr-1-plus-2-months",
        ),
    ],
)
def test_extended_clock_adds_the_extension(rule, received, due):
    assert due_local(rule, received, extended=True).date() == due


def test_extending_a_clock_without_extension_raises():
    with pytest.raises(ValueError, match="cannot be extended"):
        due_local(EU_MONTH, date(2027, 1, 15), extended=True)


CCPA = ClockRule(Duration(45, "days"), extension=Duration(45, "days"))
DUE = datetime(2027, 3, 18, 22, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "now", "already_extended", "reason"),
    [
        pytest.param(EU_MONTH, DUE - timedelta(days=1), False, "cannot be extended", id="none"),
        pytest.param(CCPA, DUE - timedelta(days=1), True, "already extended once", id="twice"),
        pytest.param(
            CCPA, DUE, False, "decided before 2027-03-18T22:59:59\\+00:00", id="at-due-time"
        ),
        pytest.param(CCPA, DUE + timedelta(days=2), False, "due time has passed", id="late"),
    ],
)
def test_extension_is_refused_with_a_reason(rule, now, already_extended, reason):
    with pytest.raises(ExtensionRefused, match=reason):
        check_extension(rule, due_at=DUE, now=now, already_extended=already_extended)


def test_extension_before_due_time_is_allowed():
    check_extension(CCPA, due_at=DUE, now=DUE - timedelta(seconds=1), already_extended=False)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        pytest.param(at(date(2027, 2, 2)), at(date(2027, 2, 1)), "before it starts", id="reversed"),
        pytest.param(
            datetime(2027, 2, 1, 9),  # noqa: DTZ001
            at(date(2027, 2, 2)),
            "timezone-aware",
            id="naive",
        ),
    ],
)
def test_invalid_pause_is_rejected(start, end, message):
    with pytest.raises(ValueError, match=message):
        Pause(start, end)
