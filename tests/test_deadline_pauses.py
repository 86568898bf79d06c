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
from tests.test_deadlines import (
    BERLIN,
    EU_MONTH,
    HOST_ZONES,
    ONE_MONTH,
    at,
    due_local,
    end_of,
    exactly,
    host_time_zone,
)


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
CCPA = ClockRule(Duration(45, "days"), extension=Duration(45, "days"))
DUE = datetime(2027, 3, 18, 22, 59, 59, tzinfo=UTC)
LATE = "the due time has passed; an extension must be decided before 2027-03-18T22:59:59+00:00"


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


def when(day, hour, minute=0, second=0):
    """An instant on the team's (Berlin) wall clock."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=BERLIN)


FRI_29_JAN = date(2027, 1, 29)  # BUSINESS_WEEK from here is due Fri 5 Feb 23:59:59
GDPR_MONTH = ClockRule(ONE_MONTH, calendar="DE", roll_forward=True, pausable=True)
BUSINESS_EXTENSION = ClockRule(
    Duration(5, "business_days"), calendar="DE", extension=Duration(5, "business_days")
)

# (rule, received on at 10:00 Berlin, pauses, extended, due on the Berlin wall clock)
EXACT = {
    # Working time only: Fri 17:00 to Mon 09:00 is 7 h + 9 h.
    "pause-friday-17h-to-monday-9h-counts-16-working-hours": (
        BUSINESS_WEEK,
        FRI_29_JAN,
        [Pause(when(date(2027, 2, 5), 17), when(date(2027, 2, 8), 9))],
        False,
        when(date(2027, 2, 8), 15, 59, 59),
    ),
    "pause-ending-monday-00:30-counts-friday-hour-and-monday-half-hour": (
        BUSINESS_WEEK,
        FRI_29_JAN,
        [Pause(when(date(2027, 2, 5), 23), when(date(2027, 2, 8), 0, 30))],
        False,
        when(date(2027, 2, 8), 1, 29, 59),
    ),
    "pause-starting-saturday-00:30-counts-only-monday-morning": (
        BUSINESS_WEEK,
        FRI_29_JAN,
        [Pause(when(date(2027, 2, 6), 0, 30), when(date(2027, 2, 8), 9))],
        False,
        when(date(2027, 2, 8), 8, 59, 59),
    ),
    "half-hour-past-a-friday-deadline-lands-on-monday-00:29:59": (
        BUSINESS_WEEK,
        FRI_29_JAN,
        [Pause(when(date(2027, 2, 2), 10), when(date(2027, 2, 2), 10, 30))],
        False,
        when(date(2027, 2, 8), 0, 29, 59),
    ),
    "one-second-pause-ends-the-deadline-at-midnight-closing-friday": (
        BUSINESS_WEEK,
        FRI_29_JAN,
        [Pause(when(date(2027, 2, 2), 10), when(date(2027, 2, 2), 10, 0, 1))],
        False,
        when(date(2027, 2, 6), 0),
    ),
    # Fri 25 Dec and Sat 26 Dec 2026 are German public holidays; Thu 24 Dec is a working day.
    "pause-over-christmas-counts-no-holiday-time": (
        BUSINESS_WEEK,
        date(2026, 12, 18),  # due Mon 28 Dec; paused Thu 24 Dec 15:00 to Mon 28 Dec 11:00 = 20 h
        [Pause(when(date(2026, 12, 24), 15), when(date(2026, 12, 28), 11))],
        False,
        when(date(2026, 12, 29), 19, 59, 59),
    ),
    "time-given-back-after-a-pause-skips-christmas-day": (
        BUSINESS_WEEK,
        date(2026, 12, 17),  # due Thu 24 Dec; ten hours given back run into Mon 28 Dec
        [Pause(when(date(2026, 12, 21), 9), when(date(2026, 12, 21), 19))],
        False,
        when(date(2026, 12, 28), 9, 59, 59),
    ),
    "pause-pushing-a-friday-month-end-past-midnight-rolls-to-monday": (
        GDPR_MONTH,
        date(2027, 1, 5),  # due Fri 5 Feb 23:59:59, plus half an hour: Saturday
        [Pause(when(date(2027, 1, 12), 10), when(date(2027, 1, 12), 10, 30))],
        False,
        end_of(date(2027, 2, 8)),
    ),
    "business-day-extension-skips-new-years-day": (
        BUSINESS_EXTENSION,
        date(2026, 12, 17),  # due Thu 24 Dec; 5 more: 28, 29, 30, 31 Dec, (1 Jan), 4 Jan
        [],
        True,
        end_of(date(2027, 1, 4)),
    ),
}


@pytest.mark.parametrize(
    ("rule", "received", "pauses", "extended", "due"), EXACT.values(), ids=EXACT
)
def test_pauses_holidays_and_extensions_give_exact_due_times(rule, received, pauses, extended, due):
    found = due_at(rule, started_at=at(received), tz=BERLIN, pauses=pauses, extended=extended)
    assert found.astimezone(BERLIN) == due


def test_a_pause_resumed_the_moment_it_began_is_allowed_and_moves_nothing():
    instant = when(date(2027, 2, 2), 10)
    pause = Pause(instant, instant)
    for rule in (BUSINESS_WEEK, ClockRule(ONE_MONTH, pausable=True)):
        found = due_at(rule, started_at=at(FRI_29_JAN), tz=BERLIN, pauses=[pause])
        assert found == due_at(rule, started_at=at(FRI_29_JAN), tz=BERLIN)
    assert due_at(BUSINESS_WEEK, started_at=at(FRI_29_JAN), tz=BERLIN, pauses=[pause]) == (
        end_of(date(2027, 2, 5))
    )


@pytest.mark.parametrize("host", HOST_ZONES)
def test_the_servers_own_time_zone_never_moves_a_paused_due_time(host):
    expected = {name: due.astimezone(UTC).isoformat() for name, (_, _, _, _, due) in EXACT.items()}
    with host_time_zone(host):
        found = {
            name: due_at(
                rule, started_at=at(received), tz=BERLIN, pauses=pauses, extended=extended
            ).isoformat()
            for name, (rule, received, pauses, extended, _) in EXACT.items()
        }
        with pytest.raises(ExtensionRefused, match=exactly(LATE)):  # the time quoted in UTC
            check_extension(CCPA, due_at=DUE, now=DUE, already_extended=False)
    assert found == expected


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
    assert due_local(rule, received, extended=True) == end_of(due)


def test_extending_a_clock_without_extension_raises():
    with pytest.raises(ValueError, match=exactly("this clock cannot be extended")):
        due_local(EU_MONTH, date(2027, 1, 15), extended=True)


@pytest.mark.parametrize(
    ("rule", "now", "already_extended", "reason"),
    [
        pytest.param(
            EU_MONTH, DUE - timedelta(days=1), False, "this clock cannot be extended", id="none"
        ),
        pytest.param(
            CCPA, DUE - timedelta(days=1), True, "this clock was already extended once", id="twice"
        ),
        pytest.param(CCPA, DUE, False, LATE, id="at-due-time"),
        pytest.param(CCPA, DUE + timedelta(days=2), False, LATE, id="late"),
    ],
)
def test_extension_is_refused_with_a_reason(rule, now, already_extended, reason):
    with pytest.raises(ExtensionRefused, match=exactly(reason)):
        check_extension(rule, due_at=DUE, now=now, already_extended=already_extended)


def test_extension_before_due_time_is_allowed():
    check_extension(CCPA, due_at=DUE, now=DUE - timedelta(seconds=1), already_extended=False)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        pytest.param(
            at(date(2027, 2, 2)),
            at(date(2027, 2, 1)),
            "a pause cannot end (2027-02-01 10:00:00+01:00) before it starts "
            "(2027-02-02 10:00:00+01:00)",
            id="reversed",
        ),
        pytest.param(
            datetime(2027, 2, 1, 9),  # noqa: DTZ001
            at(date(2027, 2, 2)),
            "a pause needs timezone-aware start and end",
            id="naive",
        ),
    ],
)
def test_invalid_pause_is_rejected(start, end, message):
    with pytest.raises(ValueError, match=exactly(message)):
        Pause(start, end)
