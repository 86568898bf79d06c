"""Deadline arithmetic: durations, calendars, months, business days, DST."""

import os
import re
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casetracker.deadlines import (
    ClockRule,
    Duration,
    add_months,
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


def exactly(message):
    """A pytest.raises pattern that matches this whole message and nothing else."""
    return f"^{re.escape(message)}$"


def end_of(day, tz=BERLIN):
    """The last second of a day on the team's wall clock: when a deadline on that day falls."""
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=tz)


def due_local(rule, received, tz=BERLIN, **kwargs):
    """Return the local due datetime for a request received at 10:00 local on a date."""
    return due_at(rule, started_at=at(received, tz=tz), tz=tz, **kwargs).astimezone(tz)


# UTC, a zone ahead of the team's (Europe/Berlin) all year, and one behind it all year.
HOST_ZONES = ["UTC", "Pacific/Auckland", "America/New_York"]


@contextmanager
def host_time_zone(name):
    """Run with the server's own time zone set to name, as on a machine set up elsewhere."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


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
    message = (
        f"invalid duration {text!r}: expected '<N> days', '<N> business days' "
        "or '<N> months' with N a whole number"
    )
    with pytest.raises(ValueError, match=exactly(message)):
        Duration.parse(text)


@pytest.mark.parametrize("name", [None, "DE", "CH", "BR", "IE", "FR", "GB-ENG", "US-NY", "US-CA"])
def test_known_calendars_are_accepted(name):
    validate_calendar(name)


@pytest.mark.parametrize("name", ["XX", "GB-XYZ", "DE-", "gb-eng", ""])
def test_unknown_calendar_is_named_in_the_error(name):
    message = (
        f"unknown holiday calendar {name!r}: use a country code such as 'DE' "
        "or a country and subdivision such as 'GB-ENG'"
    )
    with pytest.raises(ValueError, match=exactly(message)):
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
    assert due_local(rule, received, tz) == end_of(due, tz)


def test_receipt_day_is_the_local_date_not_the_utc_date():
    # 23:30 UTC on 30 Jan is 00:30 on 31 Jan in Berlin.
    received = datetime(2027, 1, 30, 23, 30, tzinfo=UTC)
    due = due_at(ClockRule(Duration(1, "days")), started_at=received, tz=BERLIN)
    assert due.isoformat() == "2027-02-01T22:59:59+00:00"


def test_a_start_time_without_a_time_zone_is_refused():
    naive = datetime(2027, 2, 1, 10, 0)  # noqa: DTZ001
    with pytest.raises(ValueError, match=exactly("started_at must be timezone-aware")):
        due_at(EU_MONTH, started_at=naive, tz=BERLIN)


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
    assert due_local(rule, received, tz) == end_of(due, tz)


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
    assert due_local(rule, received, LONDON) == end_of(due, LONDON)


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


@pytest.mark.parametrize("host", HOST_ZONES)
def test_the_servers_own_time_zone_never_moves_a_due_time(host):
    # Received Sat 6 Feb at 00:30 in Berlin (Fri 23:30 UTC, Sat 12:30 in Auckland): a month
    # ends on Sat 6 Mar and rolls to Mon 8 Mar; one business day ends on Mon 8 Feb.
    received = datetime(2027, 2, 6, 0, 30, tzinfo=BERLIN)
    with host_time_zone(host):
        due = due_at(EU_MONTH, started_at=received, tz=BERLIN)
        business = due_at(ClockRule(Duration(1, "business_days")), started_at=received, tz=BERLIN)
    assert due.isoformat() == "2027-03-08T22:59:59+00:00"
    assert business.isoformat() == "2027-02-08T22:59:59+00:00"
    assert due - business == timedelta(days=28)
