import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casetracker.clock import (
    ClockRule,
    Duration,
    ExtensionRefused,
    Pause,
    add_months,
    check_extension,
    due_at,
    is_working_day,
    validate_calendar,
)

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
ZURICH = ZoneInfo("Europe/Zurich")

ONE_MONTH = Duration(1, "months")
EU_MONTH = ClockRule(ONE_MONTH, calendar="DE", roll_forward=True)


def at(day, hour=10, minute=0, tz=BERLIN):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def due_local(rule, received, tz=BERLIN, **kwargs):
    """Return the local due datetime for a request received at 10:00 local on a date."""
    return due_at(rule, started_at=at(received, tz=tz), tz=tz, **kwargs).astimezone(tz)


DURATIONS = [
    ("45 days", Duration(45, "days"), "45 days"),
    ("1 day", Duration(1, "days"), "1 day"),
    ("10 business days", Duration(10, "business_days"), "10 business days"),
    ("1 business day", Duration(1, "business_days"), "1 business day"),
    ("1 month", Duration(1, "months"), "1 month"),
    ("2 months", Duration(2, "months"), "2 months"),
    ("  10 Business Days ", Duration(10, "business_days"), "10 business days"),
    ("0 days", Duration(0, "days"), "0 days"),
]


@pytest.mark.parametrize(
    ("text", "expected", "canonical"), DURATIONS, ids=[repr(text) for text, *_ in DURATIONS]
)
def test_duration_parses_and_prints_canonically(text, expected, canonical):
    assert Duration.parse(text) == expected
    assert str(Duration.parse(text)) == canonical


@pytest.mark.parametrize("text", ["45", "days", "-3 days", "3 weeks", "", "1.5 months"], ids=repr)
def test_duration_rejects_other_forms_quoting_the_text(text):
    with pytest.raises(ValueError, match=re.escape(repr(text)) + ".*business days"):
        Duration.parse(text)


@pytest.mark.parametrize("name", [None, "DE", "CH", "BR", "IE", "FR", "GB-ENG", "US-NY", "US-CA"])
def test_known_calendars_are_accepted(name):
    validate_calendar(name)


@pytest.mark.parametrize("name", ["XX", "GB-XYZ", "DE-", "gb-eng", ""])
def test_unknown_calendar_is_named_in_the_error(name):
    with pytest.raises(ValueError, match=f"unknown holiday calendar {name!r}"):
        validate_calendar(name)


@pytest.mark.parametrize(
    ("day", "calendar", "working"),
    [
        pytest.param(date(2027, 3, 1), None, True, id="monday"),
        pytest.param(date(2027, 2, 27), None, False, id="saturday"),
        pytest.param(date(2027, 2, 28), "DE", False, id="sunday"),
        pytest.param(date(2027, 3, 29), "GB-ENG", False, id="easter-monday-england"),
        pytest.param(date(2027, 3, 29), None, True, id="easter-monday-weekends-only"),
        pytest.param(date(2040, 12, 25), "GB-ENG", False, id="christmas-far-future"),
        pytest.param(date(2026, 11, 27), "US-CA", False, id="day-after-thanksgiving-california"),
        pytest.param(date(2026, 11, 27), "US-NY", True, id="day-after-thanksgiving-new-york"),
    ],
)
def test_working_days_follow_the_calendar(day, calendar, working):
    assert is_working_day(day, calendar) is working


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(date(2027, 1, 31), 1, date(2027, 2, 28), id="31-jan-to-28-feb"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="31-jan-to-29-feb-leap"),
        pytest.param(date(2027, 3, 31), 1, date(2027, 4, 30), id="31-mar-to-30-apr"),
        pytest.param(date(2026, 11, 30), 2, date(2027, 1, 30), id="30-nov-plus-2-year-end"),
        pytest.param(date(2026, 12, 15), 1, date(2027, 1, 15), id="15-dec-to-15-jan"),
    ],
)
def test_add_months_keeps_the_date_or_takes_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("rule", "tz", "received", "due"),
    [
        pytest.param(EU_MONTH, BERLIN, date(2027, 1, 31), date(2027, 3, 1), id="eu-sunday-rolls"),
        pytest.param(EU_MONTH, BERLIN, date(2028, 1, 31), date(2028, 2, 29), id="eu-leap-year"),
        pytest.param(EU_MONTH, BERLIN, date(2027, 3, 31), date(2027, 4, 30), id="eu-30-april"),
        pytest.param(
            ClockRule(ONE_MONTH, calendar="GB-ENG", roll_forward=True),
            LONDON,
            date(2027, 1, 13),
            date(2027, 2, 15),
            id="uk-saturday-rolls",
        ),
        pytest.param(
            ClockRule(ONE_MONTH, calendar="DE"),
            BERLIN,
            date(2027, 1, 31),
            date(2027, 2, 28),
            id="eu-no-roll-forward-stays-sunday",
        ),
    ],
)
def test_regulatory_worked_examples(rule, tz, received, due):
    assert due_local(rule, received, tz) == datetime(
        due.year, due.month, due.day, 23, 59, 59, tzinfo=tz
    )


def test_receipt_day_is_the_local_date_not_the_utc_date():
    # 23:30 UTC on 30 Jan is 00:30 on 31 Jan in Berlin.
    received = datetime(2027, 1, 30, 23, 30, tzinfo=UTC)
    due = due_at(ClockRule(Duration(1, "days")), started_at=received, tz=BERLIN)
    assert due.astimezone(BERLIN).date() == date(2027, 2, 1)


@pytest.mark.parametrize(
    ("text", "calendar", "tz", "received", "due"),
    [
        pytest.param("45 days", None, BERLIN, date(2026, 6, 1), date(2026, 7, 16), id="dpf-45"),
        pytest.param("15 days", "BR", SAO_PAULO, date(2026, 6, 1), date(2026, 6, 16), id="lgpd-15"),
        pytest.param("30 days", "CH", ZURICH, date(2026, 6, 1), date(2026, 7, 1), id="fadp-30"),
        pytest.param("15 days", None, BERLIN, date(2026, 12, 20), date(2027, 1, 4), id="year-end"),
        pytest.param(
            "10 business days",
            "US-CA",
            LOS_ANGELES,
            date(2026, 11, 6),
            date(2026, 11, 23),
            id="california-from-friday-over-veterans-day",
        ),
        pytest.param(
            "10 business days",
            "US-CA",
            LOS_ANGELES,
            date(2026, 11, 20),
            date(2026, 12, 8),
            id="california-over-thanksgiving",
        ),
        pytest.param(
            "5 business days",
            "GB-ENG",
            LONDON,
            date(2026, 12, 21),
            date(2026, 12, 30),
            id="england-over-christmas-and-substitute-boxing-day",
        ),
        pytest.param(
            "3 business days",
            "GB-ENG",
            LONDON,
            date(2025, 12, 23),
            date(2025, 12, 30),
            id="england-over-christmas-and-boxing-day",
        ),
        pytest.param(
            "5 business days", None, BERLIN, date(2027, 2, 3), date(2027, 2, 10), id="over-weekend"
        ),
    ],
)
def test_day_and_business_day_clocks(text, calendar, tz, received, due):
    rule = ClockRule(Duration.parse(text), calendar=calendar)
    assert due_local(rule, received, tz).date() == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        pytest.param(date(2026, 3, 6), date(2026, 4, 7), id="easter-monday"),
        pytest.param(date(2027, 2, 26), date(2027, 3, 30), id="good-friday-to-after-easter"),
        pytest.param(date(2026, 11, 25), date(2026, 12, 29), id="christmas-day"),
        pytest.param(date(2025, 11, 26), date(2025, 12, 29), id="boxing-day"),
    ],
)
def test_uk_month_ending_on_a_bank_holiday_moves_to_next_working_day(received, due):
    rule = ClockRule(ONE_MONTH, calendar="GB-ENG", roll_forward=True)
    assert due_local(rule, received, LONDON).date() == due


@pytest.mark.parametrize(
    ("received", "due_utc"),
    [
        pytest.param(
            date(2027, 3, 1), datetime(2027, 4, 15, 21, 59, 59, tzinfo=UTC), id="into-summer"
        ),
        pytest.param(
            date(2027, 10, 1), datetime(2027, 11, 15, 22, 59, 59, tzinfo=UTC), id="into-winter"
        ),
    ],
)
def test_due_time_is_end_of_local_day_across_dst(received, due_utc):
    rule = ClockRule(Duration(45, "days"))
    assert due_at(rule, started_at=at(received), tz=BERLIN) == due_utc


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
